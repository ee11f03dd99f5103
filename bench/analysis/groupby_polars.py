"""The scale bench's GROUP BY done the polars way (the aggregates of bench/query/groupby.py), for its answer."""
import json
import sys

import polars as pl

MISSING = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
           "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
df = pl.scan_csv(sys.argv[1], null_values=MISSING)
result = (
    df.group_by("product")
    .agg(
        pl.len().alias("n"),
        pl.col("x1").mean().alias("mean_x1"),
        pl.col("x2").sum().alias("sum_x2"),
        pl.col("x3").min().alias("min_x3"),
        pl.col("x4").max().alias("max_x4"),
        pl.col("x5").std().alias("sd_x5"),
        pl.col("x6").median().alias("median_x6"),
        pl.col("x9").count().alias("rows_x9"),
    )
    .sort("product")
    .collect()
)
print(json.dumps({"rows": [list(row) for row in result.rows()]}))

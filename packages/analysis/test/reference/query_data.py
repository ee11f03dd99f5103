"""Reference results for query_data, computed with pandas and numpy, not with SQL.

Run with Debian's Python (pandas 1.5.3, numpy 1.24):

    /usr/bin/python3 packages/analysis/test/reference/query_data.py

It reads the committed sample CSVs and writes query_data.json beside itself; the tests run each
case's SQL through query_data and compare the rows with the ones pandas computed here. Floats are
compared to a relative 1e-12 (DuckDB and pandas add in different orders).
"""

import json
import os

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.path.join(HERE, "..", "..", "datasets")


def read(name):
    return pd.read_csv(os.path.join(DATASETS, name))


churn = read("churn.csv")
lalonde = read("lalonde.csv")
checkout = read("checkout_ab.csv")


def plain(value):
    """A cell as query_data returns it: numbers as numbers, missing as None."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def rows(frame):
    return [[plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]


cases = {}


def case(name, file, sql, frame):
    cases[name] = {"file": file, "sql": sql, "columns": list(frame.columns), "rows": rows(frame)}


# Aggregates by group, nulls skipped as SQL does.
by_plan = (
    churn.groupby("plan")
    .agg(
        customers=("customer_id", "count"),
        mean_fee=("monthly_fee", "mean"),
        calls=("support_calls", "sum"),
        shortest=("tenure_months", "min"),
        longest=("tenure_months", "max"),
        satisfaction_sd=("satisfaction", "std"),
        rated=("satisfaction", "count"),
    )
    .reset_index()
    .sort_values("plan")
)
case(
    "aggregates by group",
    "churn.csv",
    "SELECT plan, count(*) AS customers, avg(monthly_fee) AS mean_fee, sum(support_calls) AS calls,\n"
    "  min(tenure_months) AS shortest, max(tenure_months) AS longest,\n"
    "  stddev_samp(satisfaction) AS satisfaction_sd, count(satisfaction) AS rated\n"
    "FROM data GROUP BY plan ORDER BY plan",
    by_plan,
)

# A filter on a boolean and a text column, then a count and a share.
basic_churned = churn[(churn.plan == "basic") & churn.churned]
case(
    "filter and count",
    "churn.csv",
    "SELECT count(*) AS n, avg(monthly_fee) AS fee FROM data WHERE churned AND plan = 'basic'",
    pd.DataFrame({"n": [len(basic_churned)], "fee": [basic_churned.monthly_fee.mean()]}),
)

# ORDER BY with a tie-breaker, then LIMIT.
top = churn.sort_values(["monthly_fee", "customer_id"], ascending=[False, True]).head(5)
case(
    "order by and limit",
    "churn.csv",
    "SELECT customer_id, monthly_fee FROM data ORDER BY monthly_fee DESC, customer_id LIMIT 5",
    top[["customer_id", "monthly_fee"]],
)

# Window functions: the regional mean beside each row, and the two dearest customers per region.
known = churn[churn.region.notna()].copy()
known["region_mean"] = known.groupby("region").monthly_fee.transform("mean")
known = known.sort_values(["region", "monthly_fee", "customer_id"], ascending=[True, False, True])
known["rank"] = known.groupby("region").cumcount() + 1
window = known[known["rank"] <= 2][["region", "customer_id", "monthly_fee", "region_mean", "rank"]]
case(
    "window functions",
    "churn.csv",
    "SELECT region, customer_id, monthly_fee,\n"
    "  avg(monthly_fee) OVER (PARTITION BY region) AS region_mean,\n"
    "  row_number() OVER (PARTITION BY region ORDER BY monthly_fee DESC, customer_id) AS rank\n"
    "FROM data WHERE region IS NOT NULL QUALIFY rank <= 2 ORDER BY region, rank",
    window,
)

# quantile_cont is linear interpolation, as pandas' quantile.
case(
    "percentiles",
    "lalonde.csv",
    "SELECT treat, quantile_cont(re78, 0.1) AS p10, quantile_cont(re78, 0.5) AS median,\n"
    "  quantile_cont(re78, 0.9) AS p90 FROM data GROUP BY treat ORDER BY treat",
    lalonde.groupby("treat")
    .re78.quantile([0.1, 0.5, 0.9])
    .unstack()
    .reset_index()
    .set_axis(["treat", "p10", "median", "p90"], axis=1),
)

# A CTE used twice: the raw difference in 1978 earnings.
means = lalonde.groupby("treat").re78.mean()
case(
    "common table expression",
    "lalonde.csv",
    "WITH arms AS (SELECT treat, avg(re78) AS mean FROM data GROUP BY treat)\n"
    "SELECT (SELECT mean FROM arms WHERE treat = 1) - (SELECT mean FROM arms WHERE treat = 0) AS difference",
    pd.DataFrame({"difference": [means[1] - means[0]]}),
)

# Dates from timestamps, grouped and ordered: ISO text in the result.
visits = checkout.assign(day=pd.to_datetime(checkout.visited_at).dt.strftime("%Y-%m-%d"))
daily = (
    visits.groupby("day")
    .agg(sessions=("session_id", "count"), basket=("basket_value", "mean"))
    .reset_index()
    .sort_values("day")
    .head(7)
)
case(
    "dates grouped",
    "checkout_ab.csv",
    "SELECT CAST(visited_at AS DATE) AS day, count(*) AS sessions, avg(basket_value) AS basket\n"
    "FROM data GROUP BY day ORDER BY day LIMIT 7",
    daily,
)

# numpy's 20-bin histograms over every row of a result.
histograms = {}
for name, file, sql, values in [
    ("basket_value", "checkout_ab.csv", "SELECT basket_value FROM data", checkout.basket_value),
    ("re78", "lalonde.csv", "SELECT re78 FROM data", lalonde.re78),
    (
        "satisfaction",
        "churn.csv",
        "SELECT satisfaction * tenure_months AS score FROM data",
        (churn.satisfaction * churn.tenure_months).dropna(),
    ),
]:
    counts, edges = np.histogram(values, bins=20)
    histograms[name] = {"file": file, "sql": sql, "edges": edges.tolist(), "counts": counts.tolist()}

with open(os.path.join(HERE, "query_data.json"), "w") as out:
    json.dump(
        {
            "generatedBy": f"pandas {pd.__version__}, numpy {np.__version__}",
            "cases": cases,
            "histograms": histograms,
        },
        out,
        indent=1,
    )
    out.write("\n")

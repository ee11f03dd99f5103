"""The profile's work done the polars way, as profile.py does it with pandas: read_csv, describe with
quartiles, pairwise correlations, missing and distinct counts, top values, numpy's 20-bin histograms."""
import json
import resource
import sys
import time

import polars as pl

# pandas' default missing markers, which Cascade reads as missing too: the same work on the same cells.
MISSING = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
           "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
BINS = 20

start = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
df = pl.read_csv(sys.argv[1], null_values=MISSING)
numeric = [c for c, t in df.schema.items() if t.is_numeric()]
described = df.describe(percentiles=(0.25, 0.5, 0.75), interpolation="linear")
pairs = [(a, b) for i, a in enumerate(numeric) for b in numeric[i + 1:]]
correlation = df.select([pl.corr(a, b).alias(f"{a}|{b}") for a, b in pairs]).row(0, named=True)
missing = df.null_count().row(0, named=True)
unique = df.select(pl.all().drop_nulls().n_unique()).row(0, named=True)
top = {c: df[c].drop_nulls().value_counts(sort=True).head(10).rows() for c in df.columns if c not in numeric}
extremes = df.select([pl.col(c).min().alias(f"{c}|min") for c in numeric] +
                     [pl.col(c).max().alias(f"{c}|max") for c in numeric]).row(0, named=True)


def edges(lo, hi):
    """numpy.histogram's edges: linspace over [min, max], widened by 0.5 each side for a constant column."""
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    step = (hi - lo) / BINS
    return [hi if i == BINS else i * step + lo for i in range(BINS + 1)]


# numpy's bins are closed on the left and the last also on the right: the number of inner edges at or
# below a value is its bin.
histograms = {}
for c in numeric:
    inner = pl.Series(edges(extremes[f"{c}|min"], extremes[f"{c}|max"])[1:-1], dtype=pl.Float64)
    bins = inner.search_sorted(df[c].drop_nulls().cast(pl.Float64), side="right")
    counts = dict(bins.value_counts().rows())
    histograms[c] = [counts.get(b, 0) for b in range(BINS)]
seconds = time.perf_counter() - start
end_usage = resource.getrusage(resource.RUSAGE_SELF)
cpu_seconds = (end_usage.ru_utime - usage.ru_utime) + (end_usage.ru_stime - usage.ru_stime)

stats = {row["statistic"]: row for row in described.rows(named=True)}
columns = []
for c in df.columns:
    entry = {"name": c, "missing": int(missing[c]), "unique": int(unique[c])}
    if c in numeric:
        entry.update(count=int(stats["count"][c]), mean=stats["mean"][c], std=stats["std"][c], min=stats["min"][c],
                     q25=stats["25%"][c], q50=stats["50%"][c], q75=stats["75%"][c], max=stats["max"][c],
                     histogram=histograms[c])
    else:
        entry["top"] = [[str(v), int(n)] for v, n in top[c]]
    columns.append(entry)
matrix = [[1.0 if a == b else correlation.get(f"{a}|{b}", correlation.get(f"{b}|{a}")) for b in numeric] for a in numeric]
result = {"rows": df.height, "columns": columns, "correlation": matrix}
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "cpuSeconds": cpu_seconds, "peakMb": peak_mb, "result": result}))

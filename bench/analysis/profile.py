"""The profile's work done the pandas way: read_csv, describe, corr, missing, unique, top values, histograms."""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd

start = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
df = pd.read_csv(sys.argv[1])
described = df.describe()
correlation = df.corr(numeric_only=True)
missing = df.isna().sum()
unique = df.nunique()
numeric = list(df.select_dtypes("number").columns)
top = {c: df[c].value_counts().head(10) for c in df.columns if c not in numeric}
histograms = {c: np.histogram(df[c].dropna(), bins=20) for c in numeric}
seconds = time.perf_counter() - start
end_usage = resource.getrusage(resource.RUSAGE_SELF)
cpu_seconds = (end_usage.ru_utime - usage.ru_utime) + (end_usage.ru_stime - usage.ru_stime)

columns = []
for c in df.columns:
    entry = {"name": c, "missing": int(missing[c]), "unique": int(unique[c])}
    if c in numeric:
        d = described[c]
        entry.update(count=int(d["count"]), mean=d["mean"], std=d["std"], min=d["min"], q25=d["25%"],
                     q50=d["50%"], q75=d["75%"], max=d["max"], histogram=histograms[c][0].tolist())
    else:
        entry["top"] = [[str(v), int(n)] for v, n in top[c].items()]
    columns.append(entry)
result = {"rows": len(df), "columns": columns, "correlation": correlation.values.tolist()}
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "cpuSeconds": cpu_seconds, "peakMb": peak_mb, "result": result}))

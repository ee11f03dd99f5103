"""OLS adjustment and inverse probability weighting the statsmodels way, on the same file."""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd
import statsmodels.api as sm

start = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
df = pd.read_csv(sys.argv[1])
covariates = [f"x{j + 1}" for j in range(10)]
t = df["treat"].to_numpy(dtype=float)
y = df["outcome"].to_numpy(dtype=float)

ols = sm.OLS(y, sm.add_constant(df[["treat"] + covariates])).fit()
robust = ols.get_robustcov_results(cov_type="HC1")

logit = sm.Logit(t, sm.add_constant(df[covariates])).fit(disp=0, tol=1e-10)
e = logit.predict()
ate_weights = t / e + (1 - t) / (1 - e)
hajek = sm.WLS(y, sm.add_constant(t), weights=ate_weights).fit(cov_type="HC1")
horvitz_thompson = float(np.mean(t * y / e - (1 - t) * y / (1 - e)))
att_weights = t + (1 - t) * e / (1 - e)
att = sm.WLS(y, sm.add_constant(t), weights=att_weights).fit(cov_type="HC1")
seconds = time.perf_counter() - start
end_usage = resource.getrusage(resource.RUSAGE_SELF)
cpu_seconds = (end_usage.ru_utime - usage.ru_utime) + (end_usage.ru_stime - usage.ru_stime)

result = {
    "ols": {"estimate": float(ols.params["treat"]), "se": float(ols.bse["treat"]), "seHc1": float(robust.bse[1])},
    "ipw_hajek": float(hajek.params[1]),
    "ipw_horvitz_thompson": horvitz_thompson,
    "ipw_att": float(att.params[1]),
}
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "cpuSeconds": cpu_seconds, "peakMb": peak_mb, "result": result}))

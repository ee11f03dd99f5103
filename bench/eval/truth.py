#!/usr/bin/env python3
"""The reference answers for bench/eval/questions.json.

Computed independently of Cascade's code, with pandas / scipy / statsmodels, from the sample
CSVs in packages/analysis/datasets read with pandas' defaults. Writes bench/eval/truth.json:
{key: value}, where a value is a number, a string, or a list of acceptable alternatives
(e.g. a logistic coefficient as log-odds or as an odds ratio, several spellings of a type).

Run: /usr/bin/python3 bench/eval/truth.py   (or: npm run eval -- --truth)
"""

import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

warnings.simplefilter("ignore")

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "packages" / "analysis" / "datasets"

truth = {}


def put(key, value):
    """Records one fact; numpy scalars become plain Python numbers."""
    if key in truth:
        raise KeyError(f"duplicate key {key}")
    if isinstance(value, (list, tuple)):
        value = [as_plain(v) for v in value]
    else:
        value = as_plain(value)
    truth[key] = value


def as_plain(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        if math.isnan(f) or math.isinf(f):
            raise ValueError("truth values must be finite")
        return f
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    return v


def spellings(column):
    """A column may be written as in the file or with spaces (support_calls / support calls)."""
    return [column] if "_" not in column else [column, column.replace("_", " ")]


lalonde = pd.read_csv(DATA / "lalonde.csv")
churn = pd.read_csv(DATA / "churn.csv")
ab = pd.read_csv(DATA / "checkout_ab.csv")
frames = {"lalonde": lalonde, "churn": churn, "ab": ab}

# --- Datasets: the CSV files that are there -----------------------------------------------
files = sorted(p.name for p in DATA.glob("*.csv"))
assert files == ["checkout_ab.csv", "churn.csv", "lalonde.csv"], files
put("datasets.lalonde", "lalonde.csv")
put("datasets.churn", "churn.csv")
put("datasets.ab", "checkout_ab.csv")

# --- Shape and column names ---------------------------------------------------------------
for name, df in frames.items():
    put(f"{name}.rows", len(df))
    put(f"{name}.cols", df.shape[1])
    for column in df.columns:
        put(f"{name}.column.{column}", column)

# --- Types, in the words an analyst would accept --------------------------------------------
NUMERIC = ["numeric", "number", "float", "double", "decimal", "real", "continuous"]
BOOLEAN = ["bool", "binary", "true/false", "true or false"]
DATETIME = ["timestamp", "datetime", "date/time", "date and time", "date"]
assert pd.api.types.is_float_dtype(churn["satisfaction"])
put("churn.type.satisfaction", NUMERIC)
assert pd.api.types.is_float_dtype(ab["basket_value"])
put("ab.type.basket_value", NUMERIC)
assert pd.api.types.is_bool_dtype(churn["churned"])
put("churn.type.churned", BOOLEAN)
# pandas reads visited_at as text; every value parses as a date-time.
assert pd.to_datetime(ab["visited_at"], errors="coerce").notna().all()
put("ab.type.visited_at", DATETIME)

# --- Missing values ---------------------------------------------------------------------------
missing = churn.isna().sum()
assert set(missing[missing > 0].index) == {"region", "satisfaction", "last_feedback"}
for column in ["region", "satisfaction", "last_feedback"]:
    put(f"churn.missing.{column}", missing[column])
    put(f"churn.missing_share.{column}", missing[column] / len(churn))
NOTHING_MISSING = [
    "no missing",
    "none missing",
    "nothing is missing",
    "no values are missing",
    "no null",
    "no empty",
    "no blank",
    "0 missing",
    "zero missing",
    "missing: 0",
    "missing values: 0",
    "missing values: none",
    "missing: none",
    "has none",
    "there are none",
]
assert lalonde.isna().sum().sum() == 0
put("lalonde.missing.none", NOTHING_MISSING)
assert ab.isna().sum().sum() == 0
put("ab.missing.none", NOTHING_MISSING)

# --- Distinct values and top categories --------------------------------------------------------
for plan in churn["plan"].unique():
    put(f"churn.values.plan.{plan}", plan)
put("ab.distinct.country", ab["country"].nunique())
put("churn.distinct.region", churn["region"].nunique())  # missing regions are not a region
put("lalonde.distinct.educ", lalonde["educ"].nunique())
top = ab["country"].value_counts()
for rank in (1, 2, 3):
    put(f"ab.top_country.{rank}.name", top.index[rank - 1])
    put(f"ab.top_country.{rank}.count", top.iloc[rank - 1])
assert top.iloc[2] > top.iloc[3], "the third country must be unambiguous"
for device, n in ab["device"].value_counts().items():
    put(f"ab.count.device.{device}", n)
for plan, n in churn["plan"].value_counts().items():
    put(f"churn.count.plan.{plan}", n)
regions = churn["region"].value_counts()
assert regions.iloc[0] > regions.iloc[1]
put("churn.top_region.name", regions.index[0])
put("churn.top_region.count", regions.iloc[0])

# --- Aggregates, with groups and conditions ------------------------------------------------------
fee = churn["monthly_fee"]
put("churn.monthly_fee.mean", fee.mean())
put("churn.monthly_fee.median", fee.median())
put("churn.monthly_fee.min", fee.min())
for plan, value in churn.groupby("plan")["monthly_fee"].mean().items():
    put(f"churn.monthly_fee.mean_by_plan.{plan}", value)
for plan, value in churn.groupby("plan")["monthly_fee"].median().items():
    put(f"churn.monthly_fee.median_by_plan.{plan}", value)
put("churn.tenure_months.median", churn["tenure_months"].median())
put("churn.tenure_months.max_premium", churn.loc[churn["plan"] == "premium", "tenure_months"].max())
put("churn.count.support_calls_gt3", int((churn["support_calls"] > 3).sum()))
put("churn.satisfaction.mean_churned", churn.loc[churn["churned"], "satisfaction"].mean())
put("churn.count.south_basic", int(((churn["region"] == "south") & (churn["plan"] == "basic")).sum()))

put("lalonde.re78.mean", lalonde["re78"].mean())
put("lalonde.re75.max", lalonde["re75"].max())
put("lalonde.age.std", lalonde["age"].std())  # sample SD (ddof=1)
put("lalonde.re78.mean_age_20_30", lalonde.loc[lalonde["age"].between(20, 30), "re78"].mean())
for (treat, married), value in lalonde.groupby(["treat", "married"])["re78"].mean().items():
    put(f"lalonde.re78.mean_by_treat_married.{treat}.{married}", value)
put("lalonde.educ.mean_treated", lalonde.loc[lalonde["treat"] == 1, "educ"].mean())

basket = ab["basket_value"]
put("ab.basket_value.sum", basket.sum())
for device, value in ab.groupby("device")["basket_value"].mean().items():
    put(f"ab.basket_value.mean_by_device.{device}", value)
put(
    "ab.basket_value.mean_mobile_de_fr",
    ab.loc[(ab["device"] == "mobile") & ab["country"].isin(["DE", "FR"]), "basket_value"].mean(),
)
put(
    "ab.basket_value.median_returning_desktop",
    ab.loc[ab["returning"] & (ab["device"] == "desktop"), "basket_value"].median(),
)
put("ab.basket_value.sum_items_gt10", ab.loc[ab["items_viewed"] > 10, "basket_value"].sum())
for (device, checkout), value in ab.groupby(["device", "new_checkout"])["basket_value"].mean().items():
    put(f"ab.basket_value.mean_by_device_checkout.{device}.{checkout}", value)
put("ab.items_viewed.mean", ab["items_viewed"].mean())
put("ab.basket_value.std_tablet", ab.loc[ab["device"] == "tablet", "basket_value"].std())
put("ab.count.es_it_pl", int(ab["country"].isin(["ES", "IT", "PL"]).sum()))
returning = ab[ab["returning"]]
for device, value in returning.groupby("device")["basket_value"].mean().items():
    put(f"ab.basket_value.mean_by_device_returning.{device}", value)
for device, value in returning.groupby("device")["basket_value"].median().items():
    put(f"ab.basket_value.median_by_device_returning.{device}", value)
for country, value in ab.groupby("country")["basket_value"].mean().items():
    put(f"ab.basket_value.mean_by_country.{country}", value)

# --- Rates of a binary outcome -------------------------------------------------------------------
put("churn.churn_rate", churn["churned"].mean())
for plan, value in churn.groupby("plan")["churned"].mean().items():
    put(f"churn.churn_rate_by_plan.{plan}", value)
for autopay, value in churn.groupby("autopay")["churned"].mean().items():
    put(f"churn.churn_rate_by_autopay.{str(autopay).lower()}", value)
for region, value in churn.groupby("region")["churned"].mean().items():
    put(f"churn.churn_rate_by_region.{region}", value)
for (plan, autopay), value in churn.groupby(["plan", "autopay"])["churned"].mean().items():
    put(f"churn.churn_rate_by_plan_autopay.{plan}.{str(autopay).lower()}", value)
put("ab.share.mobile", (ab["device"] == "mobile").mean())
put("ab.share.returning", ab["returning"].mean())
put("lalonde.share.married", lalonde["married"].mean())
put("lalonde.share.nodegree_treated", lalonde.loc[lalonde["treat"] == 1, "nodegree"].mean())

# --- Correlations (Pearson) ------------------------------------------------------------------------
put("lalonde.corr.age_educ", lalonde["age"].corr(lalonde["educ"]))
put("lalonde.corr.re74_re75", lalonde["re74"].corr(lalonde["re75"]))
put("ab.corr.items_basket", ab["items_viewed"].corr(ab["basket_value"]))
put("churn.corr.tenure_fee", churn["tenure_months"].corr(churn["monthly_fee"]))
put("churn.corr.calls_satisfaction", churn["support_calls"].corr(churn["satisfaction"]))


def most_correlated(df, target, prefix):
    """The other numeric (or 0/1) column with the largest |r|; it must lead clearly."""
    numeric = df.select_dtypes(include=["number", "bool"]).astype(float)
    r = numeric.corr()[target].drop(target)
    order = r.abs().sort_values(ascending=False)
    assert order.iloc[0] - order.iloc[1] > 0.05, f"no clear winner for {target}: {order.head(3)}"
    best = order.index[0]
    put(f"{prefix}.most_corr.{target}.name", spellings(best))
    put(f"{prefix}.most_corr.{target}.r", r[best])


most_correlated(lalonde, "re78", "lalonde")
most_correlated(churn, "satisfaction", "churn")
most_correlated(churn, "monthly_fee", "churn")

# --- Distributions (pandas' linear-interpolation quantiles) ----------------------------------------
tenure = churn["tenure_months"]
put("churn.tenure_months.q25", tenure.quantile(0.25))
put("churn.tenure_months.q75", tenure.quantile(0.75))
put("churn.tenure_months.max", tenure.max())
put("ab.basket_value.mean", basket.mean())
put("ab.basket_value.std", basket.std())
put("ab.basket_value.q25", basket.quantile(0.25))
put("ab.basket_value.median", basket.median())
put("ab.basket_value.q75", basket.quantile(0.75))
put("churn.monthly_fee.q10", fee.quantile(0.10))
put("churn.monthly_fee.q90", fee.quantile(0.90))
put("lalonde.re78.median", lalonde["re78"].median())
satisfaction = churn["satisfaction"]
put("churn.satisfaction.std", satisfaction.std())
put("churn.satisfaction.q25", satisfaction.quantile(0.25))
put("churn.satisfaction.q75", satisfaction.quantile(0.75))
re74 = lalonde["re74"]
put("lalonde.re74.mean", re74.mean())
put("lalonde.re74.median", re74.median())
put("lalonde.re74.std", re74.std())
put("lalonde.re74.max", re74.max())

# --- Group comparisons: Welch's t, two-proportion z, chi-square -------------------------------------


def welch(a, b):
    return stats.ttest_ind(a.dropna(), b.dropna(), equal_var=False).pvalue


mobile = ab.loc[ab["device"] == "mobile", "basket_value"]
desktop = ab.loc[ab["device"] == "desktop", "basket_value"]
put("ab.test.mobile_vs_desktop.p", welch(mobile, desktop))

plan_table = pd.crosstab(churn["plan"], churn["churned"])
put("churn.test.plan.p", stats.chi2_contingency(plan_table)[1])

for flag, value in ab.groupby("returning")["basket_value"].mean().items():
    put(f"ab.basket_value.mean_by_returning.{str(flag).lower()}", value)
put("ab.test.returning.p", welch(basket[ab["returning"]], basket[~ab["returning"]]))

for arm, value in ab.groupby("new_checkout")["basket_value"].mean().items():
    put(f"ab.basket_value.mean_by_checkout.{arm}", value)
put("ab.test.checkout.p", welch(basket[ab["new_checkout"] == 1], basket[ab["new_checkout"] == 0]))

counts = churn.groupby("autopay")["churned"].agg(["sum", "count"])
put("churn.test.autopay.p", proportions_ztest(counts["sum"].values, counts["count"].values)[1])

for flag, value in churn.groupby("churned")["satisfaction"].mean().items():
    put(f"churn.satisfaction.mean_by_churned.{str(flag).lower()}", value)
put("churn.test.satisfaction_churned.p", welch(satisfaction[churn["churned"]], satisfaction[~churn["churned"]]))

for arm, value in lalonde.groupby("treat")["re78"].mean().items():
    put(f"lalonde.re78.mean_by_treat.{arm}", value)
put("lalonde.test.re78_treat.p", welch(lalonde.loc[lalonde["treat"] == 1, "re78"], lalonde.loc[lalonde["treat"] == 0, "re78"]))

region_table = pd.crosstab(churn["region"], churn["churned"])  # rows without a region are left out
put("churn.test.region.p", stats.chi2_contingency(region_table)[1])

for flag, value in lalonde.groupby("married")["educ"].mean().items():
    put(f"lalonde.educ.mean_by_married.{flag}", value)
put("lalonde.test.educ_married.p", welch(lalonde.loc[lalonde["married"] == 1, "educ"], lalonde.loc[lalonde["married"] == 0, "educ"]))

# --- Regressions: OLS with HC1 errors; logistic for a binary outcome -------------------------------
# Booleans enter as 0/1 so that their coefficient is named after the column.
churn01 = churn.assign(
    churned=churn["churned"].astype(int), autopay=churn["autopay"].astype(int)
)
ab01 = ab.assign(returning=ab["returning"].astype(int))


def ols(formula, data):
    return smf.ols(formula, data=data).fit(cov_type="HC1")


def put_coefficients(prefix, fit, names):
    for name in names:
        put(f"{prefix}.{name}", fit.params[name])


fit = ols("re78 ~ age + educ + re75", lalonde)
put_coefficients("lalonde.ols.re78_age_educ_re75", fit, ["age", "educ", "re75"])
fit = ols("basket_value ~ items_viewed + C(device) + returning", ab01)
put_coefficients("ab.ols.basket_items_device_returning", fit, ["items_viewed", "returning"])
fit = ols("re78 ~ educ", lalonde)
put_coefficients("lalonde.ols.re78_educ", fit, ["educ"])
fit = ols("re78 ~ age + educ + black + hispan + married", lalonde)
put_coefficients("lalonde.ols.re78_demog", fit, ["age", "educ", "black", "hispan", "married"])
fit = ols("re78 ~ age + educ + black + hispan + married + re74 + re75", lalonde)
put_coefficients("lalonde.ols.re78_demog_prior", fit, ["educ", "re74", "re75"])
fit = ols("re75 ~ age + educ + black + hispan + married + re74", lalonde)
put_coefficients("lalonde.ols.re75_demog_re74", fit, ["age", "educ", "re74"])

# Logistic: a coefficient may be reported as log-odds or as an odds ratio; both are accepted.
fit = smf.logit("churned ~ tenure_months + support_calls + autopay", data=churn01).fit(disp=0)
for name in ["tenure_months", "support_calls", "autopay"]:
    put(f"churn.logit.tenure_calls_autopay.{name}", [fit.params[name], math.exp(fit.params[name])])


def strongest(fit, exclude=()):
    """Predictors ranked by |z| (dummies count under their column's name)."""
    z = fit.tvalues.drop("Intercept").abs()
    ranked = []
    for term in z.sort_values(ascending=False).index:
        column = term.split("(")[1].split(")")[0] if term.startswith("C(") else term
        if column not in ranked and column not in exclude:
            ranked.append(column)
    return ranked, z.sort_values(ascending=False)


# "What drives churn?": every plausible predictor, complete cases; the two clearest drivers.
fit = smf.logit(
    "churned ~ C(plan) + C(region) + monthly_fee + tenure_months + support_calls + autopay"
    " + satisfaction + retention_offer",
    data=churn01,
).fit(disp=0)
ranked, z = strongest(fit)
assert z.iloc[1] - z.iloc[2] > 1, z.head(4)  # the top two lead the rest clearly
for rank in (1, 2):
    name = ranked[rank - 1]
    put(f"churn.drivers.{rank}", spellings(name))
    # Its coefficient, as log-odds or odds ratio (questions allow 5 %: dropping a weak
    # predictor such as region or plan moves it by about 1 %).
    put(f"churn.drivers.{rank}.coef", [fit.params[name], math.exp(fit.params[name])])

# "What predicts basket value?": OLS on everything but the ids and the timestamp.
fit = ols("basket_value ~ new_checkout + C(device) + C(country) + returning + items_viewed", ab01)
ranked, z = strongest(fit)
assert z.iloc[1] - z.iloc[2] > 3, z.head(4)
for rank in (1, 2):
    name = ranked[rank - 1]
    put(f"ab.predictors.{rank}", spellings(name))
    put(f"ab.predictors.{rank}.coef", fit.params[name])  # questions allow 3 % (other covariate sets)

# --- Causal effects ------------------------------------------------------------------------------------
put("lalonde.treated", int(lalonde["treat"].sum()))
put("lalonde.control", int((lalonde["treat"] == 0).sum()))
put("ab.treated", int(ab["new_checkout"].sum()))
put("churn.offered", int(churn["retention_offer"].sum()))

y1 = lalonde.loc[lalonde["treat"] == 1, "re78"]
y0 = lalonde.loc[lalonde["treat"] == 0, "re78"]
put("lalonde.effect.difference_in_means", y1.mean() - y0.mean())

# Regression adjustment: the coefficient on treat, with the covariates the question names.
# "race" = black + hispan; "prior earnings" = re74 + re75.
put("lalonde.effect.ols.age_educ", ols("re78 ~ treat + age + educ", lalonde).params["treat"])
put(
    "lalonde.effect.ols.age_educ_race_prior",
    ols("re78 ~ treat + age + educ + black + hispan + re74 + re75", lalonde).params["treat"],
)
ALL = ["age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75"]
put("lalonde.effect.ols.all", ols("re78 ~ treat + " + " + ".join(ALL), lalonde).params["treat"])

# Propensity score: logistic regression of treat on the eight covariates.
X = sm.add_constant(lalonde[ALL])
t = lalonde["treat"].to_numpy() == 1
y = lalonde["re78"].to_numpy()
ps = sm.Logit(lalonde["treat"], X).fit(disp=0).predict(X).to_numpy()

# IPW: Hajek (normalised) ATE, Horvitz-Thompson ATE and the ATT (controls weighted e/(1-e)).
# They differ a lot here (poor overlap), and each is a legitimate "IPW estimate", so any of
# the three is accepted; each is computed exactly for this propensity model.
hajek = np.sum(t * y / ps) / np.sum(t / ps) - np.sum(~t * y / (1 - ps)) / np.sum(~t / (1 - ps))
horvitz_thompson = np.mean(t * y / ps) - np.mean(~t * y / (1 - ps))
odds = ps / (1 - ps)
att = y[t].mean() - np.sum(~t * y * odds) / np.sum(~t * odds)
put("lalonde.effect.ipw.all", [hajek, horvitz_thompson, att])

# Matching: 1:1 nearest neighbour on the propensity score, ATT. Two standard variants disagree
# a lot here, and both are accepted (within 10 %): with replacement (each treated unit takes its
# nearest control), and without replacement, greedy from the largest score down (MatchIt's default).
# A wide band around one of them would also catch the years (1974, 1975, 1978) and row counts.
ps_treated, ps_control = ps[t], ps[~t]
y_treated, y_control = y[t], y[~t]
nearest = np.abs(ps_treated[:, None] - ps_control[None, :]).argmin(axis=1)
with_replacement = np.mean(y_treated - y_control[nearest])
used = np.zeros(len(ps_control), dtype=bool)
differences = []
for i in np.argsort(-ps_treated, kind="stable"):
    distance = np.where(used, np.inf, np.abs(ps_treated[i] - ps_control))
    j = int(np.argmin(distance))
    used[j] = True
    differences.append(y_treated[i] - y_control[j])
without_replacement = np.mean(differences)
put("lalonde.effect.matching.all", [with_replacement, without_replacement])

# Churn: linear probability model, so the effect is in (percentage) points of churn.
put(
    "churn.effect.ols.tenure_calls_plan_satisfaction",
    ols("churned ~ retention_offer + tenure_months + support_calls + C(plan) + satisfaction", churn01).params[
        "retention_offer"
    ],
)
put(
    "churn.effect.ols.calls_tenure_autopay",
    ols("churned ~ retention_offer + support_calls + tenure_months + autopay", churn01).params["retention_offer"],
)

# A/B test: randomised, so the difference in means is the effect; adjusted versions as asked.
b1 = basket[ab["new_checkout"] == 1]
b0 = basket[ab["new_checkout"] == 0]
put("ab.effect.difference_in_means", b1.mean() - b0.mean())
put(
    "ab.effect.ols.device_returning",
    ols("basket_value ~ new_checkout + C(device) + returning", ab01).params["new_checkout"],
)
mobile_sessions = ab01[ab01["device"] == "mobile"]
adjusted = ols("basket_value ~ new_checkout + returning", mobile_sessions).params["new_checkout"]
raw = (
    mobile_sessions.loc[mobile_sessions["new_checkout"] == 1, "basket_value"].mean()
    - mobile_sessions.loc[mobile_sessions["new_checkout"] == 0, "basket_value"].mean()
)
put("ab.effect.mobile", [adjusted, raw])

# =====================================================================================================
# HELD-OUT SET (bench/eval/heldout.json)
#
# Facts for the held-out questions, every key under "heldout.". Each is computed here again from the
# CSVs, reusing nothing above but `put` and the DATA path (not the frames, not the helpers), so that
# the held-out set stands on its own. Where analysts legitimately differ (sample or population SD, percentile definitions, Welch or
# Student t, the IPW estimand, the covariates of "what drives"), every standard variant is listed as
# an acceptable alternative, each computed exactly.
# =====================================================================================================

ho_lalonde = pd.read_csv(DATA / "lalonde.csv")
ho_churn = pd.read_csv(DATA / "churn.csv")
ho_ab = pd.read_csv(DATA / "checkout_ab.csv")
H = "heldout"

QUANTILE_METHODS = ["linear", "lower", "higher", "nearest", "midpoint", "hazen", "weibull", "median_unbiased"]


def ho_quantile(series, q):
    """A percentile under every common definition (pandas' linear one first)."""
    values = series.dropna().to_numpy(dtype=float)
    found = []
    for method in QUANTILE_METHODS:
        v = float(np.quantile(values, q, method=method))
        if all(abs(v - f) > 1e-12 for f in found):
            found.append(v)
    return found


def ho_sd(series):
    """Sample SD (ddof=1) and population SD (ddof=0)."""
    s = series.dropna()
    return [s.std(ddof=1), s.std(ddof=0)]


def ho_mean_test(a, b):
    """Two-sample comparison of means: Welch's t, then Student's t."""
    a, b = a.dropna(), b.dropna()
    return [
        stats.ttest_ind(a, b, equal_var=False).pvalue,
        stats.ttest_ind(a, b, equal_var=True).pvalue,
    ]


def ho_table_test(table):
    """Chi-square of a contingency table, with and (for 2x2) without Yates' correction."""
    p = [stats.chi2_contingency(table, correction=True)[1]]
    if table.shape == (2, 2):
        p.append(stats.chi2_contingency(table, correction=False)[1])
    return p


def ho_welch_anova(groups):
    """Welch's one-way ANOVA p-value."""
    k = len(groups)
    n = np.array([len(g) for g in groups], dtype=float)
    m = np.array([g.mean() for g in groups])
    v = np.array([g.var(ddof=1) for g in groups])
    w = n / v
    grand = np.sum(w * m) / np.sum(w)
    a = np.sum(w * (m - grand) ** 2) / (k - 1)
    lam = np.sum((1 - w / np.sum(w)) ** 2 / (n - 1))
    f = a / (1 + 2 * (k - 2) / (k**2 - 1) * lam)
    df2 = (k**2 - 1) / (3 * lam)
    return stats.f.sf(f, k - 1, df2)


def ho_ols(formula, data):
    return smf.ols(formula, data=data).fit()


def ho_logit_both(fit, name):
    """A logistic coefficient as log-odds or as an odds ratio."""
    return [fit.params[name], math.exp(fit.params[name])]


ho_c = ho_churn.assign(churned01=ho_churn["churned"].astype(int), autopay01=ho_churn["autopay"].astype(int))

# --- Datasets --------------------------------------------------------------------------------------------
ho_files = sorted(p.name for p in DATA.glob("*.csv"))
for stem, file in [("lalonde", "lalonde.csv"), ("churn", "churn.csv"), ("ab", "checkout_ab.csv")]:
    assert file in ho_files
    put(f"{H}.datasets.{stem}", file)
put(f"{H}.datasets.count", len(ho_files))

# --- Size, columns, types --------------------------------------------------------------------------------
put(f"{H}.churn.rows", ho_churn.shape[0])
put(f"{H}.churn.cols", ho_churn.shape[1])
put(f"{H}.lalonde.rows", ho_lalonde.shape[0])
put(f"{H}.ab.rows", ho_ab.shape[0])
put(f"{H}.ab.cols", ho_ab.shape[1])
for column in ho_ab.columns:
    put(f"{H}.ab.column.{column}", column)
for column in ho_lalonde.columns:
    put(f"{H}.lalonde.column.{column}", column)
# signup_date is read as text by pandas, but every value is a date.
assert pd.to_datetime(ho_churn["signup_date"], format="%Y-%m-%d", errors="coerce").notna().all()
put(f"{H}.churn.type.signup_date", ["date", "datetime", "date/time", "date and time", "timestamp", "calendar date"])
assert pd.api.types.is_integer_dtype(ho_churn["tenure_months"])
put(
    f"{H}.churn.type.tenure_months",
    ["numeric", "number", "integer", "int", "int64", "whole number", "count", "numerical"],
)
assert pd.api.types.is_bool_dtype(ho_ab["returning"])
put(
    f"{H}.ab.type.returning",
    ["boolean", "bool", "binary", "true/false", "true or false", "yes/no", "yes or no", "flag", "logical"],
)

# --- Missing values ---------------------------------------------------------------------------------------
ho_missing = ho_churn.isna().sum()
for column in ["region", "satisfaction", "last_feedback"]:
    put(f"{H}.churn.missing.{column}", ho_missing[column])
put(f"{H}.churn.missing_share.last_feedback", ho_churn["last_feedback"].isna().mean())
HO_NOTHING_MISSING = [
    "no missing",
    "none missing",
    "nothing is missing",
    "nothing missing",
    "no values are missing",
    "no null",
    "no nulls",
    "no gaps",
    "no empty",
    "no blank",
    "0 missing",
    "zero missing",
    "missing: 0",
    "missing values: 0",
    "missing values: none",
    "missing: none",
    "complete",
    "has none",
    "there are none",
]
assert ho_ab.isna().to_numpy().sum() == 0
put(f"{H}.ab.missing.none", HO_NOTHING_MISSING)
assert ho_lalonde.isna().to_numpy().sum() == 0
put(f"{H}.lalonde.missing.none", HO_NOTHING_MISSING)

# --- Distinct values and top categories --------------------------------------------------------------------
for plan in sorted(ho_churn["plan"].dropna().unique()):
    put(f"{H}.churn.plan_value.{plan}", plan)
put(f"{H}.ab.country.distinct", len(set(ho_ab["country"])))
ho_regions = ho_churn["region"].value_counts()
assert ho_regions.iloc[-1] < ho_regions.iloc[-2]
put(f"{H}.churn.region.fewest.name", ho_regions.index[-1])
put(f"{H}.churn.region.fewest.count", ho_regions.iloc[-1])
ho_devices = ho_ab["device"].value_counts()
assert ho_devices.iloc[0] > ho_devices.iloc[1]
put(f"{H}.ab.device.top.name", ho_devices.index[0])
put(f"{H}.ab.device.top.count", ho_devices.iloc[0])
for country, n in ho_ab["country"].value_counts().items():
    put(f"{H}.ab.country.count.{country}", n)
put(f"{H}.lalonde.age.distinct", len(set(ho_lalonde["age"])))
ho_feedback = ho_churn["last_feedback"].dropna().value_counts()
assert ho_feedback.iloc[2] > ho_feedback.iloc[3], "the top three comments must be unambiguous"
for rank in (1, 2, 3):
    put(f"{H}.churn.feedback.top{rank}.text", ho_feedback.index[rank - 1])
assert ho_feedback.iloc[0] == ho_feedback.iloc[2]
put(f"{H}.churn.feedback.top.count", ho_feedback.iloc[0])
put(f"{H}.churn.support_calls.distinct", len(set(ho_churn["support_calls"])))

# --- Aggregates with groups and conditions ------------------------------------------------------------------
ho_tablet_returning = ho_ab[(ho_ab["device"] == "tablet") & (ho_ab["returning"] == True)]  # noqa: E712
put(f"{H}.ab.basket.sum_tablet_returning", ho_tablet_returning["basket_value"].sum())
put(f"{H}.churn.calls.mean_fee_lt20", ho_churn.loc[ho_churn["monthly_fee"] < 20, "support_calls"].mean())
put(f"{H}.ab.basket.median_items_ge10", ho_ab.loc[ho_ab["items_viewed"] >= 10, "basket_value"].median())
put(
    f"{H}.churn.count.calls_gt3_stayed",
    int(((ho_churn["support_calls"] > 3) & (ho_churn["churned"] == False)).sum()),  # noqa: E712
)
put(f"{H}.lalonde.educ.mean_age_ge30", ho_lalonde.loc[ho_lalonde["age"] >= 30, "educ"].mean())
put(f"{H}.lalonde.re78.sd_hispanic", ho_sd(ho_lalonde.loc[ho_lalonde["hispan"] == 1, "re78"]))
put(f"{H}.ab.count.items_zero", int((ho_ab["items_viewed"] == 0).sum()))
put(
    f"{H}.lalonde.re75.mean_married_nodegree",
    ho_lalonde.loc[(ho_lalonde["married"] == 1) & (ho_lalonde["nodegree"] == 1), "re75"].mean(),
)
put(
    f"{H}.churn.count.signup_2024",
    int((pd.to_datetime(ho_churn["signup_date"], format="%Y-%m-%d").dt.year == 2024).sum()),
)
put(f"{H}.churn.fee.mean_premium", ho_churn.loc[ho_churn["plan"] == "premium", "monthly_fee"].mean())

# Chain: tenure by region -> premium only -> median -> without the filter (rows without a region left out).
ho_premium = ho_churn[ho_churn["plan"] == "premium"]
for region in ["east", "north", "south", "west"]:
    in_region = ho_churn["region"] == region
    put(f"{H}.churn.tenure.mean_by_region.{region}", ho_churn.loc[in_region, "tenure_months"].mean())
    put(
        f"{H}.churn.tenure.mean_by_region_premium.{region}",
        ho_premium.loc[ho_premium["region"] == region, "tenure_months"].mean(),
    )
    put(
        f"{H}.churn.tenure.median_by_region_premium.{region}",
        ho_premium.loc[ho_premium["region"] == region, "tenure_months"].median(),
    )
    put(f"{H}.churn.tenure.median_by_region.{region}", ho_churn.loc[in_region, "tenure_months"].median())

# Chain: median basket on desktop -> on mobile -> mobile by checkout arm.
put(f"{H}.ab.basket.median_desktop", ho_ab.loc[ho_ab["device"] == "desktop", "basket_value"].median())
ho_mobile = ho_ab[ho_ab["device"] == "mobile"]
put(f"{H}.ab.basket.median_mobile", ho_mobile["basket_value"].median())
for arm in (0, 1):
    put(
        f"{H}.ab.basket.median_mobile_by_checkout.{arm}",
        ho_mobile.loc[ho_mobile["new_checkout"] == arm, "basket_value"].median(),
    )

# Chain: over forty -> how many of them in the programme -> their 1978 earnings.
ho_over40 = ho_lalonde[ho_lalonde["age"] > 40]
put(f"{H}.lalonde.count.age_gt40", len(ho_over40))
put(f"{H}.lalonde.count.age_gt40_treated", int((ho_over40["treat"] == 1).sum()))
put(f"{H}.lalonde.re78.mean_age_gt40_treated", ho_over40.loc[ho_over40["treat"] == 1, "re78"].mean())

# --- Rates and shares ------------------------------------------------------------------------------------------
put(f"{H}.ab.share.returning", (ho_ab["returning"] == True).sum() / len(ho_ab))  # noqa: E712
put(f"{H}.lalonde.share.black", (ho_lalonde["black"] == 1).sum() / len(ho_lalonde))
put(f"{H}.churn.share.autopay", (ho_churn["autopay"] == True).sum() / len(ho_churn))  # noqa: E712
for region, group in ho_churn.dropna(subset=["region"]).groupby("region"):
    put(f"{H}.churn.churn_rate_by_region.{region}", group["churned"].sum() / len(group))
put(f"{H}.ab.share.new_checkout", (ho_ab["new_checkout"] == 1).sum() / len(ho_ab))
ho_controls = ho_lalonde[ho_lalonde["treat"] == 0]
put(f"{H}.lalonde.share.nodegree_control", (ho_controls["nodegree"] == 1).sum() / len(ho_controls))
ho_low_sat = ho_churn[ho_churn["satisfaction"] < 5]
put(f"{H}.churn.churn_rate.satisfaction_lt5", ho_low_sat["churned"].sum() / len(ho_low_sat))
put(f"{H}.churn.retention_rate", 1 - ho_churn["churned"].sum() / len(ho_churn))

# Chain: churn rate with more than three calls -> in the south -> by plan.
ho_calls = ho_churn[ho_churn["support_calls"] > 3]
put(f"{H}.churn.churn_rate.calls_gt3", ho_calls["churned"].mean())
ho_calls_south = ho_calls[ho_calls["region"] == "south"]
put(f"{H}.churn.churn_rate.calls_gt3_south", ho_calls_south["churned"].mean())
for plan, group in ho_calls_south.groupby("plan"):
    put(f"{H}.churn.churn_rate.calls_gt3_south_by_plan.{plan}", group["churned"].mean())

# Chain: share married -> among the treated -> among the controls.
put(f"{H}.lalonde.share.married", ho_lalonde["married"].mean())
put(f"{H}.lalonde.share.married_treated", ho_lalonde.loc[ho_lalonde["treat"] == 1, "married"].mean())
put(f"{H}.lalonde.share.married_control", ho_controls["married"].mean())

# --- Correlations (Pearson, pairwise complete) -------------------------------------------------------------
put(f"{H}.churn.corr.fee_satisfaction", ho_churn["monthly_fee"].corr(ho_churn["satisfaction"]))
put(f"{H}.lalonde.corr.educ_re78", np.corrcoef(ho_lalonde["educ"], ho_lalonde["re78"])[0, 1])
ho_churn_numeric = ho_churn.select_dtypes(include=["number", "bool"]).astype(float)
ho_r = ho_churn_numeric.corr()["support_calls"].drop("support_calls").abs().sort_values(ascending=False)
assert ho_r.iloc[0] - ho_r.iloc[1] > 0.05, ho_r
put(f"{H}.churn.most_corr.support_calls.name", [ho_r.index[0], ho_r.index[0].replace("_", " ")])
put(f"{H}.churn.most_corr.support_calls.r", ho_churn_numeric["support_calls"].corr(ho_churn_numeric[ho_r.index[0]]))
put(f"{H}.ab.corr.items_basket_mobile", ho_mobile["items_viewed"].corr(ho_mobile["basket_value"]))
put(f"{H}.churn.corr.calls_churned", ho_churn["support_calls"].corr(ho_churn["churned"].astype(float)))
ho_lr = ho_lalonde[["age", "educ", "re74", "re75", "re78"]].corr()
put(f"{H}.lalonde.corr.age_re78", ho_lr.loc["age", "re78"])
put(f"{H}.lalonde.corr.re75_re78", ho_lr.loc["re75", "re78"])
put(f"{H}.lalonde.corr.educ_re74", ho_lr.loc["educ", "re74"])
ho_lr_all = ho_lalonde.corr()["educ"].drop("educ").abs().sort_values(ascending=False)
assert ho_lr_all.iloc[0] - ho_lr_all.iloc[1] > 0.05, ho_lr_all
put(f"{H}.lalonde.most_corr.educ.name", ho_lr_all.index[0])
put(f"{H}.lalonde.most_corr.educ.r", ho_lalonde["educ"].corr(ho_lalonde[ho_lr_all.index[0]]))

# Chain: tenure vs calls -> basic plan only -> satisfaction vs calls on the basic plan.
put(f"{H}.churn.corr.tenure_calls", ho_churn["tenure_months"].corr(ho_churn["support_calls"]))
ho_basic = ho_churn[ho_churn["plan"] == "basic"]
put(f"{H}.churn.corr.tenure_calls_basic", ho_basic["tenure_months"].corr(ho_basic["support_calls"]))
put(f"{H}.churn.corr.satisfaction_calls_basic", ho_basic["satisfaction"].corr(ho_basic["support_calls"]))

# --- Distributions ------------------------------------------------------------------------------------------------
put(f"{H}.churn.fee.median", ho_churn["monthly_fee"].median())
put(f"{H}.churn.fee.max", ho_churn["monthly_fee"].max())
put(f"{H}.ab.basket.q90", ho_quantile(ho_ab["basket_value"], 0.90))
put(f"{H}.lalonde.re75.q25", ho_quantile(ho_lalonde["re75"], 0.25))
put(f"{H}.lalonde.re75.median", ho_lalonde["re75"].median())
put(f"{H}.lalonde.re75.q75", ho_quantile(ho_lalonde["re75"], 0.75))
put(f"{H}.churn.satisfaction.sd", ho_sd(ho_churn["satisfaction"]))
ho_iqr = [
    float(np.quantile(ho_churn["satisfaction"].dropna(), 0.75, method=m))
    - float(np.quantile(ho_churn["satisfaction"].dropna(), 0.25, method=m))
    for m in QUANTILE_METHODS
]
put(f"{H}.churn.satisfaction.iqr", sorted(set(round(v, 10) for v in ho_iqr)))
for pct in (10, 50, 90):
    put(f"{H}.churn.tenure.q{pct}", ho_quantile(ho_churn["tenure_months"], pct / 100))
put(f"{H}.lalonde.age.median", ho_lalonde["age"].median())
put(f"{H}.lalonde.age.min", ho_lalonde["age"].min())
put(f"{H}.lalonde.age.max", ho_lalonde["age"].max())
put(f"{H}.ab.items.mean", ho_ab["items_viewed"].mean())
put(f"{H}.ab.items.sd", ho_sd(ho_ab["items_viewed"]))
put(f"{H}.ab.items.median", ho_ab["items_viewed"].median())
put(f"{H}.ab.items.max", ho_ab["items_viewed"].max())
put(f"{H}.lalonde.re78.q95", ho_quantile(ho_lalonde["re78"], 0.95))
for calls, n in ho_churn["support_calls"].value_counts().sort_index().items():
    put(f"{H}.churn.support_calls.count.{calls}", n)

# --- Group comparisons ------------------------------------------------------------------------------------------
for flag, value in ho_churn.groupby("autopay")["satisfaction"].mean().items():
    put(f"{H}.churn.satisfaction.mean_by_autopay.{str(flag).lower()}", value)
put(
    f"{H}.churn.test.satisfaction_autopay.p",
    ho_mean_test(ho_churn.loc[ho_churn["autopay"], "satisfaction"], ho_churn.loc[~ho_churn["autopay"], "satisfaction"]),
)
for flag, value in ho_churn.groupby("churned")["support_calls"].mean().items():
    put(f"{H}.churn.calls.mean_by_churned.{str(flag).lower()}", value)
put(
    f"{H}.churn.test.calls_churned.p",
    ho_mean_test(ho_churn.loc[ho_churn["churned"], "support_calls"], ho_churn.loc[~ho_churn["churned"], "support_calls"]),
)
for flag, value in ho_lalonde.groupby("married")["re78"].mean().items():
    put(f"{H}.lalonde.re78.mean_by_married.{flag}", value)
put(
    f"{H}.lalonde.test.re78_married.p",
    ho_mean_test(ho_lalonde.loc[ho_lalonde["married"] == 1, "re78"], ho_lalonde.loc[ho_lalonde["married"] == 0, "re78"]),
)
ho_desktop = (ho_ab["device"] == "desktop").astype(int)
for flag, value in ho_desktop.groupby(ho_ab["returning"]).mean().items():
    put(f"{H}.ab.share.desktop_by_returning.{str(flag).lower()}", value)
ho_device_p = ho_table_test(pd.crosstab(ho_ab["returning"], ho_desktop))
ho_device_p.append(stats.chi2_contingency(pd.crosstab(ho_ab["returning"], ho_ab["device"]))[1])
put(f"{H}.ab.test.desktop_returning.p", ho_device_p)
for country in ["DE", "PL"]:
    put(f"{H}.ab.basket.mean_country.{country}", ho_ab.loc[ho_ab["country"] == country, "basket_value"].mean())
ho_country_groups = [g["basket_value"].to_numpy() for _, g in ho_ab.groupby("country")]
put(
    f"{H}.ab.test.basket_country.p",
    [
        stats.f_oneway(*ho_country_groups).pvalue,
        ho_welch_anova(ho_country_groups),
        stats.kruskal(*ho_country_groups).pvalue,
    ],
)
for arm, value in ho_lalonde.groupby("treat")["educ"].mean().items():
    put(f"{H}.lalonde.educ.mean_by_treat.{arm}", value)
put(
    f"{H}.lalonde.test.educ_treat.p",
    ho_mean_test(ho_lalonde.loc[ho_lalonde["treat"] == 1, "educ"], ho_lalonde.loc[ho_lalonde["treat"] == 0, "educ"]),
)


# Chain: basket by checkout arm -> returning visitors only -> new visitors only.
def ho_checkout_compare(frame, suffix):
    new = frame.loc[frame["new_checkout"] == 1, "basket_value"]
    old = frame.loc[frame["new_checkout"] == 0, "basket_value"]
    put(f"{H}.ab.basket.mean_new_checkout.{suffix}", new.mean())
    put(f"{H}.ab.basket.mean_old_checkout.{suffix}", old.mean())
    put(f"{H}.ab.basket.diff_checkout.{suffix}", new.mean() - old.mean())
    put(f"{H}.ab.test.checkout.{suffix}.p", ho_mean_test(new, old))


ho_checkout_compare(ho_ab, "all")
ho_checkout_compare(ho_ab[ho_ab["returning"] == True], "returning")  # noqa: E712
ho_checkout_compare(ho_ab[ho_ab["returning"] == False], "new")  # noqa: E712

# Chain: satisfaction of those who cancelled -> of those who stayed.
put(f"{H}.churn.satisfaction.mean_churned", ho_churn.loc[ho_churn["churned"] == True, "satisfaction"].mean())  # noqa: E712
put(f"{H}.churn.satisfaction.mean_stayed", ho_churn.loc[ho_churn["churned"] == False, "satisfaction"].mean())  # noqa: E712

# --- Regressions ---------------------------------------------------------------------------------------------------
# "What drives satisfaction?": OLS on every other plausible column, complete cases, with or without
# churned (an outcome itself); the clear leader is named, its coefficient from either model.
ho_sat_models = [
    ho_ols(
        "satisfaction ~ C(plan) + C(region) + monthly_fee + tenure_months + support_calls + autopay01 + retention_offer",
        ho_c,
    ),
    ho_ols(
        "satisfaction ~ C(plan) + C(region) + monthly_fee + tenure_months + support_calls + autopay01"
        " + retention_offer + churned01",
        ho_c,
    ),
]
for fit in ho_sat_models:
    ho_t = fit.tvalues.drop("Intercept").abs().sort_values(ascending=False)
    assert ho_t.index[0] == "support_calls" and ho_t.iloc[0] - ho_t.iloc[1] > 2, ho_t
put(f"{H}.churn.drivers_satisfaction.1", ["support_calls", "support calls"])
put(f"{H}.churn.drivers_satisfaction.1.coef", [fit.params["support_calls"] for fit in ho_sat_models])

fit = ho_ols("re78 ~ age + educ + married", ho_lalonde)
for name in ["age", "educ", "married"]:
    put(f"{H}.lalonde.ols.re78_age_educ_married.{name}", fit.params[name])
fit = ho_ols("basket_value ~ items_viewed", ho_ab)
put(f"{H}.ab.ols.basket_items.slope", fit.params["items_viewed"])
put(f"{H}.ab.ols.basket_items.intercept", fit.params["Intercept"])
fit = smf.logit("churned01 ~ monthly_fee + satisfaction", data=ho_c).fit(disp=0)
for name in ["monthly_fee", "satisfaction"]:
    put(f"{H}.churn.logit.fee_satisfaction.{name}", ho_logit_both(fit, name))
fit = ho_ols("satisfaction ~ support_calls + C(plan) + tenure_months", ho_c)
put(f"{H}.churn.ols.satisfaction_calls_plan_tenure.support_calls", fit.params["support_calls"])

# "What predicts a retention offer?": logistic on every other plausible column, with or without
# churned; support_calls and satisfaction lead the rest clearly in both.
ho_offer_models = [
    smf.logit(
        "retention_offer ~ C(plan) + C(region) + monthly_fee + tenure_months + support_calls + autopay01 + satisfaction",
        data=ho_c,
    ).fit(disp=0),
    smf.logit(
        "retention_offer ~ C(plan) + C(region) + monthly_fee + tenure_months + support_calls + autopay01"
        " + satisfaction + churned01",
        data=ho_c,
    ).fit(disp=0),
]
for fit in ho_offer_models:
    ho_t = fit.tvalues.drop("Intercept").abs().sort_values(ascending=False)
    assert set(ho_t.index[:2]) == {"support_calls", "satisfaction"} and ho_t.iloc[1] - ho_t.iloc[2] > 3, ho_t
for name in ["support_calls", "satisfaction"]:
    put(f"{H}.churn.offer_predictors.{name}", [name, name.replace("_", " ")])
    put(f"{H}.churn.offer_predictors.{name}.coef", [v for fit in ho_offer_models for v in ho_logit_both(fit, name)])
fit = ho_ols("re75 ~ re74", ho_lalonde)
put(f"{H}.lalonde.ols.re75_re74.slope", fit.params["re74"])

# Chain: logit churn on tenure + autopay -> add support calls -> standard plan only.
fit = smf.logit("churned01 ~ tenure_months + autopay01", data=ho_c).fit(disp=0)
put(f"{H}.churn.logit.tenure_autopay.tenure_months", ho_logit_both(fit, "tenure_months"))
put(f"{H}.churn.logit.tenure_autopay.autopay", ho_logit_both(fit, "autopay01"))
fit = smf.logit("churned01 ~ tenure_months + autopay01 + support_calls", data=ho_c).fit(disp=0)
put(f"{H}.churn.logit.tenure_autopay_calls.tenure_months", ho_logit_both(fit, "tenure_months"))
put(f"{H}.churn.logit.tenure_autopay_calls.support_calls", ho_logit_both(fit, "support_calls"))
fit = smf.logit("churned01 ~ tenure_months + autopay01 + support_calls", data=ho_c[ho_c["plan"] == "standard"]).fit(disp=0)
put(f"{H}.churn.logit.tenure_autopay_calls_standard.tenure_months", ho_logit_both(fit, "tenure_months"))
put(f"{H}.churn.logit.tenure_autopay_calls_standard.support_calls", ho_logit_both(fit, "support_calls"))

# --- Causal effects and the treated --------------------------------------------------------------------------------
put(f"{H}.lalonde.treated", int((ho_lalonde["treat"] == 1).sum()))
put(f"{H}.churn.offered", int((ho_churn["retention_offer"] == 1).sum()))
put(f"{H}.churn.not_offered", int((ho_churn["retention_offer"] == 0).sum()))
put(f"{H}.ab.treated", int((ho_ab["new_checkout"] == 1).sum()))

put(f"{H}.ab.effect.ols.country", ho_ols("basket_value ~ new_checkout + C(country)", ho_ab).params["new_checkout"])

# The offer's effect on churn, adjusted for plan, tenure and autopay: linear probability model, or the
# average marginal effect of a logistic model (both in points of churn).
ho_lpm = ho_ols("churned01 ~ retention_offer + C(plan) + tenure_months + autopay01", ho_c).params["retention_offer"]
ho_logit_fit = smf.logit("churned01 ~ retention_offer + C(plan) + tenure_months + autopay01", data=ho_c).fit(disp=0)
ho_ame = ho_logit_fit.get_margeff(at="overall").summary_frame().loc["retention_offer", "dy/dx"]
put(f"{H}.churn.effect.plan_tenure_autopay", [ho_lpm, ho_ame])

ho_y = ho_lalonde["re78"].to_numpy()
ho_t1 = ho_lalonde["treat"].to_numpy() == 1
put(f"{H}.lalonde.effect.difference_in_means", ho_y[ho_t1].mean() - ho_y[~ho_t1].mean())


def ho_propensity(frame, treatment, covariates):
    design = sm.add_constant(frame[covariates].astype(float))
    return sm.Logit(frame[treatment].astype(float), design).fit(disp=0).predict(design).to_numpy()


def ho_ipw(y, t, e):
    """Hajek ATE, Horvitz-Thompson ATE, ATT (controls weighted by the odds)."""
    hajek = np.sum(t * y / e) / np.sum(t / e) - np.sum((1 - t) * y / (1 - e)) / np.sum((1 - t) / (1 - e))
    ht = np.mean(t * y / e) - np.mean((1 - t) * y / (1 - e))
    odds = e / (1 - e)
    att = y[t == 1].mean() - np.sum((1 - t) * y * odds) / np.sum((1 - t) * odds)
    return [hajek, ht, att]


def ho_matching(y, t, e):
    """1:1 nearest-neighbour on the score, ATT: with replacement, and greedy without (largest score first)."""
    et, ec, yt, yc = e[t == 1], e[t == 0], y[t == 1], y[t == 0]
    with_replacement = np.mean(yt - yc[np.abs(et[:, None] - ec[None, :]).argmin(axis=1)])
    taken = np.zeros(len(ec), dtype=bool)
    gaps = []
    for i in np.argsort(-et, kind="stable"):
        j = int(np.argmin(np.where(taken, np.inf, np.abs(et[i] - ec))))
        taken[j] = True
        gaps.append(yt[i] - yc[j])
    return [with_replacement, float(np.mean(gaps))]


ho_tl = ho_t1.astype(float)
put(
    f"{H}.lalonde.effect.ipw.age_educ_re74_re75",
    ho_ipw(ho_y, ho_tl, ho_propensity(ho_lalonde, "treat", ["age", "educ", "re74", "re75"])),
)
put(
    f"{H}.lalonde.effect.matching.demographics",
    ho_matching(ho_y, ho_tl, ho_propensity(ho_lalonde, "treat", ["age", "educ", "black", "hispan", "married", "nodegree"])),
)

# ATT of the offer on churn by IPW, propensity from plan, tenure, support calls and autopay.
ho_offer_design = pd.get_dummies(ho_c[["plan"]], drop_first=True).assign(
    tenure_months=ho_c["tenure_months"], support_calls=ho_c["support_calls"], autopay01=ho_c["autopay01"]
)
ho_offer_design = sm.add_constant(ho_offer_design.astype(float))
ho_e = sm.Logit(ho_c["retention_offer"].astype(float), ho_offer_design).fit(disp=0).predict(ho_offer_design).to_numpy()
put(
    f"{H}.churn.effect.ipw_att.plan_tenure_calls_autopay",
    ho_ipw(ho_c["churned01"].to_numpy(dtype=float), ho_c["retention_offer"].to_numpy(dtype=float), ho_e)[2],
)

ho_mobile_returning = ho_ab[(ho_ab["device"] == "mobile") & (ho_ab["returning"] == True)]  # noqa: E712
put(
    f"{H}.ab.effect.mobile_returning",
    ho_mobile_returning.loc[ho_mobile_returning["new_checkout"] == 1, "basket_value"].mean()
    - ho_mobile_returning.loc[ho_mobile_returning["new_checkout"] == 0, "basket_value"].mean(),
)

# Chain: regression adjustment for age and education -> weighting with them -> weighting with all eight.
put(f"{H}.lalonde.effect.ols.age_educ", ho_ols("re78 ~ treat + age + educ", ho_lalonde).params["treat"])
put(f"{H}.lalonde.effect.ipw.age_educ", ho_ipw(ho_y, ho_tl, ho_propensity(ho_lalonde, "treat", ["age", "educ"])))
HO_ALL = ["age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75"]
put(f"{H}.lalonde.effect.ipw.all", ho_ipw(ho_y, ho_tl, ho_propensity(ho_lalonde, "treat", HO_ALL)))

# --- Traps with a clear answer, or an answer that must cover every reading -----------------------------------------
# "average earnings" in the job-training data: one mean per year.
for year in ("re74", "re75", "re78"):
    put(f"{H}.lalonde.{year}.mean", ho_lalonde[year].mean())
# "how many customers left": churned, or still there.
put(f"{H}.churn.count.churned", int((ho_churn["churned"] == True).sum()))  # noqa: E712
put(f"{H}.churn.count.stayed", int((ho_churn["churned"] == False).sum()))  # noqa: E712
# "how many got the treatment?" in no dataset in particular: one count per dataset's treatment.
# (heldout.lalonde.treated, heldout.churn.offered and heldout.ab.treated above.)


# --- Write ---------------------------------------------------------------------------------------------
out = HERE / "truth.json"
out.write_text(json.dumps(dict(sorted(truth.items())), indent=2) + "\n")
print(f"wrote {len(truth)} facts to {out.relative_to(HERE.parent.parent)}", file=sys.stderr)

"""Reference values for compare_groups and fit_regression, from SciPy and statsmodels.

Run with Debian's Python (pandas 1.5.3, scipy 1.10.1, statsmodels 0.13.5):

    /usr/bin/python3 packages/analysis/test/reference/compare_and_regression.py

It reads the committed sample CSVs and a few small tables written here, and writes
compare_and_regression.json beside itself; the tests read that file and never run Python.
Each case holds the request as the engine takes it, the CSV's content for the small tables, and
the expected numbers. Levels, their order, the positive value and the reference level follow the
engines' documented rules, restated here in pandas.
"""

import json
import math
import os

import numpy as np
import pandas as pd
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import stats
from statsmodels.formula.api import ols as formula_ols
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.oneway import anova_oneway
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
)
from statsmodels.stats.sandwich_covariance import cov_white_simple
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW
from statsmodels.stats.weightstats import ttest_ind as welch_ttest

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.path.join(HERE, "..", "..", "datasets")

# ---------------------------------------------------------------- small tables

rng = np.random.default_rng(20261206)


def table_csv(columns, rows):
    def cell(v):
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)

    return "\n".join([",".join(columns)] + [",".join(cell(v) for v in row) for row in rows]) + "\n"


# Two groups far apart: t near 40, so the p-values live around 1e-70 and test the tails.
far = table_csv(
    ["arm", "score"],
    [["a", round(float(x), 3)] for x in rng.normal(10, 1, 60)]
    + [["b", round(float(x), 3)] for x in rng.normal(17, 1.2, 70)]
    + [["c", round(float(x), 3)] for x in rng.normal(24, 1.1, 50)],
)

# Small integer scores with many ties in four groups, one of which has a single row.
ties_rows = []
for group, centre, size in [("g1", 2, 9), ("g2", 3, 12), ("g3", 3, 7)]:
    ties_rows += [[group, int(v)] for v in np.clip(np.round(rng.normal(centre, 1.2, size)), 0, 6)]
ties_rows.append(["g4", 5])
ties_rows.append([None, 4])
ties_rows.append(["g2", None])
ties = table_csv(["team", "rating"], ties_rows)

# A two-valued text outcome in two small groups: expected counts below 5. (DuckDB reads a
# column of only yes and no as true/false, so the other answer here is "unsure".)
yes_unsure = table_csv(
    ["site", "reply"],
    [["north", "yes"]] * 3 + [["north", "unsure"]] * 9 + [["south", "yes"]] * 8 + [["south", "unsure"]] * 4,
)

# A categorical predictor whose two most common levels tie (reference: the first alphabetically),
# a yes/no outcome for logistic regression and a numeric one for OLS.
tie_rows = []
levels = ["beta"] * 14 + ["alpha"] * 14 + ["gamma"] * 9
for i, level in enumerate(levels):
    x = round(float(rng.normal(0, 1)), 4)
    shift = {"alpha": 0.0, "beta": 0.8, "gamma": -0.6}[level]
    p = 1 / (1 + math.exp(-(0.2 + shift + 0.9 * x)))
    answer = "yes" if rng.random() < p else "unsure"
    spend = round(20 + 3 * shift + 2.5 * x + float(rng.normal(0, 1.5)), 3)
    tie_rows.append([level, x, answer, spend])
tied = table_csv(["tier", "x", "answer", "spend"], tie_rows)

SMALL = {"far.csv": far, "ties.csv": ties, "yes_unsure.csv": yes_unsure, "tied.csv": tied}

# ---------------------------------------------------------------- reading as the engine does


def read(file):
    if file in SMALL:
        from io import StringIO

        return pd.read_csv(StringIO(SMALL[file]))
    return pd.read_csv(os.path.join(DATASETS, file))


def text(v):
    """A value as the engine writes it: true/false, 3 for a whole number, 2.5, the text itself."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    return str(v)


def is_numeric(series):
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def apply_filters(df, filters):
    for f in filters or []:
        col, op, value = df[f["column"]], f["op"], f.get("value")
        if op == "=":
            keep = col == value
        elif op == "in":
            keep = col.isin(value)
        elif op == ">=":
            keep = col >= value
        elif op == "between":
            keep = (col >= value[0]) & (col <= value[1])
        else:
            raise ValueError(op)
        df = df[keep.fillna(False)]
    return df


def order_levels(values, numeric, boolean):
    if numeric:
        ordered = sorted(values, key=float)
        return ordered[::-1] if ordered == ["0", "1"] else ordered
    ordered = sorted(values)
    return ordered[::-1] if boolean else ordered


def positive_of(values, numeric):
    values = sorted(values, key=float) if numeric else sorted(values)
    marked = [v for v in values if v.lower() in ("true", "1", "yes", "y")]
    return marked[0] if not numeric and len(marked) == 1 else values[1]


# ---------------------------------------------------------------- compare_groups


def compare(file, args):
    df = apply_filters(read(file), args.get("filters"))
    g, y = df[args["group"]], df[args["outcome"]]
    numeric_group = is_numeric(g)
    boolean_group = pd.api.types.is_bool_dtype(g) or set(g.dropna().map(text)) <= {"true", "false"}
    present = df[g.notna()]
    levels = args.get("groups") or order_levels(
        sorted(set(present[args["group"]].map(text))), numeric_group, boolean_group
    )
    rows = {lv: present[present[args["group"]].map(text) == lv] for lv in levels}
    dropped = sum(int(r[args["outcome"]].isna().sum()) for r in rows.values())
    if not args.get("groups"):
        dropped += int(g.isna().sum())
    values = {lv: r[args["outcome"]].dropna() for lv, r in rows.items()}
    usable = [lv for lv in levels if len(values[lv]) >= 2]
    out = {"dropped": dropped, "n": int(sum(len(values[lv]) for lv in usable))}

    distinct = sorted(set(pd.concat([values[lv] for lv in usable]).map(text)))
    numeric = is_numeric(y) and len(distinct) > 2
    if numeric:
        samples = [values[lv].to_numpy(float) for lv in usable]
        out["kind"] = "numeric"
        out["groups"] = [
            {"level": lv, "n": len(s), "mean": s.mean(), "std": s.std(ddof=1), "median": float(np.median(s))}
            for lv, s in zip(usable, samples)
        ] + [{"level": lv, "n": len(values[lv])} for lv in levels if lv not in usable]
        tests = []
        if len(samples) == 2:
            a, b = samples
            t, p, df_w = welch_ttest(a, b, usevar="unequal")
            lo, hi = CompareMeans(DescrStatsW(a), DescrStatsW(b)).tconfint_diff(usevar="unequal")
            pooled = math.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2))
            tests.append(
                {
                    "test": "welch_t",
                    "statistic": t,
                    "df": df_w,
                    "pValue": p,
                    "difference": {"estimate": a.mean() - b.mean(), "ci": [lo, hi]},
                    "effectSize": {"name": "cohens_d", "value": (a.mean() - b.mean()) / pooled},
                }
            )
            u = stats.mannwhitneyu(a, b, use_continuity=True, alternative="two-sided", method="asymptotic")
            tests.append(
                {
                    "test": "mann_whitney",
                    "statistic": u.statistic,
                    "pValue": u.pvalue,
                    # 2U₁/(n₁n₂) − 1: positive when the first group's values tend to be larger.
                    "effectSize": {"name": "rank_biserial", "value": 2 * u.statistic / (len(a) * len(b)) - 1},
                }
            )
        else:
            w = anova_oneway(samples, use_var="unequal", welch_correction=True)
            frame = pd.DataFrame(
                {"y": np.concatenate(samples), "g": np.repeat(np.arange(len(samples)), [len(s) for s in samples])}
            )
            table = anova_lm(formula_ols("y ~ C(g)", frame).fit())
            ssb, ssw = table.loc["C(g)", "sum_sq"], table.loc["Residual", "sum_sq"]
            msw = table.loc["Residual", "mean_sq"]
            omega = (ssb - (len(samples) - 1) * msw) / (ssb + ssw + msw)
            tests.append(
                {
                    "test": "welch_anova",
                    "statistic": w.statistic,
                    "df": w.df[0],
                    "df2": w.df[1],
                    "pValue": w.pvalue,
                    "effectSize": {"name": "omega_squared", "value": omega},
                }
            )
            h = stats.kruskal(*samples)
            n = sum(len(s) for s in samples)
            tests.append(
                {
                    "test": "kruskal_wallis",
                    "statistic": h.statistic,
                    "df": len(samples) - 1,
                    "pValue": h.pvalue,
                    "effectSize": {"name": "epsilon_squared", "value": h.statistic / (n - 1)},
                }
            )
        out["tests"] = tests
        return out

    binary = len(distinct) == 2
    numeric_outcome = is_numeric(y)
    outcome_values = sorted(distinct, key=float) if numeric_outcome else sorted(distinct)
    table = np.array([[int((values[lv].map(text) == v).sum()) for v in outcome_values] for lv in usable])
    out["kind"] = "binary" if binary else "categorical"
    groups = []
    for lv, row in zip(usable, table):
        entry = {"level": lv, "n": int(row.sum()), "counts": dict(zip(outcome_values, map(int, row)))}
        if binary:
            positive = positive_of(distinct, numeric_outcome)
            entry["rate"] = row[outcome_values.index(positive)] / row.sum()
        groups.append(entry)
    out["groups"] = groups + [{"level": lv, "n": len(values[lv])} for lv in levels if lv not in usable]
    chi2, p, dof, expected = stats.chi2_contingency(table, correction=False)
    chi = {
        "test": "chi_square",
        "statistic": chi2,
        "df": dof,
        "pValue": p,
        "effectSize": {"name": "cramers_v", "value": stats.contingency.association(table, method="cramer")},
        "smallExpected": int((expected < 5).sum()),
    }
    tests = [chi]
    if binary:
        positive = positive_of(distinct, numeric_outcome)
        out["positive"] = positive
        if len(usable) == 2:
            at = outcome_values.index(positive)
            (x1, x2), (n1, n2) = table[:, at], table.sum(axis=1)
            z, pz = proportions_ztest([x1, x2], [n1, n2])
            lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="wald", compare="diff")
            tests.insert(
                0,
                {
                    "test": "two_proportion_z",
                    "statistic": z,
                    "pValue": pz,
                    "difference": {"estimate": x1 / n1 - x2 / n2, "ci": [lo, hi]},
                    "effectSize": {"name": "cohens_h", "value": proportion_effectsize(x1 / n1, x2 / n2)},
                },
            )
    out["tests"] = tests
    return out


# ---------------------------------------------------------------- fit_regression


def design(df, predictors):
    """The engine's design: numbers and booleans as they are, text as indicators against the most common level."""
    columns, names, references = [np.ones(len(df))], ["(intercept)"], []
    for name in predictors:
        col = df[name]
        if pd.api.types.is_bool_dtype(col) or col.dtype == object and set(col.map(text)) <= {"true", "false"}:
            if col.dtype == object and not pd.api.types.is_bool_dtype(col):
                col = col.map(lambda v: v is True or v == "true")
            columns.append(col.astype(float).to_numpy())
            names.append(name)
        elif is_numeric(col):
            columns.append(col.astype(float).to_numpy())
            names.append(name)
        else:
            counts = col.value_counts()
            ordered = sorted(counts.index, key=lambda level: (-counts[level], level))
            references.append({"predictor": name, "level": ordered[0]})
            for level in ordered[1:]:
                columns.append((col == level).astype(float).to_numpy())
                names.append(f"{name}={level}")
    return np.column_stack(columns), names, references


def regression(file, args):
    df = apply_filters(read(file), args.get("filters"))
    filtered = len(df)
    used = [args["outcome"]] + args["predictors"]
    df = df.dropna(subset=used)
    X, names, references = design(df, args["predictors"])
    y = df[args["outcome"]]
    out = {"n": len(df), "dropped": filtered - len(df), "references": references, "terms": names}
    if args["model"] == "ols":
        fit = sm.OLS(y.astype(float).to_numpy(), X).fit(cov_type="HC1", use_t=True)
        ci = fit.conf_int()
        out["df"] = fit.df_resid
        out["coefficients"] = [
            {
                "term": names[j],
                "estimate": fit.params[j],
                "se": fit.bse[j],
                "statistic": fit.tvalues[j],
                "pValue": fit.pvalues[j],
                "ci": [ci[j, 0], ci[j, 1]],
            }
            for j in range(len(names))
        ]
        out["fit"] = {
            "r2": fit.rsquared,
            "adjustedR2": fit.rsquared_adj,
            "residualSe": math.sqrt(fit.scale),
            "logLikelihood": fit.llf,
            "aic": fit.aic,
        }
        return out

    values = sorted(set(y.map(text)), key=float if is_numeric(y) else None)
    positive = positive_of(values, is_numeric(y))
    out["positive"] = positive
    target = (y.map(text) == positive).astype(float).to_numpy()
    fit = sm.Logit(target, X).fit(method="newton", tol=1e-14, maxiter=200, disp=0, cov_type="HC1")
    # statsmodels' HC1 for Logit is the uncorrected sandwich (HC0); true HC1 multiplies by n/(n − k).
    hc0 = cov_white_simple(fit, use_correction=False)
    hc1 = cov_white_simple(fit, use_correction=True)
    assert np.allclose(fit.cov_params(), hc0, rtol=1e-12, atol=0), "statsmodels' Logit HC1 is HC0"
    se = np.sqrt(np.diag(hc1))
    z = fit.params / se
    crit = stats.norm.ppf(0.975)
    out["statsmodelsHc1Se"] = list(fit.bse)
    out["coefficients"] = [
        {
            "term": names[j],
            "estimate": fit.params[j],
            "se": se[j],
            "statistic": z[j],
            "pValue": 2 * stats.norm.sf(abs(z[j])),
            "ci": [fit.params[j] - crit * se[j], fit.params[j] + crit * se[j]],
            "oddsRatio": math.exp(fit.params[j]),
            "oddsRatioCi": [math.exp(fit.params[j] - crit * se[j]), math.exp(fit.params[j] + crit * se[j])],
        }
        for j in range(len(names))
    ]
    # statsmodels fits the null model numerically (llnull is 7e-11 off on churn); its closed form is exact.
    share = target.mean()
    llnull = len(target) * (share * math.log(share) + (1 - share) * math.log(1 - share))
    assert abs(fit.llnull / llnull - 1) < 1e-9
    out["fit"] = {"pseudoR2": 1 - fit.llf / llnull, "logLikelihood": fit.llf, "aic": fit.aic}
    return out


# ---------------------------------------------------------------- the cases

COMPARE = {
    "two numeric groups (checkout A/B, 1 before 0)": ("checkout_ab.csv", {"outcome": "basket_value", "group": "new_checkout"}),
    "three numeric groups (basket value by device)": ("checkout_ab.csv", {"outcome": "basket_value", "group": "device"}),
    "a binary outcome in two groups (churn by retention offer)": ("churn.csv", {"outcome": "churned", "group": "retention_offer"}),
    "a binary outcome in three groups (churn by plan)": ("churn.csv", {"outcome": "churned", "group": "plan"}),
    "a categorical outcome (plan by region, region missing in 85 rows)": ("churn.csv", {"outcome": "plan", "group": "region"}),
    "filtered rows (satisfaction by autopay for longer-standing premium and standard customers)": (
        "churn.csv",
        {
            "outcome": "satisfaction",
            "group": "autopay",
            "filters": [
                {"column": "plan", "op": "in", "value": ["premium", "standard"]},
                {"column": "tenure_months", "op": ">=", "value": 12},
            ],
        },
    ),
    "named groups in the order asked, with many ties (support calls, west vs east)": (
        "churn.csv",
        {"outcome": "support_calls", "group": "region", "groups": ["west", "east"]},
    ),
    "0 before 1 when asked (LaLonde earnings)": ("lalonde.csv", {"outcome": "re78", "group": "treat", "groups": ["0", "1"]}),
    "p-values far in the tails (three groups far apart)": ("far.csv", {"outcome": "score", "group": "arm"}),
    "p-values far in the tails (two groups far apart)": ("far.csv", {"outcome": "score", "group": "arm", "groups": ["a", "b"]}),
    "tied ranks, a group of one left out, missing groups and outcomes": ("ties.csv", {"outcome": "rating", "group": "team"}),
    "a two-valued text outcome with small expected counts": ("yes_unsure.csv", {"outcome": "reply", "group": "site"}),
}

REGRESSION = {
    "OLS of LaLonde earnings on treatment and covariates": (
        "lalonde.csv",
        {"outcome": "re78", "model": "ols", "predictors": ["treat", "age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75"]},
    ),
    "logistic regression of LaLonde treatment (a 0/1 outcome)": (
        "lalonde.csv",
        {"outcome": "treat", "model": "logistic", "predictors": ["age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75"]},
    ),
    "logistic regression of churn with booleans, dummies and missing rows": (
        "churn.csv",
        {"outcome": "churned", "model": "logistic", "predictors": ["monthly_fee", "tenure_months", "support_calls", "autopay", "plan", "region"]},
    ),
    "OLS of satisfaction with a categorical predictor and missing outcomes": (
        "churn.csv",
        {"outcome": "satisfaction", "model": "ols", "predictors": ["plan", "support_calls", "tenure_months"]},
    ),
    "OLS of basket value on filtered rows": (
        "checkout_ab.csv",
        {
            "outcome": "basket_value",
            "model": "ols",
            "predictors": ["new_checkout", "device", "returning", "items_viewed"],
            "filters": [{"column": "country", "op": "in", "value": ["DE", "FR", "NL"]}],
        },
    ),
    "logistic regression of a two-valued text outcome, reference level by alphabet on a tie": (
        "tied.csv",
        {"outcome": "answer", "model": "logistic", "predictors": ["tier", "x"]},
    ),
    "OLS with the tied reference level": ("tied.csv", {"outcome": "spend", "model": "ols", "predictors": ["tier", "x"]}),
}


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        assert math.isfinite(value), value
        return float(value)
    return value


def case(file, args, expected):
    entry = {"file": file, "args": args, "expected": expected}
    if file in SMALL:
        entry["csv"] = SMALL[file]
    return entry


reference = {
    "generatedBy": f"scipy {scipy.__version__}, statsmodels {statsmodels.__version__}, pandas {pd.__version__}",
    "compare": {name: case(file, args, compare(file, args)) for name, (file, args) in COMPARE.items()},
    "regression": {name: case(file, args, regression(file, args)) for name, (file, args) in REGRESSION.items()},
}
with open(os.path.join(HERE, "compare_and_regression.json"), "w") as out:
    json.dump(plain(reference), out, indent=1)
    out.write("\n")

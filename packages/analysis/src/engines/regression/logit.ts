import type { Coefficient } from '@cascade/core/contract';
import { logistic } from '../causal/logistic';
import { leastSquares } from '../stats/least-squares';
import { sandwichStandardError } from '../stats/ols';
import { coefficient } from './coefficient';
import type { ModelFit } from './linear';

/** Newton stops when no coefficient moves by more than this share: the estimates then agree with statsmodels to 1e-10. */
const tolerance = 1e-12;

/** The logistic fit, or that it has no finite maximum: the predictors separate the outcome's values. */
export type LogitFit = ModelFit | { separated: true };

/**
 * Logistic regression by Newton's method (the propensity model's fit, causal/logistic.ts) with HC1
 * sandwich standard errors, z statistics and normal intervals, odds ratios, McFadden's pseudo-R²,
 * log-likelihood and AIC.
 *
 * statsmodels' Logit(y, X).fit(cov_type='HC1') gives the uncorrected White sandwich (HC0): for
 * models other than linear regression its HC1 option skips the small-sample factor. Here HC1 means
 * what it means for OLS, HC0 · n/(n − k), which statsmodels computes as
 * sandwich_covariance.cov_white_simple(result, use_correction=True).
 *
 * `columns` include the intercept's column of ones first; `predictors` are the same without it.
 */
export async function fitLogit(
  names: readonly string[],
  columns: readonly Float64Array[],
  predictors: readonly Float64Array[],
  y: Float64Array,
): Promise<LogitFit> {
  const n = y.length;
  const k = columns.length;
  const fit = await logistic(predictors, y, { tolerance });
  if (fit.separated) return { separated: true };

  const p = fit.probabilities;
  const root = new Float64Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    root[i] = Math.sqrt(p[i]! * (1 - p[i]!));
    scores[i] = y[i]! - p[i]!;
  }
  // The bread (X'WX)⁻¹ through a QR of W^½X keeps the digits that forming X'WX would lose.
  const bread = leastSquares(
    columns.map((column) => column.map((x, i) => x * root[i]!)),
    new Float64Array(n),
  ).xtxInverse;

  const coefficients = fit.coefficients.map((estimate, j): Coefficient => {
    const row = coefficient(
      names[j]!,
      estimate,
      sandwichStandardError(columns, bread, scores, n / (n - k), j),
    );
    const odds = [estimate, ...row.ci].map(Math.exp) as [number, number, number];
    // A predictor in tiny units can have a coefficient whose exponential overflows.
    return odds.every(Number.isFinite)
      ? { ...row, oddsRatio: odds[0], oddsRatioCi: [odds[1], odds[2]] }
      : row;
  });

  let logLikelihood = 0;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const eta = fit.linearPredictor[i]!;
    // log(1 + e^η) without overflow.
    logLikelihood -= Math.max(eta, 0) + Math.log1p(Math.exp(-Math.abs(eta))) - y[i]! * eta;
    positives += y[i]!;
  }
  const share = positives / n;
  const nullLikelihood = n * (share * Math.log(share) + (1 - share) * Math.log(1 - share));
  return {
    coefficients,
    fit: {
      pseudoR2: 1 - logLikelihood / nullLikelihood,
      logLikelihood,
      aic: 2 * k - 2 * logLikelihood,
    },
  };
}

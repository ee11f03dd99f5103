import type { Coefficient, RegressionResult } from '@cascade/core/contract';
import { hc1StandardError, ols } from '../stats/ols';
import { coefficient } from './coefficient';

export interface ModelFit {
  coefficients: Coefficient[];
  fit: RegressionResult['fit'];
  /** Residual degrees of freedom, n − k (OLS only). */
  df?: number;
}

/**
 * Ordinary least squares by Householder QR with HC1 standard errors, t statistics, p-values and
 * 95 % intervals on n − k degrees of freedom: statsmodels' OLS(y, X).fit(cov_type='HC1',
 * use_t=True). `columns` include the intercept's column of ones first.
 */
export function fitLinear(
  names: readonly string[],
  columns: readonly Float64Array[],
  y: Float64Array,
): ModelFit {
  const n = y.length;
  const k = columns.length;
  const fit = ols(columns, y);
  const coefficients = fit.coefficients.map((estimate, j) =>
    coefficient(names[j]!, estimate, hc1StandardError(columns, fit, j), fit.df),
  );
  const rss = fit.residualSd ** 2 * fit.df;
  // The Gaussian log-likelihood at the least-squares fit, with σ² = RSS / n, as statsmodels' llf.
  const logLikelihood = (-n / 2) * (Math.log(2 * Math.PI) + Math.log(rss / n) + 1);
  return {
    coefficients,
    df: fit.df,
    fit: {
      r2: fit.rSquared,
      adjustedR2: 1 - ((1 - fit.rSquared) * (n - 1)) / fit.df,
      residualSe: fit.residualSd,
      logLikelihood,
      aic: 2 * k - 2 * logLikelihood,
    },
  };
}

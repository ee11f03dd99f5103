import { weightedGram } from './gram';
import { leastSquares } from './least-squares';

export interface OlsFit {
  coefficients: number[];
  /** Classical standard errors, σ̂²(X'X)^-1 with σ̂² = RSS / (n - k). */
  se: number[];
  /** White's heteroskedasticity-consistent errors with the n / (n - k) correction (HC1). */
  seHc1: number[];
  /** Residual degrees of freedom, n - k. */
  df: number;
  residualSd: number;
  rSquared: number;
  residuals: Float64Array;
}

/** Ordinary least squares with classical and HC1 standard errors. Columns must include the intercept if one is wanted. */
export function ols(columns: readonly Float64Array[], y: Float64Array): OlsFit {
  const n = y.length;
  const k = columns.length;
  const fit = leastSquares(columns, y);
  const df = n - k;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += fit.residuals[i]! * fit.residuals[i]!;
  const sigma2 = df > 0 ? rss / df : Number.NaN;
  const bread = fit.xtxInverse;
  // The meat Σ e_i² x_i x_i' of White's sandwich.
  const squared = fit.residuals.map((e) => e * e);
  const hc1 = bread
    .mmul(weightedGram(columns, squared))
    .mmul(bread)
    .mul(n / df);

  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  let tss = 0;
  for (let i = 0; i < n; i++) tss += (y[i]! - mean) ** 2;

  return {
    coefficients: fit.coefficients,
    se: fit.coefficients.map((_, j) => Math.sqrt(sigma2 * bread.get(j, j))),
    seHc1: fit.coefficients.map((_, j) => Math.sqrt(hc1.get(j, j))),
    df,
    residualSd: Math.sqrt(sigma2),
    rSquared: tss > 0 ? 1 - rss / tss : Number.NaN,
    residuals: fit.residuals,
  };
}

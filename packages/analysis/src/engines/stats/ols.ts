import type { Matrix } from 'ml-matrix';
import { leastSquares } from './least-squares';

export interface OlsFit {
  coefficients: number[];
  /** Classical standard errors, σ̂²(X'X)^-1 with σ̂² = RSS / (n - k). */
  se: number[];
  /** Residual degrees of freedom, n - k. */
  df: number;
  residualSd: number;
  rSquared: number;
  residuals: Float64Array;
  /** (X'X)^-1, the bread of the sandwich. */
  bread: Matrix;
}

/** Ordinary least squares with classical standard errors. Columns must include the intercept if one is wanted. */
export function ols(columns: readonly Float64Array[], y: Float64Array): OlsFit {
  const n = y.length;
  const k = columns.length;
  const fit = leastSquares(columns, y);
  const df = n - k;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += fit.residuals[i]! * fit.residuals[i]!;
  const sigma2 = df > 0 ? rss / df : Number.NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  let tss = 0;
  for (let i = 0; i < n; i++) tss += (y[i]! - mean) ** 2;
  return {
    coefficients: fit.coefficients,
    se: fit.coefficients.map((_, j) => Math.sqrt(sigma2 * fit.xtxInverse.get(j, j))),
    df,
    residualSd: Math.sqrt(sigma2),
    rSquared: tss > 0 ? 1 - rss / tss : Number.NaN,
    residuals: fit.residuals,
    bread: fit.xtxInverse,
  };
}

/**
 * White's heteroskedasticity-consistent standard error of coefficient j with the n / (n - k)
 * correction (HC1).
 */
export function hc1StandardError(columns: readonly Float64Array[], fit: OlsFit, j: number): number {
  const n = fit.residuals.length;
  return sandwichStandardError(columns, fit.bread, fit.residuals, n / fit.df, j);
}

/**
 * The square root of the j-th diagonal of factor·B·Σ r_i² x_i x_i'·B, the sandwich behind
 * robust errors (B the bread, r_i row i's residual or score weight): factor·Σ r_i² (b_j·x_i)² for
 * b_j the j-th row of B — one pass, no k × k meat needed, and no cancellation between its terms.
 */
export function sandwichStandardError(
  columns: readonly Float64Array[],
  bread: Matrix,
  residuals: Float64Array,
  factor: number,
  j: number,
): number {
  const n = residuals.length;
  const row = columns.map((_, l) => bread.get(j, l));
  const influence = new Float64Array(n);
  columns.forEach((column, l) => {
    const b = row[l]!;
    for (let i = 0; i < n; i++) influence[i] = influence[i]! + b * column[i]!;
  });
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (residuals[i]! * influence[i]!) ** 2;
  return Math.sqrt(factor * sum);
}

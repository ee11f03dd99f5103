import { CholeskyDecomposition, EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { weightedGram, weightedSums } from './gram';
import { BlockedQr, CollinearityError } from './least-squares';

export interface RegressionAdjustment {
  estimate: number;
  se: number;
  seHc1: number;
  df: number;
}

/** Rows per block of the regression's QR. */
const blockRows = 4096;
/**
 * Above this condition number of the scaled X'X (that is, 10^5 for X itself), the normal
 * equations, even refined, could lose digits: the regression goes by QR.
 */
const maxNormalCondition = 1e10;

/** Coefficients and (X'X)⁻¹ by QR of the rows a block at a time: stable for any design. */
function byQr(columns: readonly Float64Array[], y: Float64Array) {
  const n = y.length;
  const qr = new BlockedQr(columns.length);
  for (let from = 0; from < n; from += blockRows) {
    const to = Math.min(n, from + blockRows);
    qr.add([...columns, y].map((column) => column.subarray(from, to)));
  }
  return qr.solve();
}

/**
 * Coefficients and (X'X)⁻¹ by the normal equations with one step of iterative refinement (the
 * corrected semi-normal equations): as accurate as QR while X is well conditioned, which is
 * checked first from the eigenvalues of the scaled X'X, at a fraction of QR's work (one Gram
 * matrix and two passes). Undefined when X is not well conditioned enough for them.
 */
function byNormalEquations(columns: readonly Float64Array[], y: Float64Array, ones: Float64Array) {
  const k = columns.length;
  const gram = weightedGram([...columns, y], ones);
  const xtx = gram.subMatrix(0, k - 1, 0, k - 1);
  const scale = Array.from({ length: k }, (_, j) => 1 / Math.sqrt(xtx.get(j, j)));
  if (!scale.every(Number.isFinite)) return undefined;
  const scaled = new Matrix(k, k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) scaled.set(a, b, xtx.get(a, b) * scale[a]! * scale[b]!);
  const eigenvalues = new EigenvalueDecomposition(scaled, { assumeSymmetric: true }).realEigenvalues;
  const smallest = Math.min(...eigenvalues);
  if (!(smallest > 0) || Math.max(...eigenvalues) / smallest > maxNormalCondition) return undefined;
  const cholesky = new CholeskyDecomposition(xtx);
  if (!cholesky.isPositiveDefinite()) return undefined;
  const xty = Matrix.columnVector(Array.from({ length: k }, (_, j) => gram.get(j, k)));
  const first = cholesky.solve(xty).to1DArray();
  // One refinement: the residuals' correlations with the columns, solved for the correction.
  const residuals = Float64Array.from(y);
  columns.forEach((column, j) => {
    const b = first[j]!;
    for (let i = 0; i < residuals.length; i++) residuals[i] = residuals[i]! - b * column[i]!;
  });
  const correction = cholesky.solve(Matrix.columnVector(weightedSums(columns, residuals))).to1DArray();
  return {
    coefficients: first.map((b, j) => b + correction[j]!),
    xtxInverse: cholesky.solve(Matrix.eye(k)),
  };
}

/**
 * The outcome regressed on an intercept, the treatment and the covariates: the treatment's
 * coefficient with classical and HC1 errors. Coefficients and (X'X)⁻¹ come from the refined
 * normal equations when X is well conditioned, else from a QR a block of rows at a time
 * (BlockedQr), which also finds collinear columns; the residuals and HC1's sum
 * Σ (r_i · b_1·x_i)² (b_1 the treatment's row of (X'X)⁻¹) come in one more pass.
 */
export function regressionAdjustment(
  t: Float64Array,
  covariates: readonly Float64Array[],
  y: Float64Array,
): RegressionAdjustment {
  const n = y.length;
  const k = covariates.length + 2;
  const ones = new Float64Array(n).fill(1);
  const columns = [ones, t, ...covariates];
  const { coefficients, xtxInverse } = byNormalEquations(columns, y, ones) ?? byQr(columns, y);
  const bread = Array.from({ length: k }, (_, l) => xtxInverse.get(1, l));
  let rss = 0;
  let sandwich = 0;
  for (let i = 0; i < n; i++) {
    let fitted = coefficients[0]!;
    let influence = bread[0]!;
    for (let l = 1; l < k; l++) {
      const x = columns[l]![i]!;
      fitted += coefficients[l]! * x;
      influence += bread[l]! * x;
    }
    const residual = y[i]! - fitted;
    rss += residual * residual;
    sandwich += (residual * influence) ** 2;
  }
  const df = n - k;
  return {
    estimate: coefficients[1]!,
    se: Math.sqrt((rss / df) * xtxInverse.get(1, 1)),
    seHc1: Math.sqrt((n / df) * sandwich),
    df,
  };
}

/** What a worker posts back: the adjustment, or the design column that was collinear. */
export type RegressionMessage = { ok: RegressionAdjustment } | { collinear: number };

export function regressionMessage(
  t: Float64Array,
  covariates: readonly Float64Array[],
  y: Float64Array,
): RegressionMessage {
  try {
    return { ok: regressionAdjustment(t, covariates, y) };
  } catch (error) {
    if (error instanceof CollinearityError) return { collinear: error.column };
    throw error;
  }
}

export function fromMessage(message: RegressionMessage): RegressionAdjustment {
  if ('collinear' in message) throw new CollinearityError(message.collinear);
  return message.ok;
}

import { CholeskyDecomposition, EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { BlockedQr, type QrState } from '../stats/least-squares';
import { addGram, addWeightedSums, gramMatrix } from './gram';
import type { Pass, Runner } from './passes';
import { chunkRows, forEachChunk, rangeOf, type StudyBlock } from './study-rows';

export interface RegressionAdjustment {
  estimate: number;
  se: number;
  seHc1: number;
  df: number;
}

/**
 * Above this condition number of the scaled X'X (that is, 10^5 for X itself), the normal
 * equations, even refined, could lose digits: the regression goes by QR.
 */
const maxNormalCondition = 1e10;
/** Up to this condition number the normal equations lose no digit that matters (about 10^4 · ε): no refinement. */
const plainNormalCondition = 1e4;

/**
 * The design [1, t, covariates…] and the outcome of a chunk of rows (or, without the treatment,
 * the intercept and the covariates), copied into columns of their own: every kernel then reads
 * one kind of array, and the intercept is a column like the others.
 */
class DesignChunk {
  readonly columns: Float64Array[];
  readonly ones = new Float64Array(chunkRows).fill(1);

  constructor(
    covariates: number,
    private readonly withTreatment: boolean,
  ) {
    const width = withTreatment ? covariates + 2 : covariates;
    this.columns = [this.ones, ...Array.from({ length: width }, () => new Float64Array(chunkRows))];
  }

  /** The columns for rows [from, from + length) of the block. */
  fill(block: StudyBlock, from: number, length: number): Float64Array[] {
    const { columns, withTreatment } = this;
    const q = block.covariates.length;
    for (let j = 1; j < columns.length; j++) {
      const source = !withTreatment
        ? block.covariates[j - 1]!
        : j === 1
          ? block.t
          : j <= q + 1
            ? block.covariates[j - 2]!
            : block.y;
      const out = columns[j]!;
      for (let i = 0; i < length; i++) out[i] = source[from + i]!;
    }
    return columns;
  }
}

const add = (a: Float64Array, b: Float64Array) => a.map((s, i) => s + b[i]!);

/** Σ x x' over the design and the outcome, (k + 1) × (k + 1). */
export const gramPass: Pass<Record<string, never>, Float64Array> = {
  name: 'gram',
  run(rows, index) {
    const k = rows.covariateCount + 2;
    const chunk = new DesignChunk(rows.covariateCount, true);
    const sums = new Float64Array((k + 1) * (k + 1));
    const scratch: [Float64Array, Float64Array] = [new Float64Array(chunkRows), new Float64Array(chunkRows)];
    forEachChunk(
      rows,
      (block, from, length) => addGram(chunk.fill(block, from, length), chunk.ones, length, sums, scratch),
      rangeOf(rows.n, index),
    );
    return sums;
  },
  merge: add,
};

/** X'r for the residuals r of the first solution: iterative refinement's correction comes from it. */
export const refinementPass: Pass<{ first: number[] }, Float64Array> = {
  name: 'refine',
  run(rows, index, { first }) {
    const k = rows.covariateCount + 2;
    const chunk = new DesignChunk(rows.covariateCount, true);
    const correlations = new Float64Array(k);
    const residuals = new Float64Array(chunkRows);
    forEachChunk(
      rows,
      (block, from, length) => {
        const columns = chunk.fill(block, from, length);
        residuals.set(columns[k]!.subarray(0, length));
        for (let j = 0; j < k; j++) {
          const x = columns[j]!;
          const b = first[j]!;
          for (let i = 0; i < length; i++) residuals[i] = residuals[i]! - b * x[i]!;
        }
        addWeightedSums(columns.slice(0, k), residuals, length, correlations);
      },
      rangeOf(rows.n, index),
    );
    return correlations;
  },
  merge: add,
};

/** Householder QR of the rows, a chunk at a time (BlockedQr): of the design and outcome, or of the intercept and covariates alone. */
export const qrPass: Pass<{ withTreatment: boolean }, QrState> = {
  name: 'qr',
  run(rows, index, { withTreatment }) {
    const k = rows.covariateCount + (withTreatment ? 2 : 1);
    const chunk = new DesignChunk(rows.covariateCount, withTreatment);
    const zeros = new Float64Array(chunkRows);
    const qr = new BlockedQr(k);
    forEachChunk(
      rows,
      (block, from, length) => {
        const columns = chunk.fill(block, from, length);
        qr.add((withTreatment ? columns : [...columns, zeros]).map((column) => column.subarray(0, length)));
      },
      rangeOf(rows.n, index),
    );
    return qr.state();
  },
  merge(first, second) {
    const qr = BlockedQr.from(first);
    qr.add(second.r);
    return qr.state();
  },
};

/** The residual sum of squares, and HC1's sum Σ (r_i · b_1·x_i)² (b_1 the treatment's row of (X'X)⁻¹). */
export const residualPass: Pass<{ coefficients: number[]; bread: number[] }, Float64Array> = {
  name: 'residuals',
  run(rows, index, { coefficients, bread }) {
    const k = rows.covariateCount + 2;
    const chunk = new DesignChunk(rows.covariateCount, true);
    const fitted = new Float64Array(chunkRows);
    const influence = new Float64Array(chunkRows);
    let rss = 0;
    let sandwich = 0;
    forEachChunk(
      rows,
      (block, from, length) => {
        const columns = chunk.fill(block, from, length);
        fitted.fill(0, 0, length);
        influence.fill(0, 0, length);
        for (let l = 0; l < k; l++) {
          const x = columns[l]!;
          const c = coefficients[l]!;
          const b = bread[l]!;
          for (let i = 0; i < length; i++) {
            fitted[i] = fitted[i]! + c * x[i]!;
            influence[i] = influence[i]! + b * x[i]!;
          }
        }
        const y = columns[k]!;
        let squares = 0;
        let weighted = 0;
        for (let i = 0; i < length; i++) {
          const residual = y[i]! - fitted[i]!;
          squares += residual * residual;
          weighted += (residual * influence[i]!) ** 2;
        }
        rss += squares;
        sandwich += weighted;
      },
      rangeOf(rows.n, index),
    );
    return Float64Array.of(rss, sandwich);
  },
  merge: add,
};

/**
 * Coefficients and (X'X)⁻¹ by the normal equations, with one step of iterative refinement (the
 * corrected semi-normal equations) unless X is so well conditioned that they need none: as
 * accurate as QR while X is well conditioned, which is checked first from the eigenvalues of
 * the scaled X'X, at a fraction of QR's work (one Gram matrix, and perhaps one more pass).
 * Undefined when X is not well conditioned enough for them.
 */
async function byNormalEquations(run: Runner, k: number) {
  const gram = gramMatrix(await run.run(gramPass, {}), k + 1);
  const xtx = gram.subMatrix(0, k - 1, 0, k - 1);
  const scale = Array.from({ length: k }, (_, j) => 1 / Math.sqrt(xtx.get(j, j)));
  if (!scale.every(Number.isFinite)) return undefined;
  const scaled = new Matrix(k, k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) scaled.set(a, b, xtx.get(a, b) * scale[a]! * scale[b]!);
  const eigenvalues = new EigenvalueDecomposition(scaled, { assumeSymmetric: true }).realEigenvalues;
  const smallest = Math.min(...eigenvalues);
  const condition = Math.max(...eigenvalues) / smallest;
  if (!(smallest > 0) || condition > maxNormalCondition) return undefined;
  const cholesky = new CholeskyDecomposition(xtx);
  if (!cholesky.isPositiveDefinite()) return undefined;
  const xty = Matrix.columnVector(Array.from({ length: k }, (_, j) => gram.get(j, k)));
  const first = cholesky.solve(xty).to1DArray();
  const xtxInverse = cholesky.solve(Matrix.eye(k));
  if (condition <= plainNormalCondition) return { coefficients: first, xtxInverse };
  // One refinement: the residuals' correlations with the columns, solved for the correction.
  const correlations = await run.run(refinementPass, { first });
  const correction = cholesky.solve(Matrix.columnVector(Array.from(correlations))).to1DArray();
  return { coefficients: first.map((b, j) => b + correction[j]!), xtxInverse };
}

/**
 * The outcome regressed on an intercept, the treatment and the covariates: the treatment's
 * coefficient with classical and HC1 errors. Coefficients and (X'X)⁻¹ come from the normal
 * equations when X is well conditioned, else from a QR a chunk of rows at a time, which also
 * finds collinear columns (a CollinearityError); the residuals come in one more pass.
 */
export async function regressionAdjustment(run: Runner): Promise<RegressionAdjustment> {
  const k = run.rows.covariateCount + 2;
  const { coefficients, xtxInverse } =
    (await byNormalEquations(run, k)) ??
    BlockedQr.from(await run.run(qrPass, { withTreatment: true })).solve();
  const bread = Array.from({ length: k }, (_, l) => xtxInverse.get(1, l));
  const [rss, sandwich] = await run.run(residualPass, { coefficients, bread });
  const n = run.rows.n;
  const df = n - k;
  return {
    estimate: coefficients[1]!,
    se: Math.sqrt((rss! / df) * xtxInverse.get(1, 1)),
    seHc1: Math.sqrt((n / df) * sandwich!),
    df,
  };
}

/** Throws a CollinearityError naming the first covariate in the span of the intercept and those before it, if one is. */
export async function checkCovariates(run: Runner): Promise<void> {
  BlockedQr.from(await run.run(qrPass, { withTreatment: false })).solve();
}

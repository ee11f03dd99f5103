import { chunkRows, forEachChunk, rangeOf, type StudyBlock, type StudyRows } from './study-rows';

/** Each covariate's centre and scale: the propensity model is fitted on (x − mean) · scale, scale = 1 / sd. */
export interface Standardization {
  means: number[];
  sds: number[];
  scales: number[];
}

/**
 * The propensity model's standardized design for a chunk of rows (z[0] the intercept's ones), and
 * its linear predictor and probabilities at some β: what the fit, the weighting estimators and
 * the balance all compute alike, so their probabilities are the same doubles. The design is
 * computed where it is read, never stored.
 */
export class PropensityChunk {
  readonly z: Float64Array[];
  readonly eta = new Float64Array(chunkRows);
  readonly e = new Float64Array(chunkRows);
  /** exp(−|η|), from which both the probability and the log-likelihood come. */
  readonly tail = new Float64Array(chunkRows);

  constructor(
    covariates: number,
    private readonly standardization: Standardization,
  ) {
    this.z = Array.from({ length: covariates + 1 }, () => new Float64Array(chunkRows));
    this.z[0]!.fill(1);
  }

  /** The design of rows [from, from + length) of the block, then η = z'β and e = 1 / (1 + e^−η). */
  fill(block: StudyBlock, from: number, length: number, beta: readonly number[]): void {
    const { z, eta, e, tail } = this;
    const { means, scales } = this.standardization;
    eta.fill(beta[0]!, 0, length);
    for (let j = 1; j < z.length; j++) {
      const x = block.covariates[j - 1]!;
      const out = z[j]!;
      const mean = means[j - 1]!;
      const scale = scales[j - 1]!;
      const b = beta[j]!;
      for (let i = 0; i < length; i++) {
        const value = (x[from + i]! - mean) * scale;
        out[i] = value;
        eta[i] = eta[i]! + b * value;
      }
    }
    for (let i = 0; i < length; i++) {
      const x = eta[i]!;
      const q = Math.exp(-Math.abs(x));
      tail[i] = q;
      e[i] = x >= 0 ? 1 / (1 + q) : q / (1 + q);
    }
  }
}

/** Calls `each` with every chunk of range `index` of a pass (rangeOf), its propensities at `model`'s β filled in. */
export function forEachPropensities(
  rows: StudyRows,
  index: number,
  model: Standardization & { beta: readonly number[] },
  each: (block: StudyBlock, from: number, length: number, chunk: PropensityChunk) => void,
): void {
  const chunk = new PropensityChunk(rows.covariateCount, model);
  forEachChunk(
    rows,
    (block, from, length) => {
      chunk.fill(block, from, length, model.beta);
      each(block, from, length, chunk);
    },
    rangeOf(rows.n, index),
  );
}

export interface Moments {
  mean: number;
  /** Sample standard deviation (n - 1); null with fewer than two values. */
  std: number | null;
  min: number;
  max: number;
}

export interface ColumnSummary extends Moments {
  /** The present values, in row order, in a fresh or lent array (quantile selection may reorder it). */
  values: Float64Array;
}

/**
 * Mean, sample standard deviation and extremes of a column where NaN marks a missing value,
 * together with its present values: the first pass gathers the values, extremes and a
 * compensated sum; the second, the squared deviations, as pandas computes them.
 */
export function summarize(column: Float64Array, into?: Float64Array): ColumnSummary | undefined {
  // A caller describing many columns lends one buffer for all of them.
  const values = into && into.length >= column.length ? into : new Float64Array(column.length);
  let n = 0;
  let sum = 0;
  let compensation = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < column.length; i++) {
    const x = column[i]!;
    if (Number.isNaN(x)) continue;
    values[n++] = x;
    const t = sum + x;
    compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (n === 0) return undefined;
  const present = values.subarray(0, n);
  const mean = (sum + compensation) / n;
  if (n < 2) return { values: present, mean, std: null, min, max };
  let squares = 0;
  let deviations = 0;
  for (let i = 0; i < n; i++) {
    const d = present[i]! - mean;
    squares += d * d;
    deviations += d;
  }
  // The deviations' sum is zero in exact arithmetic; subtracting its square corrects the rounding of the mean.
  const variance = (squares - (deviations * deviations) / n) / (n - 1);
  return { values: present, mean, std: Math.sqrt(Math.max(variance, 0)), min, max };
}

/**
 * The count and compensated (Neumaier) sum of the present values (NaN marks a missing one), fed
 * in row order, a chunk at a time if need be: summed exactly as `summarize` sums them, so every
 * mean of a column agrees to the last bit however the column was read.
 */
export class PresentSum {
  n = 0;
  private sum = 0;
  private compensation = 0;

  add(values: Float64Array): this {
    let { n, sum, compensation } = this;
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      if (Number.isNaN(x)) continue;
      n++;
      const t = sum + x;
      compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
      sum = t;
    }
    this.n = n;
    this.sum = sum;
    this.compensation = compensation;
    return this;
  }

  get mean(): number {
    return (this.sum + this.compensation) / this.n;
  }
}

/** The mean of the present values. */
export const presentMean = (column: Float64Array): number => new PresentSum().add(column).mean;

/** Moments of values with none missing. */
export function moments(values: Float64Array): Moments {
  const summary = summarize(values);
  if (!summary) throw new RangeError('Moments of no values');
  const { mean, std, min, max } = summary;
  return { mean, std, min, max };
}

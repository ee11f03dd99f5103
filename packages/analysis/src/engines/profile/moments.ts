export interface Moments {
  mean: number;
  /** Sample standard deviation (n - 1); null with fewer than two values. */
  std: number | null;
  min: number;
  max: number;
}

/**
 * Mean, sample standard deviation and extremes of non-empty values, by the two-pass algorithm
 * pandas uses, with compensated sums so a million values lose no digits to rounding.
 */
export function moments(values: Float64Array): Moments {
  const n = values.length;
  if (n === 0) throw new RangeError('Moments of no values');
  let sum = 0;
  let compensation = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    const t = sum + x;
    compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = (sum + compensation) / n;
  if (n < 2) return { mean, std: null, min, max };
  let squares = 0;
  let deviations = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    squares += d * d;
    deviations += d;
  }
  // The deviations' sum is zero in exact arithmetic; subtracting its square corrects the rounding of the mean.
  const variance = (squares - (deviations * deviations) / n) / (n - 1);
  return { mean, std: Math.sqrt(Math.max(variance, 0)), min, max };
}

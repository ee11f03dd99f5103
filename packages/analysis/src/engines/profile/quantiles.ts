import quickselect from 'quickselect';

/** numpy's linear interpolation, including its switch to `b - (b - a)(1 - t)` from t = 0.5 on. */
export function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

function minimum(values: Float64Array, from: number): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = from; i < values.length; i++) if (values[i]! < min) min = values[i]!;
  return min;
}

/**
 * Exact quantiles with pandas' (numpy's) linear interpolation between order statistics
 * floor((n-1)p) and the one after it. Reorders `values` in place: selection, not a sort, so a
 * million values take milliseconds. Probabilities must be ascending.
 */
export function quantiles(values: Float64Array, probabilities: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) throw new RangeError('Quantiles of no values');
  const array = values as unknown as number[];
  let left = 0;
  return probabilities.map((p) => {
    const h = (n - 1) * p;
    const k = Math.floor(h);
    // Each selection leaves everything at or above k to its right, so the next one starts there.
    quickselect(array, k, left, n - 1);
    left = k;
    const lo = values[k]!;
    const hi = k + 1 < n ? minimum(values, k + 1) : lo;
    return lerp(lo, hi, h - k);
  });
}

/** numpy's linear interpolation, including its switch to `b - (b - a)(1 - t)` from t = 0.5 on. */
export function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

function swap(values: Float64Array, i: number, j: number): void {
  const held = values[i]!;
  values[i] = values[j]!;
  values[j] = held;
}

/**
 * Floyd and Rivest's SELECT on doubles: afterwards values[k] is the value a sort would put
 * there, everything in [left, k) is ≤ it and everything in (k, right] is ≥ it. The sampling
 * step narrows the range to a few √n around k first, so a million values take a few
 * milliseconds. Written for Float64Array because a comparator-based generic selection was the
 * profile's largest cost in JavaScript.
 */
export function select(values: Float64Array, k: number, left = 0, right = values.length - 1): void {
  while (right > left) {
    if (right - left > 600) {
      // Recurse on a sample-sized window that very likely holds the k-th value.
      const n = right - left + 1;
      const i = k - left + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * Math.sign(i - n / 2);
      select(
        values,
        k,
        Math.max(left, Math.floor(k - (i * s) / n + sd)),
        Math.min(right, Math.floor(k + ((n - i) * s) / n + sd)),
      );
    }
    const pivot = values[k]!;
    let i = left;
    let j = right;
    swap(values, left, k);
    if (values[right]! > pivot) swap(values, left, right);
    while (i < j) {
      swap(values, i, j);
      i++;
      j--;
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
    }
    if (values[left] === pivot) swap(values, left, j);
    else {
      j++;
      swap(values, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

function minimum(values: Float64Array, from: number): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = from; i < values.length; i++) if (values[i]! < min) min = values[i]!;
  return min;
}

/**
 * Exact quantiles with pandas' (numpy's) linear interpolation between order statistics
 * floor((n-1)p) and the one after it. Reorders `values` in place. Probabilities must be ascending.
 */
export function quantiles(values: Float64Array, probabilities: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) throw new RangeError('Quantiles of no values');
  let left = 0;
  return probabilities.map((p) => {
    const h = (n - 1) * p;
    const k = Math.floor(h);
    // Each selection leaves everything at or above k to its right, so the next one starts there.
    select(values, k, left, n - 1);
    left = k;
    const lo = values[k]!;
    const hi = k + 1 < n ? minimum(values, k + 1) : lo;
    return lerp(lo, hi, h - k);
  });
}

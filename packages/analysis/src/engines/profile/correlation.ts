/**
 * Pearson's r of every pair of columns over the rows where both have a value (NaN marks a
 * missing one), as pandas' DataFrame.corr computes it. Values are taken relative to each
 * column's mean, so the one-pass sums of each pair lose no digits; the pair's own means are
 * then corrected for exactly. Null where r is undefined: fewer than two shared rows, or no spread.
 */
export function pairwiseCorrelation(
  columns: readonly Float64Array[],
  means: readonly number[],
): (number | null)[][] {
  const k = columns.length;
  const matrix = Array.from({ length: k }, () => new Array<number | null>(k).fill(null));
  for (let a = 0; a < k; a++)
    for (let b = a; b < k; b++) {
      const r = correlate(columns[a]!, means[a]!, columns[b]!, means[b]!);
      matrix[a]![b] = r;
      matrix[b]![a] = r;
    }
  return matrix;
}

function correlate(x: Float64Array, mx: number, y: Float64Array, my: number): number | null {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const u = x[i]! - mx;
    const v = y[i]! - my;
    // A row counts only when both values are present.
    if (Number.isNaN(u) || Number.isNaN(v)) continue;
    n++;
    sx += u;
    sy += v;
    sxx += u * u;
    syy += v * v;
    sxy += u * v;
  }
  if (n < 2) return null;
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  if (!(vx > 0 && vy > 0)) return null;
  const r = (sxy - (sx * sy) / n) / Math.sqrt(vx * vy);
  // Rounding can carry |r| a hair past 1 for perfectly related columns.
  return Math.max(-1, Math.min(1, r));
}

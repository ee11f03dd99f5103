import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/datasets/random';
import { pairwiseCorrelation } from '../../../src/engines/profile/correlation';

/** Reference: Pearson's r of one pair over the rows where both are present, by the textbook two-pass formula. */
function reference(x: Float64Array, y: Float64Array): number | null {
  const both: [number, number][] = [];
  for (let i = 0; i < x.length; i++)
    if (!Number.isNaN(x[i]!) && !Number.isNaN(y[i]!)) both.push([x[i]!, y[i]!]);
  if (both.length < 2) return null;
  const mx = both.reduce((s, [a]) => s + a, 0) / both.length;
  const my = both.reduce((s, [, b]) => s + b, 0) / both.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [a, b] of both) {
    sxy += (a - mx) * (b - my);
    sxx += (a - mx) ** 2;
    syy += (b - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

function meanOf(column: Float64Array): number {
  let sum = 0;
  let n = 0;
  for (const x of column)
    if (!Number.isNaN(x)) {
      sum += x;
      n++;
    }
  return n > 0 ? sum / n : Number.NaN;
}

describe('pairwise correlation', () => {
  it('matches the two-pass formula over pairwise-complete rows, across blocks and with gaps', () => {
    const random = seededRandom(31);
    const rows = 5_000; // more than two blocks, and a partial one
    const base = Float64Array.from({ length: rows }, () => random.normal());
    const columns = [
      // No gaps, gaps at random, gaps in long runs, gaps where another column has them too.
      Float64Array.from(base, (x) => 100 + x),
      Float64Array.from(base, (x) => (random.bernoulli(0.1) ? Number.NaN : -2 * x + random.normal())),
      Float64Array.from(base, (x, i) => (i % 3000 < 700 ? Number.NaN : x * x)),
      Float64Array.from(base, (x, i) => (i % 7 === 0 || i % 3000 < 700 ? Number.NaN : random.normal() + x)),
    ];
    const matrix = pairwiseCorrelation(columns, columns.map(meanOf));
    for (let a = 0; a < columns.length; a++)
      for (let b = 0; b < columns.length; b++) {
        const r = reference(columns[a]!, columns[b]!)!;
        expect(matrix[a]![b]).toBeCloseTo(r, 12);
      }
  });

  it('is undefined without two shared rows or without spread, on the diagonal too', () => {
    const nan = Number.NaN;
    const columns = [
      Float64Array.from([1, 2, 3, 4]),
      Float64Array.from([5, 5, 5, 5]),
      Float64Array.from([nan, nan, nan, nan]),
      Float64Array.from([nan, nan, 7, 1]),
      Float64Array.from([2, 9, nan, nan]),
    ];
    const matrix = pairwiseCorrelation(columns, columns.map(meanOf));
    expect(matrix.map((row, i) => row[i])).toEqual([1, null, null, 1, 1]);
    expect(matrix[0]![1]).toBeNull(); // no spread in the second
    expect(matrix[0]![2]).toBeNull(); // nothing shared
    expect(matrix[3]![4]).toBeNull(); // no row with both
    expect(matrix[0]![3]).toBe(-1);
    expect(matrix[0]![4]).toBe(1);
  });

  it('gives an empty matrix for no columns', () => {
    expect(pairwiseCorrelation([], [])).toEqual([]);
  });
});

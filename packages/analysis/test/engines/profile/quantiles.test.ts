import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/datasets/random';
import { countDistinct } from '../../../src/engines/profile/distinct';
import { histogram, histogramEdges } from '../../../src/engines/profile/histogram';
import { moments } from '../../../src/engines/profile/moments';
import { lerp, quantiles, select } from '../../../src/engines/profile/quantiles';

/** Reference: sort a copy and interpolate as numpy's "linear" method does. */
function sortedQuantile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * p;
  const k = Math.floor(h);
  return lerp(sorted[k]!, sorted[Math.min(k + 1, sorted.length - 1)]!, h - k);
}

describe('selection and quantiles', () => {
  it('puts the k-th smallest value at k, smaller ones before and larger ones after', () => {
    const random = seededRandom(2);
    for (const size of [1, 2, 7, 600, 601, 5_000]) {
      const values = Float64Array.from({ length: size }, () => random.integer(-50, 50) / 4);
      const sorted = Float64Array.from(values).sort();
      for (const k of new Set([0, Math.floor(size / 3), size - 1])) {
        const copy = Float64Array.from(values);
        select(copy, k);
        expect(copy[k]).toBe(sorted[k]);
        for (let i = 0; i < k; i++) expect(copy[i]).toBeLessThanOrEqual(copy[k]!);
        for (let i = k + 1; i < size; i++) expect(copy[i]).toBeGreaterThanOrEqual(copy[k]!);
      }
    }
  });

  it('equals sorting and interpolating, with heavy ties and heavy tails', () => {
    const random = seededRandom(5);
    const datasets = [
      Array.from({ length: 10_001 }, () => random.integer(0, 3)),
      Array.from({ length: 9_999 }, () => random.normal() / Math.max(1e-3, random.uniform())),
      Array.from({ length: 2 }, () => random.normal()),
      [42],
    ];
    for (const values of datasets) {
      const probabilities = [0.05, 0.25, 0.5, 0.75, 0.95];
      expect(quantiles(Float64Array.from(values), probabilities)).toEqual(
        probabilities.map((p) => sortedQuantile(values, p)),
      );
    }
  });

  it('interpolates as numpy does, from the upper value beyond the halfway point', () => {
    expect(lerp(1, 3, 0.25)).toBe(1.5);
    expect(lerp(0.1, 0.7, 0.75)).toBe(0.7 - (0.7 - 0.1) * 0.25);
  });
});

describe('histograms and moments', () => {
  it('puts a value on an inner edge in the bin to its right, and the maximum in the last bin', () => {
    const values = Float64Array.from({ length: 21 }, (_, i) => i);
    // Edges 0, 1, …, 20: each integer starts its bin; 20 joins 19 in the closed last bin.
    expect(histogram(values, 0, 20).counts).toEqual([...new Array(19).fill(1), 2]);
    expect(histogramEdges(0, 20)).toEqual(Array.from({ length: 21 }, (_, i) => i));
  });

  it('agrees with the edges it reports for every value of a seeded sample', () => {
    const random = seededRandom(9);
    const values = Float64Array.from({ length: 20_000 }, () => Math.round(random.normal(0, 3) * 8) / 8);
    const { min, max } = moments(values);
    const { edges, counts } = histogram(values, min, max);
    const expected = new Array(20).fill(0);
    for (const x of values) {
      const bin = edges.findIndex((edge, i) => i < 20 && x >= edge && (x < edges[i + 1]! || i === 19));
      expected[bin]++;
    }
    expect(counts).toEqual(expected);
  });

  it('keeps every digit of the mean of large values with a small spread', () => {
    // Offsets 0, 1/8, …, 7/8 are exact at 1e9: mean offset 3.5/8, population variance (8² − 1)/12/64.
    const values = Float64Array.from({ length: 100_000 }, (_, i) => 1e9 + (i % 8) / 8);
    const { mean, std } = moments(values);
    expect(mean).toBe(1e9 + 3.5 / 8);
    expect(std).toBeCloseTo(Math.sqrt(((63 / 12 / 64) * 100_000) / 99_999), 12);
  });
});

describe('distinct counts', () => {
  it('count each value once, with 0 and -0 as one', () => {
    expect(countDistinct(Float64Array.from([1, 2, 2, 3, 0, -0, 1e300, -1e-300, 3]))).toBe(6);
    expect(countDistinct(new Float64Array(0))).toBe(0);
  });

  it('agree with a Set on a large, mostly unique column (counted by hash partitions)', () => {
    const random = seededRandom(29);
    const values = Float64Array.from({ length: 200_000 }, () => Math.round(random.normal() * 1e5) / 1e3);
    values[7] = -0;
    values[8] = 0;
    expect(countDistinct(values)).toBe(new Set(values).size);
  });

  it('agree with a Set on a seeded sample full of collisions', () => {
    const random = seededRandom(23);
    const values = Float64Array.from({ length: 50_000 }, () => random.integer(0, 30_000) / 7);
    expect(countDistinct(values)).toBe(new Set(values).size);
  });
});

import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { seededRandom, logistic as sigmoid } from '../src/datasets/random';
import { differenceInMeans } from '../src/engines/causal/difference-in-means';
import { type IpwInput, ipwAtt, ipwHajek, ipwHorvitzThompson } from '../src/engines/causal/ipw';
import { logistic } from '../src/engines/causal/logistic';
import { matchNearestNeighbourAtt, nearestBlocks } from '../src/engines/causal/matching';
import { Standardized } from '../src/engines/causal/standardized';

const array = (values: number[]) => Float64Array.from(values);

describe('difference in means', () => {
  // Treated 3, 5, 7 (mean 5, variance 4); control 1, 2, 3, 6 (mean 3, variance 14/3).
  const y = array([3, 5, 7, 1, 2, 3, 6]);
  const t = array([1, 1, 1, 0, 0, 0, 0]);

  it('uses the pooled variance for the classical error', () => {
    const d = differenceInMeans(y, t);
    expect(d.estimate).toBe(2);
    // Pooled variance (2·4 + 3·14/3) / 5 = 4.4.
    expect(d.se).toBeCloseTo(Math.sqrt(4.4 * (1 / 3 + 1 / 4)), 14);
    expect(d.df).toBe(5);
  });

  it("uses each group's own variance and Satterthwaite's degrees of freedom for Welch's error", () => {
    const d = differenceInMeans(y, t);
    const [a, b] = [4 / 3, 14 / 3 / 4];
    expect(d.seWelch).toBeCloseTo(Math.sqrt(a + b), 14);
    expect(d.dfWelch).toBeCloseTo((a + b) ** 2 / (a ** 2 / 2 + b ** 2 / 3), 12);
  });
});

/** A seeded confounded study with its fitted propensity model, for the weighting estimators. */
function study(n: number, seed: number) {
  const random = seededRandom(seed);
  const x = array(Array.from({ length: n }, () => random.normal()));
  const z = array(Array.from({ length: n }, () => random.normal()));
  const t = x.map((v, i) => (random.bernoulli(sigmoid(0.6 * v - 0.4 * z[i]!)) ? 1 : 0));
  const y = x.map((v, i) => 1 + 2 * t[i]! + 1.5 * v - z[i]! + random.normal());
  const fit = logistic([x, z], t);
  return { input: { y, t, e: fit.probabilities, design: fit.design } satisfies IpwInput, fit };
}

/**
 * The textbook sandwich, computed the slow way: stack the propensity score equations with the
 * estimator's, differentiate their mean numerically, and form J⁻¹ B J⁻ᵀ / n.
 */
function bruteForceStandardError(
  input: IpwInput,
  extra: (y: number, t: number, e: number, theta: number[]) => number[],
  theta: number[],
  contrast: number[],
): number {
  const { y, t } = input;
  const design = input.design.columns();
  const n = y.length;
  const k = design.length;
  // β in the design's (standardized) parameterization: refit the logit on the design directly.
  const beta = logistic(design.slice(1), t).coefficients;
  const full = [...beta, ...theta];
  const scores = (params: number[]) => {
    const rows: number[][] = [];
    for (let i = 0; i < n; i++) {
      let eta = 0;
      for (let j = 0; j < k; j++) eta += params[j]! * design[j]![i]!;
      const e = sigmoid(eta);
      rows.push([
        ...design.map((column) => column[i]! * (t[i]! - e)),
        ...extra(y[i]!, t[i]!, e, params.slice(k)),
      ]);
    }
    return rows;
  };
  const meanScore = (params: number[]) => {
    const rows = scores(params);
    return full.map((_, r) => rows.reduce((s, row) => s + row[r]!, 0) / n);
  };
  const jacobian = new Matrix(full.length, full.length);
  full.forEach((value, c) => {
    const h = 1e-6 * Math.max(1, Math.abs(value));
    const up = meanScore(full.map((v, j) => (j === c ? v + h : v)));
    const down = meanScore(full.map((v, j) => (j === c ? v - h : v)));
    for (let r = 0; r < up.length; r++) jacobian.set(r, c, (up[r]! - down[r]!) / (2 * h));
  });
  const rows = scores(full);
  const meat = new Matrix(full.length, full.length);
  for (const row of rows)
    for (let a = 0; a < row.length; a++)
      for (let b = 0; b < row.length; b++) meat.set(a, b, meat.get(a, b) + (row[a]! * row[b]!) / n);
  const c = Matrix.columnVector([...new Array(k).fill(0), ...contrast]);
  const a = solve(jacobian.transpose(), c);
  return Math.sqrt(a.transpose().mmul(meat).mmul(a).get(0, 0) / n);
}

describe('inverse probability weighting', () => {
  it('computes the three estimators as their formulas say on a hand-sized example', () => {
    const input: IpwInput = {
      y: array([10, 12, 4, 6]),
      t: array([1, 1, 0, 0]),
      e: array([0.5, 0.8, 0.25, 0.5]),
      // An intercept and one covariate, taken as it is (centre 0, scale 1).
      design: new Standardized([array([0, 1, -1, 0])], [0], [1]),
    };
    // Hájek: (10/0.5 + 12/0.8) / (1/0.5 + 1/0.8) − (4/0.75 + 6/0.5) / (1/0.75 + 1/0.5).
    expect(ipwHajek(input).estimate).toBeCloseTo((20 + 15) / 3.25 - (4 / 0.75 + 12) / (1 / 0.75 + 2), 12);
    // Horvitz–Thompson: (20 + 15 − 4/0.75 − 12) / 4.
    expect(ipwHorvitzThompson(input).estimate).toBeCloseTo((35 - 4 / 0.75 - 12) / 4, 12);
    // ATT: mean of treated minus controls weighted by odds 1/3 and 1.
    expect(ipwAtt(input).estimate).toBeCloseTo(11 - (4 / 3 + 6) / (1 / 3 + 1), 12);
  });

  it('gives standard errors equal to the brute-force stacked sandwich', () => {
    const { input } = study(400, 21);
    const hajek = ipwHajek(input);
    const ht = ipwHorvitzThompson(input);
    const att = ipwAtt(input);
    const mu = (weight: (t: number, e: number) => number) => {
      let s = 0;
      let w = 0;
      input.y.forEach((y, i) => {
        s += weight(input.t[i]!, input.e[i]!) * y;
        w += weight(input.t[i]!, input.e[i]!);
      });
      return s / w;
    };
    const [mu1, mu0] = [mu((t, e) => t / e), mu((t, e) => (1 - t) / (1 - e))];
    expect(hajek.se).toBeCloseTo(
      bruteForceStandardError(
        input,
        (y, t, e, [m1, m0]) => [(t * (y - m1!)) / e, ((1 - t) * (y - m0!)) / (1 - e)],
        [mu1, mu0],
        [1, -1],
      ),
      6,
    );
    expect(ht.se).toBeCloseTo(
      bruteForceStandardError(
        input,
        (y, t, e, [tau]) => [(t * y) / e - ((1 - t) * y) / (1 - e) - tau!],
        [ht.estimate],
        [1],
      ),
      6,
    );
    const [a1, a0] = [mu((t) => t), mu((t, e) => ((1 - t) * e) / (1 - e))];
    expect(att.se).toBeCloseTo(
      bruteForceStandardError(
        input,
        (y, t, e, [m1, m0]) => [t * (y - m1!), ((1 - t) * e * (y - m0!)) / (1 - e)],
        [a1, a0],
        [1, -1],
      ),
      6,
    );
  });

  it('has errors that match the spread of the estimates over 200 seeded repetitions', () => {
    const estimates: Record<string, number[]> = { hajek: [], ht: [], att: [] };
    const errors: Record<string, number[]> = { hajek: [], ht: [], att: [] };
    for (let rep = 0; rep < 200; rep++) {
      const { input } = study(500, 1000 + rep);
      for (const [name, fn] of [
        ['hajek', ipwHajek],
        ['ht', ipwHorvitzThompson],
        ['att', ipwAtt],
      ] as const) {
        const result = fn(input);
        estimates[name]!.push(result.estimate);
        errors[name]!.push(result.se);
      }
    }
    for (const name of ['hajek', 'ht', 'att']) {
      const values = estimates[name]!;
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const spread = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
      const typicalError = errors[name]!.reduce((a, b) => a + b, 0) / values.length;
      expect(Math.abs(mean - 2)).toBeLessThan(3 * (spread / Math.sqrt(values.length)) + 0.02);
      expect(typicalError / spread).toBeGreaterThan(0.8);
      expect(typicalError / spread).toBeLessThan(1.25);
    }
  });
});

describe('nearest-neighbour matching', () => {
  it('pairs each treated unit with the nearest control and averages the differences', () => {
    const result = matchNearestNeighbourAtt({
      y: array([10, 20, 4, 6, 8, 13]),
      t: array([1, 1, 0, 0, 0, 0]),
      score: array([0, 1, -0.1, 0.5, 0.5, 1.2]),
    });
    // 0 → −0.1 (y 4): 6; 1 → 1.2 (y 13): 7.
    expect(result.estimate).toBe(6.5);
    expect(result.controlsUsed).toBe(2);
  });

  it('averages controls that are equally near, whatever order the rows come in', () => {
    const forward = matchNearestNeighbourAtt({
      y: array([20, 6, 8, 13, 1]),
      t: array([1, 0, 0, 0, 0]),
      score: array([1, 0.5, 1.5, 1.5, 4]),
    });
    // Equally near below (0.5: y 6) and above (1.5: y 8 and 13): the average of 6, 8 and 13.
    expect(forward.estimate).toBeCloseTo(20 - 9, 12);
    const reversed = matchNearestNeighbourAtt({
      y: array([1, 13, 8, 6, 20]),
      t: array([0, 0, 0, 0, 1]),
      score: array([4, 1.5, 1.5, 0.5, 1]),
    });
    expect(reversed.estimate).toBe(forward.estimate);
  });

  it("computes Abadie and Imbens' variance for a reused control", () => {
    // Three treated units all match the control at 0 (y 2): differences 3, 5, 7, mean 5.
    // That control is used K = 3 times: (K² − K)·σ², with σ² = ½(2 − 6)² from its neighbour at 1.
    const result = matchNearestNeighbourAtt({
      y: array([5, 7, 9, 2, 6]),
      t: array([1, 1, 1, 0, 0]),
      score: array([0.1, 0.2, 0.3, 0, 1]),
    });
    expect(result.estimate).toBe(5);
    expect(result.se).toBeCloseTo(Math.sqrt(8 + 6 * 8) / 3, 12);
  });

  it('finds the nearest block on either side, or both when equally near', () => {
    const values = array([0, 1, 3]);
    expect(nearestBlocks(values, 1)).toEqual([1]);
    expect(nearestBlocks(values, 0.4)).toEqual([0]);
    expect(nearestBlocks(values, 2)).toEqual([1, 2]);
    expect(nearestBlocks(values, 9)).toEqual([2]);
    expect(nearestBlocks(values, 1, 1)).toEqual([0]);
    expect(nearestBlocks(array([5]), 5, 0)).toEqual([]);
  });
});

import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { seededRandom, logistic as sigmoid } from '../../../src/datasets/random';
import { differenceInMeans } from '../../../src/engines/causal/difference-in-means';
import {
  evaluationPass,
  fitPropensity,
  fittedValues,
  logistic,
  type PropensityModel,
  sharedArray,
} from '../../../src/engines/causal/logistic';
import { matchNearestNeighbourAtt, nearestBlocks } from '../../../src/engines/causal/matching';
import type { ScoreTarget } from '../../../src/engines/causal/overlap';
import { runner } from '../../../src/engines/causal/passes';
import {
  columnRows,
  forEachChunk,
  passRanges,
  rangeOf,
  type StudyRows,
} from '../../../src/engines/causal/study-rows';
import { firstPassParams, weighting, weightingMethods } from '../../../src/engines/causal/weighting';

const array = (values: number[]) => Float64Array.from(values);

describe('difference in means', () => {
  // Treated 3, 5, 7 (mean 5, variance 4); control 1, 2, 3, 6 (mean 3, variance 14/3).
  const rows = columnRows({
    y: array([3, 5, 7, 1, 2, 3, 6]),
    t: array([1, 1, 1, 0, 0, 0, 0]),
    covariates: [],
  });

  it('uses the pooled variance for the classical error', () => {
    const d = differenceInMeans(rows);
    expect(d.estimate).toBe(2);
    // Pooled variance (2·4 + 3·14/3) / 5 = 4.4.
    expect(d.se).toBeCloseTo(Math.sqrt(4.4 * (1 / 3 + 1 / 4)), 14);
    expect(d.df).toBe(5);
  });

  it('gives a zero-width interval on the pooled degrees of freedom when neither group varies', () => {
    const flat = differenceInMeans(
      columnRows({ y: array([4, 4, 1, 1]), t: array([1, 1, 0, 0]), covariates: [] }),
    );
    expect([flat.estimate, flat.se, flat.seWelch, flat.dfWelch]).toEqual([3, 0, 0, 2]);
  });

  it("uses each group's own variance and Satterthwaite's degrees of freedom for Welch's error", () => {
    const d = differenceInMeans(rows);
    const [a, b] = [4 / 3, 14 / 3 / 4];
    expect(d.seWelch).toBeCloseTo(Math.sqrt(a + b), 14);
    expect(d.dfWelch).toBeCloseTo((a + b) ** 2 / (a ** 2 / 2 + b ** 2 / 3), 12);
  });
});

/** The three weighting estimators over a study's rows with a fitted (or given) propensity model. */
async function weigh(rows: StudyRows, model: PropensityModel) {
  const treated = rows.treated;
  const targets: [ScoreTarget, ScoreTarget] = [
    { memory: sharedArray(rows.n - treated) },
    { memory: sharedArray(treated) },
  ];
  const run = runner(rows);
  // The first pass, as it rides along the fit's last.
  const { first } = await run.run(evaluationPass, {
    standardization: model,
    beta: model.beta,
    hessian: false,
    first: firstPassParams(rows.n, treatedByRange(rows), targets),
  });
  return (await weighting(run, model, first!, targets, weightingMethods, names(rows))).estimates;
}

const names = (rows: StudyRows) => Array.from({ length: rows.covariateCount }, (_, j) => `x${j + 1}`);

/** Treated rows in each range of a pass. */
function treatedByRange(rows: StudyRows): number[] {
  return Array.from({ length: passRanges }, (_, index) => {
    let count = 0;
    forEachChunk(
      rows,
      ({ t }, from, length) => {
        for (let i = from; i < from + length; i++) count += t[i]!;
      },
      rangeOf(rows.n, index),
    );
    return count;
  });
}

/** A seeded confounded study with its fitted propensity model, for the weighting estimators. */
async function study(n: number, seed: number) {
  const random = seededRandom(seed);
  const x = array(Array.from({ length: n }, () => random.normal()));
  const z = array(Array.from({ length: n }, () => random.normal()));
  const t = x.map((v, i) => (random.bernoulli(sigmoid(0.6 * v - 0.4 * z[i]!)) ? 1 : 0));
  const y = x.map((v, i) => 1 + 2 * t[i]! + 1.5 * v - z[i]! + random.normal());
  const rows = columnRows({ y, t, covariates: [x, z] });
  const model = await fitPropensity(runner(rows));
  // The design as the model was fitted on it: an intercept and each covariate standardized.
  const design = [
    new Float64Array(n).fill(1),
    ...[x, z].map((c, j) => c.map((v) => (v - model.means[j]!) * model.scales[j]!)),
  ];
  return { rows, model, y, t, e: fittedValues(rows, model).probabilities, design };
}

type Study = Awaited<ReturnType<typeof study>>;

/**
 * The textbook sandwich, computed the slow way: stack the propensity score equations with the
 * estimator's, differentiate their mean numerically, and form J⁻¹ B J⁻ᵀ / n.
 */
async function bruteForceStandardError(
  { y, t, design }: Study,
  extra: (y: number, t: number, e: number, theta: number[]) => number[],
  theta: number[],
  contrast: number[],
): Promise<number> {
  const n = y.length;
  const k = design.length;
  // β in the design's (standardized) parameterization: refit the logit on the design directly.
  const beta = (await logistic(design.slice(1), t)).coefficients;
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
  it('computes the three estimators as their formulas say on a hand-sized example', async () => {
    // An intercept and one covariate taken as it is, with β = (0, ln 4): propensities 0.5, 0.8, 0.2, 0.5.
    const rows = columnRows({
      y: array([10, 12, 4, 6]),
      t: array([1, 1, 0, 0]),
      covariates: [array([0, 1, -1, 0])],
    });
    const model: PropensityModel = {
      means: [0],
      sds: [1],
      scales: [1],
      beta: [0, Math.log(4)],
      coefficients: [0, Math.log(4)],
      information: Matrix.eye(2),
      iterations: 0,
      converged: true,
      singular: false,
      separated: false,
    };
    const estimates = await weigh(rows, model);
    // Hájek: (10/0.5 + 12/0.8) / (1/0.5 + 1/0.8) − (4/0.8 + 6/0.5) / (1/0.8 + 1/0.5).
    expect(estimates.ipw_hajek!.estimate).toBeCloseTo(35 / 3.25 - 17 / 3.25, 12);
    // Horvitz–Thompson: (20 + 15 − 4/0.8 − 12) / 4.
    expect(estimates.ipw_horvitz_thompson!.estimate).toBeCloseTo(18 / 4, 12);
    // ATT: mean of treated minus controls weighted by odds 1/4 and 1.
    expect(estimates.ipw_att!.estimate).toBeCloseTo(11 - (4 / 4 + 6) / (1 / 4 + 1), 12);
  });

  it('gives standard errors equal to the brute-force stacked sandwich', async () => {
    const fitted = await study(400, 21);
    const {
      ipw_hajek: hajek,
      ipw_horvitz_thompson: ht,
      ipw_att: att,
    } = await weigh(fitted.rows, fitted.model);
    const mu = (weight: (t: number, e: number) => number) => {
      let s = 0;
      let w = 0;
      fitted.y.forEach((y, i) => {
        s += weight(fitted.t[i]!, fitted.e[i]!) * y;
        w += weight(fitted.t[i]!, fitted.e[i]!);
      });
      return s / w;
    };
    const [mu1, mu0] = [mu((t, e) => t / e), mu((t, e) => (1 - t) / (1 - e))];
    expect(hajek!.se).toBeCloseTo(
      await bruteForceStandardError(
        fitted,
        (y, t, e, [m1, m0]) => [(t * (y - m1!)) / e, ((1 - t) * (y - m0!)) / (1 - e)],
        [mu1, mu0],
        [1, -1],
      ),
      6,
    );
    expect(ht!.se).toBeCloseTo(
      await bruteForceStandardError(
        fitted,
        (y, t, e, [tau]) => [(t * y) / e - ((1 - t) * y) / (1 - e) - tau!],
        [ht!.estimate],
        [1],
      ),
      6,
    );
    const [a1, a0] = [mu((t) => t), mu((t, e) => ((1 - t) * e) / (1 - e))];
    expect(att!.se).toBeCloseTo(
      await bruteForceStandardError(
        fitted,
        (y, t, e, [m1, m0]) => [t * (y - m1!), ((1 - t) * e * (y - m0!)) / (1 - e)],
        [a1, a0],
        [1, -1],
      ),
      6,
    );
  });

  it('has errors that match the spread of the estimates over 200 seeded repetitions', async () => {
    const estimates: Record<string, number[]> = { hajek: [], ht: [], att: [] };
    const errors: Record<string, number[]> = { hajek: [], ht: [], att: [] };
    for (let rep = 0; rep < 200; rep++) {
      const { rows, model } = await study(500, 1000 + rep);
      const all = await weigh(rows, model);
      for (const [name, method] of [
        ['hajek', 'ipw_hajek'],
        ['ht', 'ipw_horvitz_thompson'],
        ['att', 'ipw_att'],
      ] as const) {
        estimates[name]!.push(all[method]!.estimate);
        errors[name]!.push(all[method]!.se);
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

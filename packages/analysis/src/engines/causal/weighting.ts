import { Matrix, solve } from 'ml-matrix';
import { type Balance, BalanceSums } from './balance';
import type { GroupWeights } from './diagnostics';
import { addWeightedSums } from './gram';
import type { PropensityModel } from './logistic';
import type { MatchingInput } from './matching';
import { type Overlap, OverlapCounts, type ScoreTarget, ScoreWriter } from './overlap';
import type { Pass, Runner } from './passes';
import { forEachPropensities, type PropensityChunk, type Standardization } from './propensity-chunk';
import { chunkRows, rangeOf, type StudyBlock } from './study-rows';

/**
 * Inverse probability weighting estimators, with standard errors from the stacked estimating
 * equations (M-estimation): the propensity model's score z(t − e) is stacked with the
 * estimator's own equations, so the uncertainty of the fitted propensities is accounted for.
 * The variance is (1/n²) Σ φ_i², with φ_i = c'J⁻¹ψ_i the influence of row i, J the Jacobian of
 * the mean estimating function and c the contrast that picks the effect out of the stack. All
 * three estimators take three passes over the rows together: the weighted means, with the
 * overlap and the weights' sums (the first pass, which rides along the propensity model's last,
 * logistic.ts); each equation's mean derivative in β (the β block of J is the model's
 * information, which comes with its fit); and each row's influence.
 */

/** The weighting estimators, in the order results list them. */
export const weightingMethods = ['ipw_hajek', 'ipw_horvitz_thompson', 'ipw_att'] as const;
export type WeightingMethod = (typeof weightingMethods)[number];

export interface WeightingEstimate {
  estimate: number;
  se: number;
}

export interface Weighting {
  estimates: Partial<Record<WeightingMethod, WeightingEstimate>>;
  overlap: Overlap;
  /** The covariates' standardized differences before and after weighting. */
  balance: Balance[];
  /** Each group's ATE weights (control, treated) and the controls' ATT weights, summed, for the warnings. */
  ateWeights: [GroupWeights, GroupWeights];
  attWeights: GroupWeights;
}

/**
 * a in a' = c'J⁻¹, the weights that make row i's influence φ_i = a'ψ_i: J is the Jacobian of the
 * stacked equations, from the propensity model's information, each equation's mean ∂ψ_m/∂β
 * (`rows`, already divided by n) and its ∂ψ_m/∂θ_m (`slope`).
 */
export function influenceWeights(
  information: Matrix,
  rows: readonly number[][],
  slope: readonly number[],
  contrast: readonly number[],
): number[] {
  const k = information.rows;
  const m = rows.length;
  const jacobian = Matrix.zeros(k + m, k + m);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) jacobian.set(a, b, -information.get(a, b));
  for (let r = 0; r < m; r++) {
    for (const [a, value] of rows[r]!.entries()) jacobian.set(k + r, a, value);
    jacobian.set(k + r, k + r, slope[r]!);
  }
  // a' = c'J⁻¹, i.e. J'a = c.
  const c = Matrix.columnVector([...new Array<number>(k).fill(0), ...contrast]);
  return solve(jacobian.transpose(), c).to1DArray();
}

/** Where each of the first pass's sums sits. */
const first = {
  hajek1y: 0,
  hajek1: 1,
  hajek0y: 2,
  hajek0: 3,
  att1y: 4,
  att1: 5,
  att0y: 6,
  att0: 7,
} as const;
/** Then the weights' sums: the control and treated rows' ATE weights, the controls' ATT weights. */
const weightSums = { sum: 0, squares: 1, largest: 2, count: 3 } as const;
const weightsAt = [8, 12, 16] as const;
const firstWidth = 20;

/** What the first pass needs besides the rows and the propensities: where its by-products go. */
export interface FirstPassParams {
  /** Where each group's propensities go (control, treated), and each range's first positions there (firstPassParams). */
  targets: [ScoreTarget, ScoreTarget];
  offsets: [number, number][];
  /** Each row's x'β, outcome and treatment for matching, in shared memory, when asked for. */
  kept?: MatchingInput;
}

/**
 * The first pass's params: each range's propensities go to the targets after those of the ranges
 * before it, so the ranges fill them as one pass in row order would.
 */
export function firstPassParams(
  n: number,
  treatedByRange: readonly number[],
  targets: [ScoreTarget, ScoreTarget],
  kept?: MatchingInput,
): FirstPassParams {
  const offsets: [number, number][] = [];
  let [control, treated] = [0, 0];
  treatedByRange.forEach((inRange, index) => {
    offsets.push([control, treated]);
    const [from, to] = rangeOf(n, index);
    control += to - from - inRange;
    treated += inRange;
  });
  return { targets, offsets, ...(kept && { kept }) };
}

/** A range's first-pass sums: the weighted means' and the weights' (flat), and the overlap's counts. */
export interface FirstPassSums {
  sums: Float64Array;
  overlap: Float64Array;
}

/** The first pass over a range's chunks, handed each chunk with its propensities filled in. */
export class FirstPass {
  readonly sums = new Float64Array(firstWidth);
  private readonly overlap = new OverlapCounts();
  private readonly writers: [ScoreWriter, ScoreWriter];

  constructor(
    private readonly params: FirstPassParams,
    index: number,
  ) {
    const offsets = params.offsets[index]!;
    this.writers = [
      new ScoreWriter(params.targets[0], offsets[0]),
      new ScoreWriter(params.targets[1], offsets[1]),
    ];
  }

  add(block: StudyBlock, from: number, length: number, chunk: PropensityChunk): void {
    const { e } = chunk;
    const { t, y } = block;
    const sums = this.sums;
    let hajek1y = 0;
    let hajek1 = 0;
    let hajek0y = 0;
    let hajek0 = 0;
    let att1y = 0;
    let att1 = 0;
    let att0y = 0;
    let att0 = 0;
    for (let i = 0; i < length; i++) {
      const outcome = y[from + i]!;
      const p = e[i]!;
      if (t[from + i] === 1) {
        const w = 1 / p;
        hajek1y += w * outcome;
        hajek1 += w;
        att1y += outcome;
        att1++;
        addWeight(sums, weightsAt[1], w);
      } else {
        const w = 1 / (1 - p);
        const odds = w * p;
        hajek0y += w * outcome;
        hajek0 += w;
        att0y += odds * outcome;
        att0 += odds;
        addWeight(sums, weightsAt[0], w);
        addWeight(sums, weightsAt[2], odds);
      }
    }
    sums[first.hajek1y]! += hajek1y;
    sums[first.hajek1]! += hajek1;
    sums[first.hajek0y]! += hajek0y;
    sums[first.hajek0]! += hajek0;
    sums[first.att1y]! += att1y;
    sums[first.att1]! += att1;
    sums[first.att0y]! += att0y;
    sums[first.att0]! += att0;
    this.overlap.add(t, from, e, length, this.writers);
    const { kept } = this.params;
    if (kept) {
      const at = block.start + from;
      kept.score.set(chunk.eta.subarray(0, length), at);
      kept.y.set(y.subarray(from, from + length), at);
      kept.t.set(t.subarray(from, from + length), at);
    }
  }

  finish(): FirstPassSums {
    for (const writer of this.writers) writer.close();
    return { sums: this.sums, overlap: this.overlap.counts };
  }

  /** Two ranges' sums together. */
  static merge(a: FirstPassSums, b: FirstPassSums): FirstPassSums {
    const sums = Float64Array.from(a.sums);
    for (let i = 0; i < sums.length; i++) {
      const largest = weightsAt.some((at) => i === at + weightSums.largest);
      sums[i] = largest ? Math.max(sums[i]!, b.sums[i]!) : sums[i]! + b.sums[i]!;
    }
    return { sums, overlap: OverlapCounts.merge(a.overlap, b.overlap) };
  }
}

function addWeight(sums: Float64Array, at: number, weight: number): void {
  sums[at + weightSums.sum]! += weight;
  sums[at + weightSums.squares]! += weight * weight;
  if (weight > sums[at + weightSums.largest]!) sums[at + weightSums.largest] = weight;
  sums[at + weightSums.count]!++;
}

/** The model's coefficients and standardization: what a pass computes the propensities from. */
export type Propensities = Pick<PropensityModel, 'beta'> & Standardization;

interface JacobianParams {
  model: Propensities;
  mu: { hajek1: number; hajek0: number; att0: number };
  support: [number, number];
  /** The covariates' centres for the balance sums, before and after weighting, which come along. */
  centres: number[];
}

interface JacobianSums {
  jacobian: Float64Array;
  overlap: Float64Array;
  balance: { covariates: Float64Array; weights: Float64Array };
}

/**
 * The second pass: each equation's derivative in β, summed over the rows (Hájek's two, Horvitz and
 * Thompson's, the ATT's control equation), the rows outside the common support and the balance sums.
 * ∂(1/e)/∂β = −(1 − e)/e·z, ∂(1/(1 − e))/∂β = e/(1 − e)·z and ∂odds/∂β = odds·z.
 */
export const jacobianPass: Pass<JacobianParams, JacobianSums> = {
  name: 'jacobian',
  run(rows, index, { model, mu, support, centres }) {
    const k = rows.covariateCount + 1;
    const jacobian = new Float64Array(4 * k);
    const into = [0, 1, 2, 3].map((m) => jacobian.subarray(m * k, (m + 1) * k));
    const factors = Array.from({ length: 4 }, () => new Float64Array(chunkRows));
    const [hajek1, hajek0, horvitz, att0] = factors as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const overlap = new OverlapCounts();
    const balance = new BalanceSums(centres);
    forEachPropensities(rows, index, model, (block, from, length, { e, z }) => {
      const { t, y } = block;
      overlap.countOutside(e, length, support);
      balance.add(block, from, length, e);
      for (let i = 0; i < length; i++) {
        const outcome = y[from + i]!;
        const p = e[i]!;
        if (t[from + i] === 1) {
          const w = 1 / p;
          hajek1[i] = -(w * (outcome - mu.hajek1)) * (1 - p);
          hajek0[i] = 0;
          horvitz[i] = -(w * outcome) * (1 - p);
          att0[i] = 0;
        } else {
          const w = 1 / (1 - p);
          hajek1[i] = 0;
          hajek0[i] = w * (outcome - mu.hajek0) * p;
          horvitz[i] = -(w * outcome) * p;
          att0[i] = w * p * (outcome - mu.att0);
        }
      }
      for (let m = 0; m < 4; m++) addWeightedSums(z, factors[m]!, length, into[m]!);
    });
    return {
      jacobian,
      overlap: overlap.counts,
      balance: { covariates: balance.covariates, weights: balance.weights },
    };
  },
  merge: (a, b) => ({
    jacobian: a.jacobian.map((s, i) => s + b.jacobian[i]!),
    overlap: OverlapCounts.merge(a.overlap, b.overlap),
    balance: BalanceSums.merge(a.balance, b.balance),
  }),
};

interface InfluenceParams {
  model: Propensities;
  mu: { hajek1: number; hajek0: number; tau: number; att1: number; att0: number };
  /** Each estimator's influence weights (influenceWeights): Hájek's, Horvitz and Thompson's, the ATT's. */
  a: [number[], number[], number[]];
}

/** The third pass: each row's influence on each estimate, squared and summed. */
export const influencePass: Pass<InfluenceParams, Float64Array> = {
  name: 'influence',
  run(rows, index, { model, mu, a: [hajekA, horvitzA, attA] }) {
    const k = rows.covariateCount + 1;
    const scores = [new Float64Array(chunkRows), new Float64Array(chunkRows), new Float64Array(chunkRows)];
    const [hajekScore, horvitzScore, attScore] = scores as [Float64Array, Float64Array, Float64Array];
    const squares = new Float64Array(3);
    forEachPropensities(rows, index, model, (block, from, length, { e, z }) => {
      const { t, y } = block;
      // The propensity score's share of each influence, a'z, a column at a time.
      hajekScore.fill(hajekA[0]!, 0, length);
      horvitzScore.fill(horvitzA[0]!, 0, length);
      attScore.fill(attA[0]!, 0, length);
      for (let j = 1; j < k; j++) {
        const x = z[j]!;
        const h = hajekA[j]!;
        const v = horvitzA[j]!;
        const w = attA[j]!;
        for (let i = 0; i < length; i++) {
          hajekScore[i] = hajekScore[i]! + h * x[i]!;
          horvitzScore[i] = horvitzScore[i]! + v * x[i]!;
          attScore[i] = attScore[i]! + w * x[i]!;
        }
      }
      let hajekSquares = 0;
      let horvitzSquares = 0;
      let attSquares = 0;
      for (let i = 0; i < length; i++) {
        const g = t[from + i]!;
        const outcome = y[from + i]!;
        const p = e[i]!;
        const residual = g - p;
        let hajek = hajekScore[i]! * residual;
        let horvitz = horvitzScore[i]! * residual - horvitzA[k]! * mu.tau;
        let att = attScore[i]! * residual;
        if (g === 1) {
          const w = 1 / p;
          hajek += hajekA[k]! * w * (outcome - mu.hajek1);
          horvitz += horvitzA[k]! * w * outcome;
          att += attA[k]! * (outcome - mu.att1);
        } else {
          const w = 1 / (1 - p);
          hajek += hajekA[k + 1]! * w * (outcome - mu.hajek0);
          horvitz -= horvitzA[k]! * w * outcome;
          att += attA[k + 1]! * w * p * (outcome - mu.att0);
        }
        hajekSquares += hajek * hajek;
        horvitzSquares += horvitz * horvitz;
        attSquares += att * att;
      }
      squares[0]! += hajekSquares;
      squares[1]! += horvitzSquares;
      squares[2]! += attSquares;
    });
    return squares;
  },
  merge: (a, b) => a.map((s, i) => s + b[i]!),
};

/**
 * The weighting estimators asked for (Hájek's normalized weights 1/e and 1/(1 − e); Horvitz and
 * Thompson's mean of t·y/e − (1 − t)·y/(1 − e); the ATT, treated rows against controls weighted
 * by the odds e/(1 − e)), from the first pass's sums at the model's fit and two more passes, with
 * the propensities' overlap (each group's in `targets`), the weights' sums and the covariates'
 * balance (named `names`, centred at the model's means).
 */
export async function weighting(
  runner: Runner,
  model: PropensityModel,
  firstPass: FirstPassSums,
  targets: readonly [ScoreTarget, ScoreTarget],
  methods: readonly WeightingMethod[],
  names: readonly string[],
): Promise<Weighting> {
  const n = runner.rows.n;
  const k = runner.rows.covariateCount + 1;
  const { sums } = firstPass;
  const mu = {
    hajek1: sums[first.hajek1y]! / sums[first.hajek1]!,
    hajek0: sums[first.hajek0y]! / sums[first.hajek0]!,
    tau: (sums[first.hajek1y]! - sums[first.hajek0y]!) / n,
    att1: sums[first.att1y]! / sums[first.att1]!,
    att0: sums[first.att0y]! / sums[first.att0]!,
  };
  const { beta, means, sds, scales } = model;
  const propensities = { beta, means, sds, scales };
  const counts = new OverlapCounts(firstPass.overlap);
  const second = await runner.run(jacobianPass, {
    model: propensities,
    mu,
    support: counts.commonSupport(),
    centres: means,
  });
  const overlap = new OverlapCounts(OverlapCounts.merge(firstPass.overlap, second.overlap)).result(targets);
  const weights = weightsAt.map(
    (at, i): GroupWeights => ({
      group: i === 1 ? 1 : 0,
      sum: sums[at + weightSums.sum]!,
      squares: sums[at + weightSums.squares]!,
      largest: sums[at + weightSums.largest]!,
      count: sums[at + weightSums.count]!,
    }),
  );
  const result = {
    overlap,
    balance: new BalanceSums(means, second.balance).result(names, n, true),
    ateWeights: [weights[0]!, weights[1]!] as [GroupWeights, GroupWeights],
    attWeights: weights[2]!,
  };
  if (methods.length === 0) return { estimates: {}, ...result };

  const perRow = (m: number) => Array.from(second.jacobian.subarray(m * k, (m + 1) * k), (s) => s / n);
  const { information } = model;
  const a: [number[], number[], number[]] = [
    influenceWeights(
      information,
      [perRow(0), perRow(1)],
      [-sums[first.hajek1]! / n, -sums[first.hajek0]! / n],
      [1, -1],
    ),
    influenceWeights(information, [perRow(2)], [-1], [1]),
    influenceWeights(
      information,
      [new Array<number>(k).fill(0), perRow(3)],
      [-sums[first.att1]! / n, -sums[first.att0]! / n],
      [1, -1],
    ),
  ];
  const squares = await runner.run(influencePass, { model: propensities, mu, a });
  const se = (sum: number) => Math.sqrt(sum) / n;
  const estimates: Weighting['estimates'] = {};
  if (methods.includes('ipw_hajek'))
    estimates.ipw_hajek = { estimate: mu.hajek1 - mu.hajek0, se: se(squares[0]!) };
  if (methods.includes('ipw_horvitz_thompson'))
    estimates.ipw_horvitz_thompson = { estimate: mu.tau, se: se(squares[1]!) };
  if (methods.includes('ipw_att')) estimates.ipw_att = { estimate: mu.att1 - mu.att0, se: se(squares[2]!) };
  return { estimates, ...result };
}

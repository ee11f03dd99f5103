import type { Balance } from '@cascade/core/contract';
import type { Pass, Runner } from './passes';
import { chunkRows, forEachChunk, rangeOf, type StudyBlock } from './study-rows';

export type { Balance } from '@cascade/core/contract';

/** Where each of a covariate's sums sits: over everyone and over the treated, of d = x − centre, d², and d weighted for the ATE and the ATT. */
const sum = {
  treatedD: 0,
  allD: 1,
  treatedD2: 2,
  allD2: 3,
  treatedAte: 4,
  allAte: 5,
  treatedAtt: 6,
  allAtt: 7,
} as const;
const perCovariate = 8;
/** The weights' own sums, the same for every covariate. */
const weight = { treated: 0, treatedAte: 1, allAte: 2, treatedAtt: 3, allAtt: 4 } as const;

/**
 * The sums behind the standardized mean differences, a chunk of rows at a time. t is 0/1, so
 * multiplying by it selects without a branch, and the control sums are the differences. d taken
 * from a centre near the mean keeps the squares exact.
 */
export class BalanceSums {
  readonly covariates: Float64Array;
  readonly weights = new Float64Array(5);
  private readonly ate = new Float64Array(chunkRows);
  private readonly att = new Float64Array(chunkRows);

  constructor(
    readonly centres: readonly number[],
    sums?: { covariates: Float64Array; weights: Float64Array },
  ) {
    this.covariates = sums?.covariates ?? new Float64Array(centres.length * perCovariate);
    if (sums) this.weights.set(sums.weights);
  }

  /**
   * Adds rows [from, from + length) of the block, weighted by their propensities `e` (rows from
   * 0) if given: 1/e or 1/(1 − e) for the ATE, 1 or e/(1 − e) for the ATT.
   */
  add(block: StudyBlock, from: number, length: number, e?: Float64Array): void {
    const { ate, att, weights } = this;
    const t = block.t;
    // The weights' own sums: over the treated and over everyone, for each estimand.
    const sums = [0, 0, 0, 0, 0];
    for (let i = 0; i < length; i++) {
      const g = t[from + i]!;
      const p = e ? e[i]! : 0;
      const a = !e ? 0 : g === 1 ? 1 / p : 1 / (1 - p);
      const b = !e ? 0 : g === 1 ? 1 : p / (1 - p);
      ate[i] = a;
      att[i] = b;
      sums[weight.treated]! += g;
      sums[weight.treatedAte]! += g * a;
      sums[weight.allAte]! += a;
      sums[weight.treatedAtt]! += g * b;
      sums[weight.allAtt]! += b;
    }
    for (let k = 0; k < sums.length; k++) weights[k]! += sums[k]!;
    for (const [j, x] of block.covariates.entries())
      addCovariate(x, t, from, length, ate, att, this.covariates, j * perCovariate, this.centres[j]!);
  }

  /** Two ranges' sums as one. */
  static merge(
    a: { covariates: Float64Array; weights: Float64Array },
    b: { covariates: Float64Array; weights: Float64Array },
  ): { covariates: Float64Array; weights: Float64Array } {
    return {
      covariates: a.covariates.map((s, i) => s + b.covariates[i]!),
      weights: a.weights.map((s, i) => s + b.weights[i]!),
    };
  }

  /** Each covariate's standardized differences over the n rows summed, after weighting if the sums were weighted. */
  result(names: readonly string[], n: number, weighted: boolean): Balance[] {
    const w = this.weights;
    const treated = w[weight.treated]!;
    const control = n - treated;
    const variance = (count: number, sum: number, squares: number) =>
      (squares - (sum * sum) / count) / (count - 1);
    return names.map((name, j) => {
      const s = this.covariates.subarray(j * perCovariate, (j + 1) * perCovariate);
      const scale = Math.sqrt(
        (variance(treated, s[sum.treatedD]!, s[sum.treatedD2]!) +
          variance(control, s[sum.allD]! - s[sum.treatedD]!, s[sum.allD2]! - s[sum.treatedD2]!)) /
          2,
      );
      const smd = (difference: number) => (scale > 0 ? difference / scale : null);
      const after = (treatedD: number, allD: number, treatedW: number, allW: number) =>
        weighted ? smd(treatedD / treatedW - (allD - treatedD) / (allW - treatedW)) : null;
      return {
        covariate: name,
        smdBefore: smd(s[sum.treatedD]! / treated - (s[sum.allD]! - s[sum.treatedD]!) / control),
        smdAfter: after(s[sum.treatedAte]!, s[sum.allAte]!, w[weight.treatedAte]!, w[weight.allAte]!),
        smdAfterAtt: after(s[sum.treatedAtt]!, s[sum.allAtt]!, w[weight.treatedAtt]!, w[weight.allAtt]!),
      };
    });
  }
}

/** One covariate's sums over a chunk: a small top-level kernel, so V8 optimizes it on the first covariate. */
function addCovariate(
  x: Float64Array,
  t: Float64Array,
  from: number,
  length: number,
  ate: Float64Array,
  att: Float64Array,
  out: Float64Array,
  at: number,
  centre: number,
): void {
  let treatedD = 0;
  let allD = 0;
  let treatedD2 = 0;
  let allD2 = 0;
  let treatedAte = 0;
  let allAte = 0;
  let treatedAtt = 0;
  let allAtt = 0;
  for (let i = 0; i < length; i++) {
    const g = t[from + i]!;
    const d = x[from + i]! - centre;
    const d2 = d * d;
    const a = ate[i]! * d;
    const b = att[i]! * d;
    treatedD += g * d;
    allD += d;
    treatedD2 += g * d2;
    allD2 += d2;
    treatedAte += g * a;
    allAte += a;
    treatedAtt += g * b;
    allAtt += b;
  }
  out[at + sum.treatedD]! += treatedD;
  out[at + sum.allD]! += allD;
  out[at + sum.treatedD2]! += treatedD2;
  out[at + sum.allD2]! += allD2;
  out[at + sum.treatedAte]! += treatedAte;
  out[at + sum.allAte]! += allAte;
  out[at + sum.treatedAtt]! += treatedAtt;
  out[at + sum.allAtt]! += allAtt;
}

/** A range's balance sums before weighting. */
export const balancePass: Pass<{ centres: number[] }, { covariates: Float64Array; weights: Float64Array }> = {
  name: 'balance',
  run(rows, index, { centres }) {
    const sums = new BalanceSums(centres);
    forEachChunk(rows, (block, from, length) => sums.add(block, from, length), rangeOf(rows.n, index));
    return { covariates: sums.covariates, weights: sums.weights };
  },
  merge: BalanceSums.merge,
};

/**
 * Standardized mean differences of each covariate before weighting, centred at `centres` (after
 * weighting they come with the weighting estimators, weighting.ts). The denominator is the
 * unweighted pooled standard deviation, so the numbers before and after weighting are on one
 * scale; the SMD is null when the covariate does not vary within either group.
 */
export async function balanceBefore(
  run: Runner,
  names: readonly string[],
  centres: number[],
): Promise<Balance[]> {
  const sums = await run.run(balancePass, { centres });
  return new BalanceSums(centres, sums).result(names, run.rows.n, false);
}

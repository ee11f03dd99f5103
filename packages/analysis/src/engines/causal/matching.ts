/**
 * One-to-one nearest-neighbour matching on the logit of the propensity score, with
 * replacement, for the effect on the treated (ATT). Each treated unit is compared with the
 * control whose score is closest; when several are equally close, with their average, as
 * Abadie and Imbens do, so the answer never depends on the order of the rows. Controls with
 * equal scores are handled as one block, so discrete covariates cost no more than continuous.
 */

export interface MatchingInput {
  y: Float64Array;
  t: Float64Array;
  /** The logit of the propensity score, x'β: the distance is measured on this scale. */
  score: Float64Array;
}

export interface MatchingEstimate {
  estimate: number;
  /** Abadie–Imbens (2006) standard error for the population ATT, treating the score as known. */
  se: number;
  /** Distinct controls used as matches. */
  controlsUsed: number;
  /** Treated units whose match is farther than the caliper (0.2 standard deviations of the score). */
  beyondCaliper: number;
  caliper: number;
}

/** Controls grouped by distinct score, ascending. */
interface Blocks {
  values: Float64Array;
  sizes: Float64Array;
  sums: Float64Array;
}

function blocksOf(scores: number[], outcomes: number[]): { blocks: Blocks; blockOf: Uint32Array } {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const values: number[] = [];
  const sizes: number[] = [];
  const sums: number[] = [];
  const blockOf = new Uint32Array(scores.length);
  for (const i of order) {
    if (values.at(-1) !== scores[i]) {
      values.push(scores[i]!);
      sizes.push(0);
      sums.push(0);
    }
    const b = values.length - 1;
    sizes[b]!++;
    sums[b]! += outcomes[i]!;
    blockOf[i] = b;
  }
  return {
    blocks: {
      values: Float64Array.from(values),
      sizes: Float64Array.from(sizes),
      sums: Float64Array.from(sums),
    },
    blockOf,
  };
}

/** The blocks nearest to `target` (two when equally near on both sides), never `skip`. */
export function nearestBlocks(values: Float64Array, target: number, skip = -1): number[] {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  if (lo < values.length && values[lo] === target && lo !== skip) return [lo];
  const below = lo - 1 === skip ? lo - 2 : lo - 1;
  const startAbove = lo < values.length && values[lo] === target ? lo + 1 : lo;
  const above = startAbove === skip ? startAbove + 1 : startAbove;
  const dl = below >= 0 ? target - values[below]! : Number.POSITIVE_INFINITY;
  const dr = above < values.length ? values[above]! - target : Number.POSITIVE_INFINITY;
  if (dl === Number.POSITIVE_INFINITY && dr === Number.POSITIVE_INFINITY) return [];
  if (dl < dr) return [below];
  if (dr < dl) return [above];
  return [below, above];
}

function standardDeviation(values: Float64Array): number {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return Math.sqrt(ss / (values.length - 1));
}

export function matchNearestNeighbourAtt({ y, t, score }: MatchingInput): MatchingEstimate {
  const controlScores: number[] = [];
  const controlOutcomes: number[] = [];
  const treated: number[] = [];
  for (let i = 0; i < t.length; i++) {
    if (t[i] === 1) treated.push(i);
    else {
      controlScores.push(score[i]!);
      controlOutcomes.push(y[i]!);
    }
  }
  const { blocks, blockOf } = blocksOf(controlScores, controlOutcomes);
  const caliper = 0.2 * standardDeviation(score);

  // Each control in a block used by a treated unit takes an equal share of that use: K sums the
  // shares, K2 their squares (both per control, the same for every member of a block).
  const uses = new Float64Array(blocks.values.length);
  const squaredUses = new Float64Array(blocks.values.length);
  const differences = new Float64Array(treated.length);
  let beyondCaliper = 0;
  treated.forEach((i, m) => {
    const matched = nearestBlocks(blocks.values, score[i]!);
    const size = matched.reduce((sum, b) => sum + blocks.sizes[b]!, 0);
    const share = 1 / size;
    let sum = 0;
    for (const b of matched) {
      uses[b]! += share;
      squaredUses[b]! += share * share;
      sum += blocks.sums[b]!;
    }
    differences[m] = y[i]! - sum / size;
    if (Math.abs(blocks.values[matched[0]!]! - score[i]!) > caliper) beyondCaliper++;
  });
  let estimate = 0;
  for (const d of differences) estimate += d;
  estimate /= treated.length;

  // Var = (1/N1²)[Σ_treated (Y_i - Ŷ_i(0) - τ)² + Σ_controls (K² - K2)·σ²(X)], where a control's
  // σ²(X) comes from its nearest other controls L: |L|/(|L|+1)·(Y - mean Y_L)².
  let sum = 0;
  for (const d of differences) sum += (d - estimate) ** 2;
  let controlsUsed = 0;
  controlOutcomes.forEach((outcome, j) => {
    const b = blockOf[j]!;
    const k = uses[b]!;
    if (k === 0) return;
    controlsUsed++;
    const weight = k * k - squaredUses[b]!;
    if (weight <= 0) return;
    let others: number;
    let othersSum: number;
    if (blocks.sizes[b]! > 1) {
      others = blocks.sizes[b]! - 1;
      othersSum = blocks.sums[b]! - outcome;
    } else {
      const near = nearestBlocks(blocks.values, blocks.values[b]!, b);
      others = near.reduce((s, n) => s + blocks.sizes[n]!, 0);
      othersSum = near.reduce((s, n) => s + blocks.sums[n]!, 0);
    }
    if (others === 0) return;
    const spread = outcome - othersSum / others;
    sum += weight * (others / (others + 1)) * spread * spread;
  });
  return { estimate, se: Math.sqrt(sum) / treated.length, controlsUsed, beyondCaliper, caliper };
}

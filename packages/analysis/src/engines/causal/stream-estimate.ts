import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { readColumn, type SpillDirectory } from '../../data/spill';
import { histogram, histogramEdges } from '../profile/histogram';
import { lerp } from '../profile/quantiles';
import { orderStatistics } from '../profile/spilled-stats';
import { type Balance, balanceFromSums, balanceSums } from './balance';
import {
  balanceWarnings,
  type GroupWeights,
  groupWeightWarnings,
  matchingWarnings,
  overlapWarnings,
} from './diagnostics';
import { type DifferenceInMeans, fromGroupMoments } from './difference-in-means';
import { weightedGram, weightedSums } from './gram';
import { influenceWeights } from './ipw';
import { BlockedQr } from './least-squares';
import { maxIterations, newton, separationLogit, warmStartRows } from './logistic';
import { matchNearestNeighbourAtt } from './matching';
import type { GroupPropensity, Overlap } from './overlap';
import type { RegressionAdjustment } from './regression';
import { Standardized } from './standardized';
import type { StudyBlock, StudyFile } from './study-file';
import type { WeightingMethod } from './weighting';

/**
 * The estimators of estimate-effect.ts over a study on disk (study-file.ts), each as passes over
 * its blocks, so memory holds a block and k × k matrices, never a column: the regression by
 * Householder QR of the blocks stacked on the R so far (tall-skinny QR), the propensity model by
 * Newton's method with one pass per step, the weighting estimators and their stacked standard
 * errors in three passes for all of them, balance in two, and the overlap's quantiles as order
 * statistics of the propensities written to disk (profile/spilled-stats.ts). Matching alone keeps
 * a score and an outcome per row in memory (16 bytes a row).
 */

/** Each group's count, mean and variance, in two passes, as difference-in-means.ts computes them. */
export function streamedDifferenceInMeans(file: StudyFile): DifferenceInMeans {
  const n = [0, 0];
  const sum = [0, 0];
  file.forEachBlock(({ y, t, rows }) => {
    for (let i = 0; i < rows; i++) {
      const g = t[i]!;
      n[g]!++;
      sum[g]! += y[i]!;
    }
  });
  const mean = [sum[0]! / n[0]!, sum[1]! / n[1]!];
  const ss = [0, 0];
  file.forEachBlock(({ y, t, rows }) => {
    for (let i = 0; i < rows; i++) ss[t[i]!]! += (y[i]! - mean[t[i]!]!) ** 2;
  });
  const moments = (g: number) => ({ n: n[g]!, mean: mean[g]!, variance: ss[g]! / (n[g]! - 1) });
  return fromGroupMoments(moments(1), moments(0));
}

/** Design columns of a block: an intercept, and for the regression the treatment, then the covariates. */
function designOf(block: StudyBlock, ones: Float64Array, withTreatment: boolean): Float64Array[] {
  const intercept = ones.subarray(0, block.rows);
  return withTreatment ? [intercept, block.t, ...block.covariates] : [intercept, ...block.covariates];
}

/** Regression adjustment with classical and HC1 errors, as regression.ts gives it, in two passes. */
export function streamedRegression(file: StudyFile): RegressionAdjustment {
  const k = file.covariateCount + 2;
  const ones = new Float64Array(file.blockRows).fill(1);
  const qr = new BlockedQr(k);
  file.forEachBlock((block) => qr.add([...designOf(block, ones, true), block.y]));
  const { coefficients, xtxInverse } = qr.solve();
  // The residuals from the original columns, and HC1's sum: Σ (r_i · b_1·x_i)² for b_1 the treatment's row of the bread.
  const bread = Array.from({ length: k }, (_, l) => xtxInverse.get(1, l));
  let rss = 0;
  let sandwich = 0;
  file.forEachBlock((block) => {
    const design = designOf(block, ones, true);
    for (let i = 0; i < block.rows; i++) {
      let fitted = 0;
      let influence = 0;
      for (let l = 0; l < k; l++) {
        fitted += coefficients[l]! * design[l]![i]!;
        influence += bread[l]! * design[l]![i]!;
      }
      const residual = block.y[i]! - fitted;
      rss += residual * residual;
      sandwich += (residual * influence) ** 2;
    }
  });
  const n = file.n;
  const df = n - k;
  return {
    estimate: coefficients[1]!,
    se: Math.sqrt((rss / df) * xtxInverse.get(1, 1)),
    seHc1: Math.sqrt((n / df) * sandwich),
    df,
  };
}

/** Whether the covariates are collinear with the intercept or each other; throws a CollinearityError if so. */
export function streamedCollinearity(file: StudyFile): void {
  const k = file.covariateCount + 1;
  const ones = new Float64Array(file.blockRows).fill(1);
  const qr = new BlockedQr(k);
  const zeros = new Float64Array(file.blockRows);
  file.forEachBlock((block) => qr.add([...designOf(block, ones, false), zeros.subarray(0, block.rows)]));
  qr.solve();
}

/** The fitted propensity model: coefficients on the standardized covariates (intercept first). */
export interface StreamedPropensity {
  beta: number[];
  means: number[];
  sds: number[];
  singular: boolean;
  separated: boolean;
}

/** Standardized covariates of a block, into reusable columns (the first is the intercept). */
function standardize(
  block: StudyBlock,
  fit: { means: number[]; sds: number[] },
  into: Float64Array[],
): Float64Array[] {
  const columns = into.map((column) => column.subarray(0, block.rows));
  columns[0]!.fill(1);
  block.covariates.forEach((x, j) => {
    const z = columns[j + 1]!;
    const mean = fit.means[j]!;
    const sd = fit.sds[j]!;
    const scale = 1 / sd;
    for (let i = 0; i < block.rows; i++) z[i] = (x[i]! - mean) * scale;
  });
  return columns;
}

/** x'β and the propensity of each row of a block. */
function propensities(
  design: Float64Array[],
  beta: readonly number[],
  eta: Float64Array,
  e: Float64Array,
): void {
  const rows = design[0]!.length;
  eta.fill(0, 0, rows);
  design.forEach((column, j) => {
    const b = beta[j]!;
    for (let i = 0; i < rows; i++) eta[i] = eta[i]! + b * column[i]!;
  });
  for (let i = 0; i < rows; i++) {
    const x = eta[i]!;
    const z = Math.exp(-Math.abs(x));
    e[i] = x >= 0 ? 1 / (1 + z) : z / (1 + z);
  }
}

/** Scratch columns for a block's standardized design, its x'β and its propensities. */
class Scratch {
  readonly design: Float64Array[];
  readonly eta: Float64Array;
  readonly e: Float64Array;
  readonly weights: Float64Array;
  readonly residuals: Float64Array;
  constructor(blockRows: number, k: number) {
    this.design = Array.from({ length: k }, () => new Float64Array(blockRows));
    this.eta = new Float64Array(blockRows);
    this.e = new Float64Array(blockRows);
    this.weights = new Float64Array(blockRows);
    this.residuals = new Float64Array(blockRows);
  }
}

/**
 * Logistic regression of the treatment on the covariates as logistic.ts fits it (standardized
 * columns, a warm start on an evenly spaced subsample of up to 100,000 rows, Newton's method with
 * step halving), each evaluation of the likelihood, its gradient and its Hessian one pass.
 */
export function streamedLogistic(file: StudyFile, tolerance = 1e-8): StreamedPropensity {
  const n = file.n;
  const q = file.covariateCount;
  const k = q + 1;
  // Centre and scale: shifted sums from the first row's values, in one pass.
  const first = new Float64Array(q);
  const sum = new Float64Array(q);
  const squares = new Float64Array(q);
  let treated = 0;
  const stride = n > warmStartRows ? Math.ceil(n / warmStartRows) : 0;
  const sampleRows = stride ? Math.ceil(n / stride) : 0;
  const sample = {
    columns: Array.from({ length: q }, () => new Float64Array(sampleRows)),
    outcome: new Float64Array(sampleRows),
  };
  file.forEachBlock(({ start, rows, t, covariates }) => {
    if (start === 0) for (const [j, x] of covariates.entries()) first[j] = x[0]!;
    covariates.forEach((x, j) => {
      let s = 0;
      let ss = 0;
      const f = first[j]!;
      for (let i = 0; i < rows; i++) {
        const d = x[i]! - f;
        s += d;
        ss += d * d;
      }
      sum[j]! += s;
      squares[j]! += ss;
    });
    for (let i = 0; i < rows; i++) treated += t[i]!;
    if (stride)
      for (let i = (stride - (start % stride)) % stride; i < rows; i += stride) {
        const at = (start + i) / stride;
        sample.outcome[at] = t[i]!;
        for (const [j, x] of covariates.entries()) sample.columns[j]![at] = x[i]!;
      }
  });
  const means = Array.from(first, (f, j) => f + sum[j]! / n);
  const sds = Array.from(first, (_, j) => Math.sqrt(Math.max(squares[j]! / n - (sum[j]! / n) ** 2, 0)) || 1);
  const fit = { means, sds };
  const share = treated / n;
  let beta = Array.from({ length: k }, (_, j) => (j === 0 ? Math.log(share / (1 - share)) : 0));
  if (stride) {
    const design = new Standardized(sample.columns, means, sds);
    const warm = newton({ design, outcome: sample.outcome }, beta, 1e-6, new Float64Array(sampleRows));
    if (warm.converged) beta = warm.beta;
  }

  const scratch = new Scratch(file.blockRows, k);
  const evaluate = (b: number[]) => {
    let loss = 0;
    let extreme = 0;
    const gradient = new Array<number>(k).fill(0);
    let hessian = Matrix.zeros(k, k);
    file.forEachBlock((block) => {
      const design = standardize(block, fit, scratch.design);
      const rows = block.rows;
      propensities(design, b, scratch.eta, scratch.e);
      const weights = scratch.weights.subarray(0, rows);
      const residuals = scratch.residuals.subarray(0, rows);
      for (let i = 0; i < rows; i++) {
        const x = scratch.eta[i]!;
        const p = scratch.e[i]!;
        loss += Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))) - block.t[i]! * x;
        extreme = Math.max(extreme, Math.abs(x));
        weights[i] = p * (1 - p);
        residuals[i] = block.t[i]! - p;
      }
      for (const [j, s] of weightedSums(design, residuals).entries()) gradient[j]! += s;
      hessian = hessian.add(weightedGram(design, weights));
    });
    return { loss, gradient, hessian, extreme };
  };

  let current = evaluate(beta);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const cholesky = new CholeskyDecomposition(current.hessian);
    if (!cholesky.isPositiveDefinite()) return { beta, means, sds, singular: true, separated: true };
    const step = cholesky.solve(Matrix.columnVector(current.gradient)).to1DArray();
    const slack = 1e-12 * Math.abs(current.loss);
    let scale = 1;
    let candidate = beta.map((b, j) => b + step[j]!);
    let next = evaluate(candidate);
    while (!(next.loss <= current.loss + slack) && scale > 1e-6) {
      scale /= 2;
      candidate = beta.map((b, j) => b + scale * step[j]!);
      next = evaluate(candidate);
    }
    const change = Math.max(...step.map((s, j) => Math.abs(scale * s) / (1 + Math.abs(beta[j]!))));
    const converged =
      change < tolerance ||
      (scale === 1 && change < Math.sqrt(tolerance)) ||
      Math.abs(current.loss - next.loss) <= 1e-15 * Math.abs(current.loss);
    beta = candidate;
    current = next;
    if (converged) return { beta, means, sds, singular: false, separated: current.extreme > separationLogit };
  }
  return { beta, means, sds, singular: false, separated: true };
}

/** The covariate that alone separates treated from untreated rows, if one does. */
export function streamedSeparatingColumn(file: StudyFile, names: readonly string[]): string | undefined {
  const ranges = names.map(() => [Infinity, -Infinity, Infinity, -Infinity]);
  file.forEachBlock(({ rows, t, covariates }) => {
    covariates.forEach((x, j) => {
      const range = ranges[j]!;
      for (let i = 0; i < rows; i++) {
        const at = 2 * t[i]!;
        if (x[i]! < range[at]!) range[at] = x[i]!;
        if (x[i]! > range[at + 1]!) range[at + 1] = x[i]!;
      }
    });
  });
  const found = ranges.findIndex(([min0, max0, min1, max1]) => min1! > max0! || min0! > max1!);
  return found < 0 ? undefined : names[found];
}

export interface StreamedWeighting {
  estimates: Partial<Record<WeightingMethod, { estimate: number; se: number }>>;
  overlap: Overlap;
  balance: Balance[];
  warnings: string[];
  /** x'β and the outcome of each row, kept only when matching asked for them. */
  matching?: { score: Float64Array; y: Float64Array; t: Float64Array };
}

/**
 * The weighting estimators asked for, with standard errors from the stacked estimating equations
 * as ipw.ts computes them, the balance before and after weighting, the propensities' overlap and
 * the weights' warnings: a pass for the means and weights, one for the Jacobian and the
 * propensity model's information, one for the influence of each row, two for the balance.
 */
export function streamedWeighting(
  file: StudyFile,
  propensity: StreamedPropensity,
  methods: readonly WeightingMethod[],
  covariateNames: readonly string[],
  spill: SpillDirectory,
  keepScores: boolean,
  budgetValues: number,
): StreamedWeighting {
  const n = file.n;
  const k = file.covariateCount + 1;
  const scratch = new Scratch(file.blockRows, k);
  const each = (
    visit: (block: StudyBlock, design: Float64Array[], e: Float64Array, eta: Float64Array) => void,
  ) =>
    file.forEachBlock((block) => {
      const design = standardize(block, propensity, scratch.design);
      propensities(design, propensity.beta, scratch.eta, scratch.e);
      visit(block, design, scratch.e.subarray(0, block.rows), scratch.eta.subarray(0, block.rows));
    });

  // Pass 1: the weighted means, the weights' warnings, the covariates' shifts and the propensities on disk.
  let [hajek1y, hajek1, hajek0y, hajek0, total, attTreatedY, attTreated, att0y, att0] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0,
  ];
  const weightSums = (group: number): GroupWeights => ({ group, sum: 0, squares: 0, largest: 0, count: 0 });
  const ate = [weightSums(0), weightSums(1)];
  const attControls = weightSums(0);
  const shifts = new Float64Array(file.covariateCount);
  const groups = [spill.column(), spill.column()];
  const byGroup = [new Float64Array(file.blockRows), new Float64Array(file.blockRows)];
  const bins = histogramEdges(0, 1).length - 1;
  const binned = [new Array<number>(bins).fill(0), new Array<number>(bins).fill(0)];
  const extremes = [
    [Infinity, -Infinity],
    [Infinity, -Infinity],
  ];
  const kept = keepScores
    ? { score: new Float64Array(n), y: new Float64Array(n), t: new Float64Array(n) }
    : undefined;
  each((block, _design, e, eta) => {
    const { y, t, rows } = block;
    const filled = [0, 0];
    for (let i = 0; i < rows; i++) {
      const g = t[i]!;
      const p = e[i]!;
      const w1 = g / p;
      const w0 = (1 - g) / (1 - p);
      hajek1y += w1 * y[i]!;
      hajek1 += w1;
      hajek0y += w0 * y[i]!;
      hajek0 += w0;
      total += (g * y[i]!) / p - ((1 - g) * y[i]!) / (1 - p);
      const odds = ((1 - g) * p) / (1 - p);
      attTreatedY += g * y[i]!;
      attTreated += g;
      att0y += odds * y[i]!;
      att0 += odds;
      const weight = g === 1 ? 1 / p : 1 / (1 - p);
      const w = ate[g]!;
      w.sum += weight;
      w.squares += weight ** 2;
      w.largest = Math.max(w.largest, weight);
      w.count++;
      if (g === 0) {
        attControls.sum += odds;
        attControls.squares += odds ** 2;
        attControls.largest = Math.max(attControls.largest, odds);
        attControls.count++;
      }
      byGroup[g]![filled[g]!++] = p;
      const range = extremes[g]!;
      if (p < range[0]!) range[0] = p;
      if (p > range[1]!) range[1] = p;
    }
    for (const g of [0, 1]) {
      const scores = byGroup[g]!.subarray(0, filled[g]!);
      groups[g]!.append(scores);
      for (const [bin, count] of histogram(scores, 0, 1).counts.entries()) binned[g]![bin]! += count;
    }
    block.covariates.forEach((x, j) => {
      let s = 0;
      for (let i = 0; i < rows; i++) s += x[i]!;
      shifts[j]! += s;
    });
    if (kept) {
      kept.score.set(eta, block.start);
      kept.y.set(y, block.start);
      kept.t.set(t, block.start);
    }
  });
  for (const file of groups) file.close();
  for (let j = 0; j < shifts.length; j++) shifts[j] = shifts[j]! / n;
  const mu = {
    hajek1: hajek1y / hajek1,
    hajek0: hajek0y / hajek0,
    tau: total / n,
    att1: attTreatedY / attTreated,
    att0: att0y / att0,
  };

  // Pass 2: the propensity model's information, each equation's mean derivative in β, the balance sums.
  let information = Matrix.zeros(k, k);
  const jacobian = {
    hajek1: new Array<number>(k).fill(0),
    hajek0: new Array<number>(k).fill(0),
    horvitz: new Array<number>(k).fill(0),
    att0: new Array<number>(k).fill(0),
  };
  const factor = new Float64Array(file.blockRows);
  const weights = new Float64Array(file.blockRows);
  const ateWeights = new Float64Array(file.blockRows);
  const attWeights = new Float64Array(file.blockRows);
  const balance = covariateNames.map(() => new Float64Array(13));
  const add = (into: number[], design: Float64Array[], values: Float64Array) => {
    for (const [j, s] of weightedSums(design, values).entries()) into[j]! += s;
  };
  each((block, design, e) => {
    const { y, t, rows } = block;
    const f = factor.subarray(0, rows);
    for (let i = 0; i < rows; i++) weights[i] = e[i]! * (1 - e[i]!);
    information = information.add(weightedGram(design, weights.subarray(0, rows)));
    for (let i = 0; i < rows; i++) f[i] = -((t[i]! / e[i]!) * (y[i]! - mu.hajek1)) * (1 - e[i]!);
    add(jacobian.hajek1, design, f);
    for (let i = 0; i < rows; i++) f[i] = ((1 - t[i]!) / (1 - e[i]!)) * (y[i]! - mu.hajek0) * e[i]!;
    add(jacobian.hajek0, design, f);
    for (let i = 0; i < rows; i++) {
      const treated = (t[i]! * y[i]!) / e[i]!;
      const control = ((1 - t[i]!) * y[i]!) / (1 - e[i]!);
      f[i] = -treated * (1 - e[i]!) - control * e[i]!;
    }
    add(jacobian.horvitz, design, f);
    for (let i = 0; i < rows; i++) f[i] = (((1 - t[i]!) * e[i]!) / (1 - e[i]!)) * (y[i]! - mu.att0);
    add(jacobian.att0, design, f);
    for (let i = 0; i < rows; i++) {
      ateWeights[i] = t[i] === 1 ? 1 / e[i]! : 1 / (1 - e[i]!);
      attWeights[i] = t[i] === 1 ? 1 : e[i]! / (1 - e[i]!);
    }
    for (const [j, x] of block.covariates.entries())
      balanceSums(x, t, ateWeights.subarray(0, rows), attWeights.subarray(0, rows), balance[j]!, shifts[j]!);
  });
  information = information.div(n);
  const perRow = (sums: number[]) => sums.map((s) => s / n);
  const a = {
    hajek: influenceWeights(
      information,
      [perRow(jacobian.hajek1), perRow(jacobian.hajek0)],
      [-hajek1 / n, -hajek0 / n],
      [1, -1],
    ),
    horvitz: influenceWeights(information, [perRow(jacobian.horvitz)], [-1], [1]),
    att: influenceWeights(
      information,
      [new Array<number>(k).fill(0), perRow(jacobian.att0)],
      [-attTreated / n, -att0 / n],
      [1, -1],
    ),
  };

  // Pass 3: each row's influence on each estimate, squared and summed.
  const squares = { hajek: 0, horvitz: 0, att: 0 };
  each((block, design, e) => {
    const { y, t, rows } = block;
    for (let i = 0; i < rows; i++) {
      const g = t[i]!;
      const p = e[i]!;
      const residual = g - p;
      let hajekScore = 0;
      let horvitzScore = 0;
      let attScore = 0;
      for (let j = 0; j < k; j++) {
        const x = design[j]![i]!;
        hajekScore += a.hajek[j]! * x;
        horvitzScore += a.horvitz[j]! * x;
        attScore += a.att[j]! * x;
      }
      const hajek =
        hajekScore * residual +
        a.hajek[k]! * (g / p) * (y[i]! - mu.hajek1) +
        a.hajek[k + 1]! * ((1 - g) / (1 - p)) * (y[i]! - mu.hajek0);
      const terms = (g * y[i]!) / p - ((1 - g) * y[i]!) / (1 - p) - mu.tau;
      const horvitz = horvitzScore * residual + a.horvitz[k]! * terms;
      const att =
        attScore * residual +
        a.att[k]! * g * (y[i]! - mu.att1) +
        a.att[k + 1]! * (((1 - g) * p) / (1 - p)) * (y[i]! - mu.att0);
      squares.hajek += hajek * hajek;
      squares.horvitz += horvitz * horvitz;
      squares.att += att * att;
    }
  });
  const estimates: StreamedWeighting['estimates'] = {};
  const se = (sum: number) => Math.sqrt(sum) / n;
  if (methods.includes('ipw_hajek'))
    estimates.ipw_hajek = { estimate: mu.hajek1 - mu.hajek0, se: se(squares.hajek) };
  if (methods.includes('ipw_horvitz_thompson'))
    estimates.ipw_horvitz_thompson = { estimate: mu.tau, se: se(squares.horvitz) };
  if (methods.includes('ipw_att')) estimates.ipw_att = { estimate: mu.att1 - mu.att0, se: se(squares.att) };

  // The overlap: each group's quartile-like points from its propensities on disk, then who lies outside.
  const summarize = (g: number): GroupPropensity => {
    const count = ate[g]!.count;
    const positions = [0.05, 0.5, 0.95].map((p) => {
      const h = (count - 1) * p;
      const low = Math.floor(h);
      return { low, high: Math.min(low + 1, count - 1), t: h - low };
    });
    const found = orderStatistics(
      { path: groups[g]!.path, rows: count, budgetValues },
      positions.flatMap(({ low, high }) => [low, high]),
    );
    const [q05, median, q95] = positions.map(({ low, high, t }) =>
      lerp(found.get(low)!, found.get(high)!, t),
    );
    return { min: extremes[g]![0]!, q05: q05!, median: median!, q95: q95!, max: extremes[g]![1]! };
  };
  const treated = summarize(1);
  const control = summarize(0);
  const commonSupport: [number, number] = [
    Math.max(treated.min, control.min),
    Math.min(treated.max, control.max),
  ];
  let outsideSupport = 0;
  let extreme = 0;
  for (const g of [0, 1])
    forEachValue(groups[g]!.path, ate[g]!.count, (p) => {
      if (p < commonSupport[0] || p > commonSupport[1]) outsideSupport++;
      if (p < 0.05 || p > 0.95) extreme++;
    });
  const overlap: Overlap = {
    treated,
    control,
    commonSupport,
    outsideSupport,
    extreme,
    histogram: { edges: histogramEdges(0, 1), treated: binned[1]!, control: binned[0]! },
  };

  const warnings = overlapWarnings(overlap, n);
  if (methods.includes('ipw_hajek') || methods.includes('ipw_horvitz_thompson'))
    warnings.push(...groupWeightWarnings(ate[1]!, 'ATE'), ...groupWeightWarnings(ate[0]!, 'ATE'));
  if (methods.includes('ipw_att')) warnings.push(...groupWeightWarnings(attControls, 'ATT'));
  const balances = covariateNames.map((name, j) => balanceFromSums(name, balance[j]!, n, true, true));
  warnings.push(...balanceWarnings(balances));
  return { estimates, overlap, balance: balances, warnings, ...(kept && { matching: kept }) };
}

/** Calls `each` with every value of a column file, in order. */
function forEachValue(path: string, length: number, each: (value: number) => void): void {
  const buffer = new Float64Array(Math.max(1, Math.min(1 << 16, length)));
  for (let start = 0; start < length; ) {
    const read = readColumn(path, start, length, buffer);
    for (let i = 0; i < read; i++) each(buffer[i]!);
    start += read;
  }
}

/** Balance before weighting only, in two passes: for estimates made without propensities. */
export function streamedBalance(file: StudyFile, names: readonly string[]): Balance[] {
  const shifts = new Float64Array(file.covariateCount);
  file.forEachBlock(({ rows, covariates }) =>
    covariates.forEach((x, j) => {
      let s = 0;
      for (let i = 0; i < rows; i++) s += x[i]!;
      shifts[j]! += s;
    }),
  );
  for (let j = 0; j < shifts.length; j++) shifts[j] = shifts[j]! / file.n;
  const sums = names.map(() => new Float64Array(13));
  const none = new Float64Array(file.blockRows);
  file.forEachBlock(({ rows, t, covariates }) => {
    for (const [j, x] of covariates.entries())
      balanceSums(x, t, none.subarray(0, rows), none.subarray(0, rows), sums[j]!, shifts[j]!);
  });
  return names.map((name, j) => balanceFromSums(name, sums[j]!, file.n, false, false));
}

/** Matching on the kept scores, with its warnings. */
export function streamedMatching(
  kept: { score: Float64Array; y: Float64Array; t: Float64Array },
  treated: number,
) {
  const matching = matchNearestNeighbourAtt(kept);
  return { matching, warnings: matchingWarnings(matching, treated) };
}

import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { addGram, addWeightedSums, gramMatrix } from './gram';
import { type Pass, type Runner, runner } from './passes';
import { PropensityChunk, type Standardization } from './propensity-chunk';
import { chunkRows, columnRows, forEachChunk, rangeOf, type StudyRows } from './study-rows';
import { FirstPass, type FirstPassParams, type FirstPassSums } from './weighting';

/**
 * Logistic regression of the treatment on the covariates (the propensity model), by Newton's
 * method with step halving over the study's rows (study-rows.ts). Columns are centred and scaled
 * while fitting, which keeps the Hessian well conditioned; that design is computed a chunk of
 * rows at a time where it is read (propensity-chunk.ts). Each evaluation of the likelihood, its
 * gradient and its Hessian is one pass, so the Hessian at the fitted coefficients, the
 * information every weighting estimator's standard error needs, comes with the fit, and so does
 * the weighting's first pass. Large samples first converge on an evenly spaced subsample, whose
 * Hessian also takes the first step on all rows: Newton's quadratic convergence then needs only
 * a step or two more.
 */

export type { Standardization } from './propensity-chunk';

const maxIterations = 50;
/** Beyond |x'β| = 30 a probability is within 1e-13 of 0 or 1: the sign of separation, not of data. */
const separationLogit = 30;
/** Above this many rows, Newton first converges on an evenly spaced subsample, then polishes on all rows. */
const warmStartRows = 100_000;

export interface PropensityModel extends Standardization {
  /** Coefficients on the standardized design, intercept first. */
  beta: number[];
  /** Coefficients on the covariates in their own units, intercept first. */
  coefficients: number[];
  /** The average information mean(e(1 − e)·z z') at `beta`. */
  information: Matrix;
  iterations: number;
  converged: boolean;
  /** The information matrix stopped being positive definite: collinear covariates, or separation far along. */
  singular: boolean;
  /**
   * The fit ran off to infinity: some probabilities reached 0 or 1 because the covariates
   * predict the treatment perfectly (separation), so there is no finite maximum.
   */
  separated: boolean;
}

interface StandardizationParams {
  /** The first row's covariates, which the sums are shifted by. */
  first: number[];
  /** Every `stride`-th row's treatment and covariates go to these (shared) arrays, for the warm start. */
  sample?: { stride: number; t: Float64Array; columns: Float64Array[] };
}

interface StandardizationSums {
  sum: Float64Array;
  squares: Float64Array;
  /** Treated rows in each range. */
  treated: number[];
}

/** Shifted sums of each covariate, for its centre and scale, and the warm start's sample. */
export const standardizationPass: Pass<StandardizationParams, StandardizationSums> = {
  name: 'standardize',
  run(rows, index, { first, sample }) {
    const q = rows.covariateCount;
    const sum = new Float64Array(q);
    const squares = new Float64Array(q);
    let treated = 0;
    forEachChunk(
      rows,
      ({ start, t, covariates }, from, length) => {
        for (let j = 0; j < q; j++) {
          const x = covariates[j]!;
          const f = first[j]!;
          let s = 0;
          let ss = 0;
          for (let i = from; i < from + length; i++) {
            const d = x[i]! - f;
            s += d;
            ss += d * d;
          }
          sum[j]! += s;
          squares[j]! += ss;
        }
        let count = 0;
        for (let i = from; i < from + length; i++) count += t[i]!;
        treated += count;
        if (!sample) return;
        const at = start + from;
        for (let i = (sample.stride - (at % sample.stride)) % sample.stride; i < length; i += sample.stride) {
          const to = (at + i) / sample.stride;
          sample.t[to] = t[from + i]!;
          for (let j = 0; j < q; j++) sample.columns[j]![to] = covariates[j]![from + i]!;
        }
      },
      rangeOf(rows.n, index),
    );
    return { sum, squares, treated: [treated] };
  },
  merge: (a, b) => ({
    sum: a.sum.map((s, j) => s + b.sum[j]!),
    squares: a.squares.map((s, j) => s + b.squares[j]!),
    treated: [...a.treated, ...b.treated],
  }),
};

/** The first row's covariates. */
function firstRow(rows: StudyRows): number[] {
  let first: number[] = [];
  rows.forEachBlock(
    ({ covariates }) => {
      first = covariates.map((x) => x[0]!);
    },
    [0, 1],
  );
  return first;
}

/** Centre and scale of each covariate from shifted sums (shifted by the first row's values), in one pass. */
async function standardize(run: Runner, sample?: StandardizationParams['sample']) {
  const first = firstRow(run.rows);
  const { sum, squares, treated } = await run.run(standardizationPass, { first, ...(sample && { sample }) });
  const n = run.rows.n;
  const means = first.map((f, j) => f + sum[j]! / n);
  const sds = first.map((_, j) => Math.sqrt(Math.max(squares[j]! / n - (sum[j]! / n) ** 2, 0)) || 1);
  return {
    standardization: { means, sds, scales: sds.map((sd) => 1 / sd) },
    treatedByRange: treated,
  };
}

/** The covariates' means, as the propensity model centres them: the balance's centres too. */
export const covariateMeans = async (run: Runner): Promise<number[]> =>
  (await standardize(run)).standardization.means;

interface EvaluationParams {
  standardization: Standardization;
  beta: number[];
  /** Whether to sum the Hessian too (the first step from a warm start borrows the subsample's). */
  hessian: boolean;
  /** The weighting's first pass, riding along a pass that may be the fit's last. */
  first?: FirstPassParams;
}

interface Evaluation {
  loss: number;
  /** The largest |x'β|. */
  extreme: number;
  gradient: Float64Array;
  /** The Hessian's upper triangle, k × k, when asked for. */
  gram?: Float64Array;
  first?: FirstPassSums;
}

/** What rides along an evaluation that carries no first pass. */
const idle = { add: () => {}, finish: () => undefined };

/** The negative log-likelihood, its gradient and (if asked) its Hessian at β, in one pass over a range's rows. */
export const evaluationPass: Pass<EvaluationParams, Evaluation> = {
  name: 'evaluate',
  run(rows, index, { standardization, beta, hessian, first }) {
    const k = rows.covariateCount + 1;
    const chunk = new PropensityChunk(rows.covariateCount, standardization);
    const weights = new Float64Array(chunkRows);
    const residuals = new Float64Array(chunkRows);
    const scratch: [Float64Array, Float64Array] = [new Float64Array(chunkRows), new Float64Array(chunkRows)];
    const gradient = new Float64Array(k);
    const gram = hessian ? new Float64Array(k * k) : undefined;
    // Always an object to call (an idle one without the first pass): the optimized loop then never
    // meets a call it has no feedback for, which deoptimized it at every chunk.
    const rider = first ? new FirstPass(first, index) : idle;
    let loss = 0;
    let extreme = 0;
    forEachChunk(
      rows,
      (block, from, length) => {
        chunk.fill(block, from, length, beta);
        const { eta, e, tail } = chunk;
        const t = block.t;
        // log(1 + e^x) − t·x without overflow, the logarithms summed as the logarithm of their
        // product (each factor 1 + e^−|x| is in (1, 2], so a chunk's product stays finite). The
        // sums are the chunk's own first: a number the closure shares would be boxed at each row.
        let product = 1;
        let sum = 0;
        let largest = extreme;
        for (let i = 0; i < length; i++) {
          const x = eta[i]!;
          const p = e[i]!;
          const g = t[from + i]!;
          sum += (x > 0 ? x : 0) - g * x;
          product *= 1 + tail[i]!;
          const size = x < 0 ? -x : x;
          if (size > largest) largest = size;
          weights[i] = p * (1 - p);
          residuals[i] = g - p;
        }
        loss += sum + Math.log(product);
        extreme = largest;
        addWeightedSums(chunk.z, residuals, length, gradient);
        if (gram) addGram(chunk.z, weights, length, gram, scratch);
        rider.add(block, from, length, chunk);
      },
      rangeOf(rows.n, index),
    );
    return { loss, extreme, gradient, ...(gram && { gram }), ...(first && { first: rider.finish() }) };
  },
  merge: (a, b) => ({
    loss: a.loss + b.loss,
    extreme: Math.max(a.extreme, b.extreme),
    gradient: a.gradient.map((s, j) => s + b.gradient[j]!),
    ...(a.gram && b.gram && { gram: a.gram.map((s, j) => s + b.gram![j]!) }),
    ...(a.first && b.first && { first: FirstPass.merge(a.first, b.first) }),
  }),
};

interface NewtonResult {
  beta: number[];
  /** The Hessian at `beta`. */
  hessian: Matrix;
  extreme: number;
  iterations: number;
  converged: boolean;
  singular: boolean;
  /** The first pass at `beta`, when it rode along the last evaluation. */
  first?: FirstPassSums;
}

/**
 * Newton's method with step halving from `start`, until no coefficient moves by more than
 * `tolerance` (relative). With `borrowed`, the first step takes that Hessian (a warm start's,
 * scaled to these rows) instead of a pass for it: an approximate first step, the later ones exact.
 */
async function newton(
  run: Runner,
  standardization: Standardization,
  start: number[],
  tolerance: number,
  borrowed?: Matrix,
  first?: FirstPassParams,
): Promise<NewtonResult> {
  const k = run.rows.covariateCount + 1;
  const evaluate = async (beta: number[], hessian: boolean, rider?: FirstPassParams) => {
    const at = await run.run(evaluationPass, {
      standardization,
      beta,
      hessian,
      ...(rider && { first: rider }),
    });
    return { ...at, hessian: at.gram && gramMatrix(at.gram, k) };
  };
  let beta = start;
  let current = await evaluate(beta, borrowed === undefined);
  current.hessian ??= borrowed;
  const done = (iterations: number, converged: boolean, singular: boolean): NewtonResult => ({
    beta,
    hessian: current.hessian!,
    extreme: current.extreme,
    iterations,
    converged,
    singular,
    ...(current.first && { first: current.first }),
  });
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const cholesky = new CholeskyDecomposition(current.hessian!);
    if (!cholesky.isPositiveDefinite()) return done(iteration, false, true);
    const step = cholesky.solve(Matrix.columnVector(Array.from(current.gradient))).to1DArray();
    const full = Math.max(...step.map((s, j) => Math.abs(s) / (1 + Math.abs(beta[j]!))));
    // Newton's step can overshoot far from the optimum; halve it until the likelihood improves.
    // Near the optimum the loss changes below rounding, which must not count as getting worse.
    const slack = 1e-12 * Math.abs(current.loss);
    let scale = 1;
    let candidate = beta.map((b, j) => b + step[j]!);
    // A full step this small ends the fit if it is taken: the first pass rides along.
    let next = await evaluate(candidate, true, full < Math.sqrt(tolerance) ? first : undefined);
    while (!(next.loss <= current.loss + slack) && scale > 1e-6) {
      scale /= 2;
      candidate = beta.map((b, j) => b + scale * step[j]!);
      next = await evaluate(candidate, true);
    }
    const change = scale * full;
    // A full Newton step of size s leaves an error of order s², so a step below √tolerance ends it.
    const converged =
      change < tolerance ||
      (scale === 1 && change < Math.sqrt(tolerance)) ||
      Math.abs(current.loss - next.loss) <= 1e-15 * Math.abs(current.loss);
    beta = candidate;
    current = next;
    if (converged) return done(iteration, true, false);
  }
  return done(maxIterations, false, false);
}

export interface PropensityOptions {
  /** Newton stops when no coefficient moves by more than this (relative); 1e-8 by default. */
  tolerance?: number;
  /** Above this many rows, warm up on an evenly spaced subsample of about this many. */
  warmStartRows?: number;
  /** The weighting's first pass, at the fitted coefficients (riding along the fit's last pass, or one more). */
  first?: (treatedByRange: readonly number[]) => FirstPassParams;
}

/** An array in shared memory: every range of a pass writes into it, whichever thread runs it. */
export const sharedArray = (length: number): Float64Array =>
  new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));

/** The propensity model, and the weighting's first pass at its fit if asked for. */
export async function fitPropensity(
  run: Runner,
  options: PropensityOptions = {},
): Promise<PropensityModel & { first?: FirstPassSums }> {
  const { rows } = run;
  const { n, covariateCount: q } = rows;
  const sampleRows = options.warmStartRows ?? warmStartRows;
  const stride = n > sampleRows ? Math.ceil(n / sampleRows) : 0;
  const size = Math.ceil(n / stride);
  const sample = stride
    ? { stride, t: sharedArray(size), columns: Array.from({ length: q }, () => sharedArray(size)) }
    : undefined;
  const { standardization, treatedByRange } = await standardize(run, sample);
  const share = rows.treated / n;
  let start = Array.from({ length: q + 1 }, (_, j) => (j === 0 ? Math.log(share / (1 - share)) : 0));
  let warmIterations = 0;
  let borrowed: Matrix | undefined;
  if (sample) {
    const sampled = columnRows({ y: sample.t, t: sample.t, covariates: sample.columns });
    const warm = await newton(run.over(sampled), standardization, start, 1e-6);
    if (warm.converged) {
      start = warm.beta;
      warmIterations = warm.iterations;
      borrowed = warm.hessian.mul(n / sampled.n);
    }
  }
  const first = options.first?.(treatedByRange);
  const fit = await newton(run, standardization, start, options.tolerance ?? 1e-8, borrowed, first);
  const { beta } = fit;
  // The first pass, if it did not ride along the last evaluation.
  const firstPass =
    fit.first ??
    (first && (await run.run(evaluationPass, { standardization, beta, hessian: false, first })).first);
  const { means, sds } = standardization;
  return {
    ...standardization,
    beta,
    // Back to the original scale: β_j / sd_j, and the intercept absorbs the means.
    coefficients: [
      beta[0]! - means.reduce((sum, mean, j) => sum + (beta[j + 1]! * mean) / sds[j]!, 0),
      ...sds.map((sd, j) => beta[j + 1]! / sd),
    ],
    information: fit.hessian.div(n),
    iterations: warmIterations + fit.iterations,
    converged: fit.converged,
    singular: fit.singular,
    // A singular information matrix is also how separation ends; collinearity is the caller's to rule out.
    separated: !fit.converged || fit.extreme > separationLogit,
    ...(firstPass && { first: firstPass }),
  };
}

/** x'β and the probability of every row, for callers that keep them (fit_regression's logit). */
export function fittedValues(rows: StudyRows, model: Pick<PropensityModel, 'beta'> & Standardization) {
  const linearPredictor = new Float64Array(rows.n);
  const probabilities = new Float64Array(rows.n);
  const chunk = new PropensityChunk(rows.covariateCount, model);
  forEachChunk(rows, (block, from, length) => {
    chunk.fill(block, from, length, model.beta);
    linearPredictor.set(chunk.eta.subarray(0, length), block.start + from);
    probabilities.set(chunk.e.subarray(0, length), block.start + from);
  });
  return { linearPredictor, probabilities };
}

/** Logistic regression of a 0/1 outcome on columns held in memory (an intercept is added). */
export async function logistic(
  covariates: readonly Float64Array[],
  outcome: Float64Array,
  options: PropensityOptions = {},
): Promise<PropensityModel & ReturnType<typeof fittedValues>> {
  const rows = columnRows({ y: outcome, t: outcome, covariates: [...covariates] });
  const model = await fitPropensity(runner(rows), options);
  return { ...model, ...fittedValues(rows, model) };
}

/**
 * A covariate whose ranges among treated and untreated rows do not overlap at all, if there is
 * one: it alone separates the groups, so a logistic fit has no finite maximum.
 */
export function separatingColumn(rows: StudyRows, names: readonly string[]): string | undefined {
  const ranges = names.map(() => [Infinity, -Infinity, Infinity, -Infinity]);
  rows.forEachBlock(({ rows: count, t, covariates }) => {
    covariates.forEach((x, j) => {
      const range = ranges[j]!;
      for (let i = 0; i < count; i++) {
        const at = 2 * t[i]!;
        if (x[i]! < range[at]!) range[at] = x[i]!;
        if (x[i]! > range[at + 1]!) range[at + 1] = x[i]!;
      }
    });
  });
  const found = ranges.findIndex(([min0, max0, min1, max1]) => min1! > max0! || min0! > max1!);
  return found < 0 ? undefined : names[found];
}

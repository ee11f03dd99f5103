import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { alike, designGramAndGradient } from './gram';
import { Standardized } from './standardized';

export interface LogisticFit {
  /** Coefficients on the design's columns (first the intercept), in the columns' own units. */
  coefficients: number[];
  /** Fitted probabilities P(treated | x). */
  probabilities: Float64Array;
  /** The linear predictor x'β (the logit of the probability). */
  linearPredictor: Float64Array;
  /** The design the model was fitted on: ones, then each covariate standardized. Scores use it. */
  design: Standardized;
  iterations: number;
  converged: boolean;
  /** The information matrix stopped being positive definite: collinear covariates, or separation far along. */
  singular: boolean;
  /**
   * The fit ran off to infinity: some probabilities reached 0 or 1 because the covariates
   * predict the outcome perfectly (separation), so there is no finite maximum.
   */
  separated: boolean;
}

export const maxIterations = 50;
/** Rows per block of a likelihood evaluation. */
const evaluateRows = 4096;
/** Beyond |x'β| = 30 a probability is within 1e-13 of 0 or 1: the sign of separation, not of data. */
export const separationLogit = 30;
/** Above this many rows, Newton first converges on an evenly spaced subsample, then polishes on all rows. */
export const warmStartRows = 100_000;

interface Design {
  design: Standardized;
  outcome: Float64Array;
}

interface NewtonResult {
  beta: number[];
  /** The probabilities at `beta` (as `eta` holds x'β). */
  probability: Float64Array;
  iterations: number;
  converged: boolean;
  singular: boolean;
}

/**
 * Newton's method (iteratively reweighted least squares) with step halving, from `start`.
 * `eta` holds x'β for the current β on return.
 */
export function newton(
  { design, outcome }: Design,
  start: number[],
  tolerance: number,
  eta: Float64Array,
): NewtonResult {
  const n = outcome.length;
  const k = design.width;
  // Working arrays in the same kind of memory as the columns, so each loop sees one kind.
  const probability = alike(outcome);

  // One exp per row gives both the probability and the log-likelihood term. A block of rows at a
  // time, so x'β builds up in cache over the columns rather than in a pass over memory per column.
  const evaluate = (b: number[]) => {
    let loss = 0;
    for (let start = 0; start < n; start += evaluateRows) {
      const end = Math.min(n, start + evaluateRows);
      for (let i = start; i < end; i++) eta[i] = b[0]!;
      for (let j = 1; j < k; j++) {
        const x = design.covariates[j - 1]!;
        const mean = design.means[j - 1]!;
        const scale = design.scales[j - 1]!;
        const bj = b[j]!;
        for (let i = start; i < end; i++) eta[i] = eta[i]! + bj * ((x[i]! - mean) * scale);
      }
      for (let i = start; i < end; i++) {
        const x = eta[i]!;
        const z = Math.exp(-Math.abs(x));
        probability[i] = x >= 0 ? 1 / (1 + z) : z / (1 + z);
        // Negative log-likelihood: log(1 + e^x) - y·x, computed without overflow.
        loss += Math.max(x, 0) + Math.log1p(z) - outcome[i]! * x;
      }
    }
    return loss;
  };

  let beta = start;
  let loss = evaluate(beta);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const { gram: information, gradient } = designGramAndGradient(design, probability, outcome);
    const cholesky = new CholeskyDecomposition(information);
    if (!cholesky.isPositiveDefinite())
      return { beta, probability, iterations: iteration, converged: false, singular: true };
    const step = cholesky.solve(Matrix.columnVector(gradient)).to1DArray();

    // Newton's step can overshoot far from the optimum; halve it until the likelihood improves.
    // Near the optimum the loss changes below rounding, which must not count as getting worse.
    const slack = 1e-12 * Math.abs(loss);
    let scale = 1;
    let candidate = beta.map((b, j) => b + step[j]!);
    let candidateLoss = evaluate(candidate);
    while (!(candidateLoss <= loss + slack) && scale > 1e-6) {
      scale /= 2;
      candidate = beta.map((b, j) => b + scale * step[j]!);
      candidateLoss = evaluate(candidate);
    }
    const change = Math.max(...step.map((s, j) => Math.abs(scale * s) / (1 + Math.abs(beta[j]!))));
    // A full Newton step of size s leaves an error of order s², so a step below √tolerance ends it.
    const converged =
      change < tolerance ||
      (scale === 1 && change < Math.sqrt(tolerance)) ||
      Math.abs(loss - candidateLoss) <= 1e-15 * Math.abs(loss);
    beta = candidate;
    loss = candidateLoss;
    if (converged) return { beta, probability, iterations: iteration, converged: true, singular: false };
  }
  return { beta, probability, iterations: maxIterations, converged: false, singular: false };
}

/**
 * Logistic regression of a 0/1 outcome on design columns (without the intercept, which is
 * added), by Newton's method with step halving. Columns are standardized while fitting, which
 * keeps the Hessian well conditioned; the coefficients are reported on the original scale.
 * Large samples first converge on an evenly spaced subsample: Newton's quadratic convergence
 * then needs only a step or two on all rows.
 */
export function logistic(
  covariates: readonly Float64Array[],
  outcome: Float64Array,
  options: {
    warmStartRows?: number;
    /** The design columns and probabilities in shared memory, for worker threads to read without a copy. */
    shared?: boolean;
    /** Newton stops when no coefficient moves by more than this (relative); 1e-8 by default. */
    tolerance?: number;
  } = {},
): LogisticFit {
  const n = outcome.length;
  const allocateFor = (length: number) =>
    options.shared
      ? new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT))
      : new Float64Array(length);
  const allocate = () => allocateFor(n);
  // Any centre and scale near each column's own condition the fit; shifted sums give both in one pass.
  const means: number[] = [];
  const sds: number[] = [];
  for (const column of covariates) {
    const first = column[0]!;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const d = column[i]! - first;
      sum += d;
      squares += d * d;
    }
    means.push(first + sum / n);
    sds.push(Math.sqrt(Math.max(squares / n - (sum / n) ** 2, 0)) || 1);
  }
  const design = new Standardized(covariates, means, sds, n);

  let share = 0;
  for (let i = 0; i < n; i++) share += outcome[i]!;
  share /= n;
  let start = Array.from({ length: design.width }, (_, j) => (j === 0 ? Math.log(share / (1 - share)) : 0));
  let warmIterations = 0;
  const sampleRows = options.warmStartRows ?? warmStartRows;
  if (n > sampleRows) {
    const stride = Math.ceil(n / sampleRows);
    // In the same kind of memory as the full columns: code that has seen only one kind runs faster.
    const pick = (column: Float64Array) => {
      const out = allocateFor(Math.ceil(n / stride));
      for (let i = 0, j = 0; i < n; i += stride, j++) out[j] = column[i]!;
      return out;
    };
    const sample = { design: new Standardized(covariates.map(pick), means, sds), outcome: pick(outcome) };
    const warm = newton(sample, start, 1e-6, allocateFor(sample.outcome.length));
    if (warm.converged) {
      start = warm.beta;
      warmIterations = warm.iterations;
    }
  }
  const eta = allocate();
  const fit = newton({ design, outcome }, start, options.tolerance ?? 1e-8, eta);

  // Newton's last evaluation was at the β it returns: its probabilities are the fitted ones.
  const probabilities = fit.probability;
  let extreme = 0;
  for (let i = 0; i < n; i++) extreme = Math.max(extreme, Math.abs(eta[i]!));
  // Back to the original scale: β_j / sd_j, and the intercept absorbs the means.
  const { beta } = fit;
  const coefficients = [
    beta[0]! - means.reduce((sum, mean, j) => sum + (beta[j + 1]! * mean) / sds[j]!, 0),
    ...sds.map((sd, j) => beta[j + 1]! / sd),
  ];
  return {
    coefficients,
    probabilities,
    linearPredictor: eta,
    design,
    iterations: warmIterations + fit.iterations,
    converged: fit.converged,
    singular: fit.singular,
    // A singular information matrix is also how separation ends; collinearity is the caller's to rule out.
    separated: !fit.converged || extreme > separationLogit,
  };
}

/**
 * A column whose ranges for outcome 0 and outcome 1 do not overlap at all, if there is one: it
 * alone separates the outcomes, so a logistic fit has no finite maximum.
 */
export function separatingColumn(
  columns: readonly { name: string; values: Float64Array }[],
  outcome: Float64Array,
): string | undefined {
  for (const { name, values } of columns) {
    const range = [
      [Infinity, -Infinity],
      [Infinity, -Infinity],
    ];
    values.forEach((v, i) => {
      const r = range[outcome[i]!]!;
      r[0] = Math.min(r[0]!, v);
      r[1] = Math.max(r[1]!, v);
    });
    if (range[1]![0]! > range[0]![1]! || range[0]![0]! > range[1]![1]!) return name;
  }
  return undefined;
}

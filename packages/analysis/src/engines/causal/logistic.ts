import { CholeskyDecomposition, Matrix } from 'ml-matrix';

export interface LogisticFit {
  /** Coefficients on the design's columns (first the intercept), in the columns' own units. */
  coefficients: number[];
  /** Fitted probabilities P(treated | x). */
  probabilities: Float64Array;
  /** The linear predictor x'β (the logit of the probability). */
  linearPredictor: Float64Array;
  /** The columns the model was fitted on: ones, then each covariate standardized. Scores use these. */
  design: Float64Array[];
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

const maxIterations = 50;
/** Beyond |x'β| = 30 a probability is within 1e-13 of 0 or 1: the sign of separation, not of data. */
const separationLogit = 30;

const sigmoid = (eta: number) => (eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta)));

/** log(1 + e^x) without overflow. */
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/**
 * Logistic regression of a 0/1 outcome on design columns (without the intercept, which is
 * added), by Newton's method (iteratively reweighted least squares) with step halving.
 * Columns are standardized while fitting, which keeps the Hessian well conditioned; the
 * coefficients are reported on the original scale.
 */
export function logistic(columns: readonly Float64Array[], outcome: Float64Array): LogisticFit {
  const n = outcome.length;
  const standardized = columns.map((column) => {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += column[i]!;
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (column[i]! - mean) ** 2;
    const sd = Math.sqrt(ss / n) || 1;
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = (column[i]! - mean) / sd;
    return { z, mean, sd };
  });
  const design = [new Float64Array(n).fill(1), ...standardized.map((s) => s.z)];
  const k = design.length;

  let share = 0;
  for (let i = 0; i < n; i++) share += outcome[i]!;
  share /= n;
  let beta = new Array<number>(k).fill(0);
  beta[0] = Math.log(share / (1 - share));

  const eta = new Float64Array(n);
  const predict = (b: number[]) => {
    eta.fill(0);
    for (let j = 0; j < k; j++) {
      const column = design[j]!;
      const bj = b[j]!;
      for (let i = 0; i < n; i++) eta[i] = eta[i]! + bj * column[i]!;
    }
    // Deviance / 2: the negative log-likelihood.
    let loss = 0;
    for (let i = 0; i < n; i++) loss += softplus(eta[i]!) - outcome[i]! * eta[i]!;
    return loss;
  };

  let loss = predict(beta);
  let converged = false;
  let singular = false;
  let iterations = 0;
  const row = new Float64Array(k);
  while (iterations < maxIterations && !converged) {
    iterations++;
    const gradient = new Float64Array(k);
    const hessian = new Float64Array(k * k);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(eta[i]!);
      const w = p * (1 - p);
      const residual = outcome[i]! - p;
      for (let a = 0; a < k; a++) row[a] = design[a]![i]!;
      for (let a = 0; a < k; a++) {
        gradient[a]! += row[a]! * residual;
        const wa = w * row[a]!;
        for (let b = a; b < k; b++) hessian[a * k + b]! += wa * row[b]!;
      }
    }
    const information = new Matrix(k, k);
    for (let a = 0; a < k; a++)
      for (let b = a; b < k; b++) {
        information.set(a, b, hessian[a * k + b]!);
        information.set(b, a, hessian[a * k + b]!);
      }
    const cholesky = new CholeskyDecomposition(information);
    if (!cholesky.isPositiveDefinite()) {
      singular = true;
      break;
    }
    const step = cholesky.solve(Matrix.columnVector(Array.from(gradient))).to1DArray();

    // Newton's step can overshoot far from the optimum; halve it until the likelihood improves.
    let scale = 1;
    let candidate = beta.map((b, j) => b + step[j]!);
    let candidateLoss = predict(candidate);
    while (!(candidateLoss <= loss) && scale > 1e-6) {
      scale /= 2;
      candidate = beta.map((b, j) => b + scale * step[j]!);
      candidateLoss = predict(candidate);
    }
    const change = Math.max(...step.map((s, j) => Math.abs(scale * s) / (1 + Math.abs(beta[j]!))));
    converged = change < 1e-10 || Math.abs(loss - candidateLoss) <= 1e-14 * Math.abs(loss);
    beta = candidate;
    loss = candidateLoss;
  }
  predict(beta);

  const probabilities = new Float64Array(n);
  let extreme = 0;
  for (let i = 0; i < n; i++) {
    probabilities[i] = sigmoid(eta[i]!);
    extreme = Math.max(extreme, Math.abs(eta[i]!));
  }
  // Back to the original scale: β_j / sd_j, and the intercept absorbs the means.
  const coefficients = [beta[0]!, ...standardized.map((s, j) => beta[j + 1]! / s.sd)];
  coefficients[0] = beta[0]! - standardized.reduce((sum, s, j) => sum + (beta[j + 1]! * s.mean) / s.sd, 0);
  return {
    coefficients,
    probabilities,
    linearPredictor: Float64Array.from(eta),
    design,
    iterations,
    converged,
    singular,
    separated: !converged || extreme > separationLogit,
  };
}

import { Matrix, solve } from 'ml-matrix';
import { weightedGram, weightedSums } from './gram';

/**
 * Inverse probability weighting estimators, with standard errors from the stacked estimating
 * equations (M-estimation): the propensity model's score x(t - e) is stacked with the
 * estimator's own equations, so the uncertainty of the fitted propensities is accounted for.
 * The variance is (1/n²) Σ φ_i², with φ_i = c'J⁻¹ψ_i the influence of unit i, J the Jacobian
 * of the mean estimating function and c the contrast that picks the effect out of the stack.
 */

export interface IpwInput {
  y: Float64Array;
  t: Float64Array;
  /** Fitted propensities P(t = 1 | x), strictly inside (0, 1). */
  e: Float64Array;
  /** The propensity model's design columns (intercept first), as fitted. */
  design: readonly Float64Array[];
  /** mean(e(1-e)·x x'), the propensity model's information; shared by the estimators, computed once if absent. */
  information?: Matrix;
}

export interface IpwEstimate {
  estimate: number;
  se: number;
}

/** The propensity model's average information, mean(e(1-e)·x x'): the β block of every Jacobian here (negated). */
export function propensityInformation(design: readonly Float64Array[], e: Float64Array): Matrix {
  const n = e.length;
  return weightedGram(
    design,
    e.map((p) => p * (1 - p)),
  ).div(n);
}

/**
 * The estimator's own equations beyond β, each depending on its own parameter only:
 * ψ_m(i) (at the estimates), ∂ψ_m/∂β = factor_m(i)·x_i', and the mean of ∂ψ_m/∂θ_m.
 */
interface Equations {
  psi: Float64Array[];
  factor: Float64Array[];
  slope: number[];
  contrast: number[];
}

function stackedStandardError(input: IpwInput, { psi, factor, slope, contrast }: Equations): number {
  const { t, e, design } = input;
  const n = t.length;
  const k = design.length;
  const m = psi.length;
  const information = input.information ?? propensityInformation(design, e);
  const jacobian = Matrix.zeros(k + m, k + m);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) jacobian.set(a, b, -information.get(a, b));
  for (let r = 0; r < m; r++) {
    weightedSums(design, factor[r]!).forEach((sum, a) => {
      jacobian.set(k + r, a, sum / n);
    });
    jacobian.set(k + r, k + r, slope[r]!);
  }

  // a' = c'J⁻¹, i.e. J'a = c; then φ_i = a'ψ_i.
  const c = Matrix.columnVector([...new Array<number>(k).fill(0), ...contrast]);
  const a = solve(jacobian.transpose(), c).to1DArray();
  const phi = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    const column = design[j]!;
    const aj = a[j]!;
    for (let i = 0; i < n; i++) phi[i]! += aj * column[i]!;
  }
  for (let i = 0; i < n; i++) phi[i] = phi[i]! * (t[i]! - e[i]!);
  for (let r = 0; r < m; r++) {
    const ar = a[k + r]!;
    const p = psi[r]!;
    for (let i = 0; i < n; i++) phi[i]! += ar * p[i]!;
  }
  let sumSquares = 0;
  for (let i = 0; i < n; i++) sumSquares += phi[i]! * phi[i]!;
  return Math.sqrt(sumSquares) / n;
}

function weightedMean(y: Float64Array, weights: Float64Array): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    sum += weights[i]! * y[i]!;
    total += weights[i]!;
  }
  return sum / total;
}

const make = (n: number) => new Float64Array(n);

function sum(values: Float64Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

/** ATE by normalized weights 1/e and 1/(1-e) (Hájek): the difference of two weighted means. */
export function ipwHajek(input: IpwInput): IpwEstimate {
  const { y, t, e } = input;
  const n = y.length;
  const w1 = make(n);
  const w0 = make(n);
  for (let i = 0; i < n; i++) {
    w1[i] = t[i]! / e[i]!;
    w0[i] = (1 - t[i]!) / (1 - e[i]!);
  }
  const mu1 = weightedMean(y, w1);
  const mu0 = weightedMean(y, w0);
  const [psi1, psi0, f1, f0] = [make(n), make(n), make(n), make(n)];
  for (let i = 0; i < n; i++) {
    psi1[i] = w1[i]! * (y[i]! - mu1);
    psi0[i] = w0[i]! * (y[i]! - mu0);
    // ∂(1/e)/∂β = -(1-e)/e·x and ∂(1/(1-e))/∂β = e/(1-e)·x.
    f1[i] = -psi1[i]! * (1 - e[i]!);
    f0[i] = psi0[i]! * e[i]!;
  }
  const se = stackedStandardError(input, {
    psi: [psi1, psi0],
    factor: [f1, f0],
    slope: [-sum(w1) / n, -sum(w0) / n],
    contrast: [1, -1],
  });
  return { estimate: mu1 - mu0, se };
}

/** ATE by unnormalized weights (Horvitz–Thompson): mean of t·y/e - (1-t)·y/(1-e). */
export function ipwHorvitzThompson(input: IpwInput): IpwEstimate {
  const { y, t, e } = input;
  const n = y.length;
  const terms = make(n);
  const factor = make(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const treated = (t[i]! * y[i]!) / e[i]!;
    const control = ((1 - t[i]!) * y[i]!) / (1 - e[i]!);
    terms[i] = treated - control;
    factor[i] = -treated * (1 - e[i]!) - control * e[i]!;
    total += terms[i]!;
  }
  const tau = total / n;
  for (let i = 0; i < n; i++) terms[i] = terms[i]! - tau;
  const se = stackedStandardError(input, {
    psi: [terms],
    factor: [factor],
    slope: [-1],
    contrast: [1],
  });
  return { estimate: tau, se };
}

/** ATT: treated units' mean minus controls weighted by the odds e/(1-e), which reweights them to look treated. */
export function ipwAtt(input: IpwInput): IpwEstimate {
  const { y, t, e } = input;
  const n = y.length;
  const w0 = make(n);
  for (let i = 0; i < n; i++) w0[i] = ((1 - t[i]!) * e[i]!) / (1 - e[i]!);
  const mu1 = weightedMean(y, t);
  const mu0 = weightedMean(y, w0);
  const [psi1, psi0] = [make(n), make(n)];
  for (let i = 0; i < n; i++) {
    psi1[i] = t[i]! * (y[i]! - mu1);
    // ∂odds/∂β = odds·x, so the control equation's factor is the equation itself.
    psi0[i] = w0[i]! * (y[i]! - mu0);
  }
  const se = stackedStandardError(input, {
    psi: [psi1, psi0],
    factor: [make(n), psi0],
    slope: [-sum(t) / n, -sum(w0) / n],
    contrast: [1, -1],
  });
  return { estimate: mu1 - mu0, se };
}

/** The weights each estimand puts on a unit: 1/e or 1/(1-e) for the ATE, 1 or e/(1-e) for the ATT. */
export function ateWeights(t: Float64Array, e: Float64Array): Float64Array {
  return t.map((ti, i) => (ti === 1 ? 1 / e[i]! : 1 / (1 - e[i]!)));
}

export function attWeights(t: Float64Array, e: Float64Array): Float64Array {
  return t.map((ti, i) => (ti === 1 ? 1 : e[i]! / (1 - e[i]!)));
}

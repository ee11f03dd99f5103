import { Matrix, solve } from 'ml-matrix';

/**
 * Inverse probability weighting estimators, with standard errors from the stacked estimating
 * equations (M-estimation): the propensity model's score x(t - e) is stacked with the
 * estimator's own equations, so the uncertainty of the fitted propensities is accounted for.
 * The variance is (1/n²) Σ φ_i², with φ_i = c'J⁻¹ψ_i the influence of unit i, J the Jacobian
 * of the mean estimating function and c picks the effect out of the stacked parameters.
 */

export interface IpwInput {
  y: Float64Array;
  t: Float64Array;
  /** Fitted propensities P(t = 1 | x), strictly inside (0, 1). */
  e: Float64Array;
  /** The propensity model's design columns (intercept first), as fitted. */
  design: readonly Float64Array[];
}

export interface IpwEstimate {
  estimate: number;
  se: number;
}

interface Equations {
  /** Parameters beyond β, at their estimates. */
  theta: number[];
  /** The extra estimating functions for unit i at theta. */
  psi(i: number, out: Float64Array): void;
  /** ∂ψ_extra/∂β for unit i, as a multiplier of x_i: ∂ψ_m/∂β = factor_m · x_i'. */
  dBeta(i: number, out: Float64Array): void;
  /** ∂ψ_extra/∂θ for unit i (diagonal: each extra equation depends on its own parameter only). */
  dTheta(i: number, out: Float64Array): void;
  /** Which combination of the extra parameters is the effect. */
  contrast: number[];
}

function stackedStandardError(input: IpwInput, equations: Equations): number {
  const { t, e, design } = input;
  const n = t.length;
  const k = design.length;
  const m = equations.theta.length;
  const size = k + m;
  const jacobian = Matrix.zeros(size, size);
  const factor = new Float64Array(m);
  const diagonal = new Float64Array(m);
  const psi = new Float64Array(m);
  const sums = new Float64Array(size * size);

  for (let i = 0; i < n; i++) {
    const w = e[i]! * (1 - e[i]!);
    equations.dBeta(i, factor);
    equations.dTheta(i, diagonal);
    for (let a = 0; a < k; a++) {
      const xa = design[a]![i]!;
      for (let b = a; b < k; b++) sums[a * size + b]! -= w * xa * design[b]![i]!;
      for (let r = 0; r < m; r++) sums[(k + r) * size + a]! += factor[r]! * xa;
    }
    for (let r = 0; r < m; r++) sums[(k + r) * size + k + r]! += diagonal[r]!;
  }
  for (let a = 0; a < size; a++)
    for (let b = 0; b < size; b++) {
      const value = a < k && b < a ? sums[b * size + a]! : sums[a * size + b]!;
      jacobian.set(a, b, value / n);
    }

  // a' = c'J⁻¹, i.e. J'a = c; then φ_i = a'ψ_i.
  const c = Matrix.columnVector([...new Array<number>(k).fill(0), ...equations.contrast]);
  const a = solve(jacobian.transpose(), c).to1DArray();
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const residual = t[i]! - e[i]!;
    let phi = 0;
    for (let j = 0; j < k; j++) phi += a[j]! * design[j]![i]! * residual;
    equations.psi(i, psi);
    for (let r = 0; r < m; r++) phi += a[k + r]! * psi[r]!;
    sumSquares += phi * phi;
  }
  return Math.sqrt(sumSquares) / n;
}

function weightedMean(y: Float64Array, weight: (i: number) => number): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weight(i);
    sum += w * y[i]!;
    total += w;
  }
  return sum / total;
}

/** ATE by normalized weights 1/e and 1/(1-e) (Hájek): the difference of two weighted means. */
export function ipwHajek(input: IpwInput): IpwEstimate {
  const { y, t, e } = input;
  const mu1 = weightedMean(y, (i) => t[i]! / e[i]!);
  const mu0 = weightedMean(y, (i) => (1 - t[i]!) / (1 - e[i]!));
  const se = stackedStandardError(input, {
    theta: [mu1, mu0],
    psi: (i, out) => {
      out[0] = (t[i]! * (y[i]! - mu1)) / e[i]!;
      out[1] = ((1 - t[i]!) * (y[i]! - mu0)) / (1 - e[i]!);
    },
    dBeta: (i, out) => {
      out[0] = (-t[i]! * (y[i]! - mu1) * (1 - e[i]!)) / e[i]!;
      out[1] = ((1 - t[i]!) * (y[i]! - mu0) * e[i]!) / (1 - e[i]!);
    },
    dTheta: (i, out) => {
      out[0] = -t[i]! / e[i]!;
      out[1] = -(1 - t[i]!) / (1 - e[i]!);
    },
    contrast: [1, -1],
  });
  return { estimate: mu1 - mu0, se };
}

/** ATE by unnormalized weights (Horvitz–Thompson): mean of t·y/e - (1-t)·y/(1-e). */
export function ipwHorvitzThompson(input: IpwInput): IpwEstimate {
  const { y, t, e } = input;
  const n = y.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (t[i]! * y[i]!) / e[i]! - ((1 - t[i]!) * y[i]!) / (1 - e[i]!);
  const tau = sum / n;
  const se = stackedStandardError(input, {
    theta: [tau],
    psi: (i, out) => {
      out[0] = (t[i]! * y[i]!) / e[i]! - ((1 - t[i]!) * y[i]!) / (1 - e[i]!) - tau;
    },
    dBeta: (i, out) => {
      out[0] = (-t[i]! * y[i]! * (1 - e[i]!)) / e[i]! - ((1 - t[i]!) * y[i]! * e[i]!) / (1 - e[i]!);
    },
    dTheta: (_, out) => {
      out[0] = -1;
    },
    contrast: [1],
  });
  return { estimate: tau, se };
}

/** ATT: treated units' mean minus controls weighted by the odds e/(1-e), which reweights them to look treated. */
export function ipwAtt(input: IpwInput): IpwEstimate {
  const { y, t, e } = input;
  const odds = (i: number) => e[i]! / (1 - e[i]!);
  const mu1 = weightedMean(y, (i) => t[i]!);
  const mu0 = weightedMean(y, (i) => (1 - t[i]!) * odds(i));
  const se = stackedStandardError(input, {
    theta: [mu1, mu0],
    psi: (i, out) => {
      out[0] = t[i]! * (y[i]! - mu1);
      out[1] = (1 - t[i]!) * odds(i) * (y[i]! - mu0);
    },
    dBeta: (i, out) => {
      out[0] = 0;
      out[1] = (1 - t[i]!) * odds(i) * (y[i]! - mu0);
    },
    dTheta: (i, out) => {
      out[0] = -t[i]!;
      out[1] = -(1 - t[i]!) * odds(i);
    },
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

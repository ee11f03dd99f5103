import { Matrix, solve } from 'ml-matrix';
import { designGram } from './gram';
import type { Standardized } from './standardized';

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
  /** The propensity model's design (intercept first), as fitted. */
  design: Standardized;
  /** mean(e(1-e)·x x'), the propensity model's information; shared by the estimators, computed once if absent. */
  information?: Matrix;
}

export interface IpwEstimate {
  estimate: number;
  se: number;
}

/** The propensity model's average information, mean(e(1-e)·x x'): the β block of every Jacobian here (negated). */
export function propensityInformation(design: Standardized, e: Float64Array): Matrix {
  const n = e.length;
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) weights[i] = e[i]! * (1 - e[i]!);
  return designGram(design, weights).div(n);
}

/**
 * The estimator's own equations beyond β at row i, each depending on its own parameter only:
 * writes ψ_m(i) (at the estimates) and factor_m(i), where ∂ψ_m/∂β = factor_m(i)·x_i'. Row by
 * row, so no column of them is ever held.
 */
type RowEquations = (i: number, psi: Float64Array, factor: Float64Array) => void;

interface Equations {
  count: number;
  at: RowEquations;
  /** The mean of each ∂ψ_m/∂θ_m. */
  slope: number[];
  contrast: number[];
}

/**
 * a in a' = c'J⁻¹, the weights that make unit i's influence φ_i = a'ψ_i: J is the Jacobian of
 * the stacked equations, from the propensity model's information, each equation's mean
 * ∂ψ_m/∂β (`rows`, already divided by n) and its ∂ψ_m/∂θ_m (`slope`).
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

/**
 * √(Σ φ_i²)/n for φ_i = a'ψ_i, the influence of unit i, with a from influenceWeights: one pass
 * for the Jacobian's mean derivatives in β (summed per column in row order, as weightedSums
 * sums), one for the influences.
 */
function stackedStandardError(input: IpwInput, { count, at, slope, contrast }: Equations): number {
  const { t, e, design } = input;
  const n = t.length;
  const k = design.width;
  const information = input.information ?? propensityInformation(design, e);
  const psi = new Float64Array(count);
  const factor = new Float64Array(count);
  const sums = Array.from({ length: count }, () => new Float64Array(k));
  // One row of the design at a time, the same doubles as a stored design's.
  const z = new Float64Array(k);
  const row = (i: number) => {
    z[0] = 1;
    for (let j = 1; j < k; j++)
      z[j] = (design.covariates[j - 1]![i]! - design.means[j - 1]!) * design.scales[j - 1]!;
  };
  for (let i = 0; i < n; i++) {
    at(i, psi, factor);
    row(i);
    for (let r = 0; r < count; r++) {
      const f = factor[r]!;
      const into = sums[r]!;
      for (let j = 0; j < k; j++) into[j]! += f * z[j]!;
    }
  }
  const a = influenceWeights(
    information,
    sums.map((row) => Array.from(row, (sum) => sum / n)),
    slope,
    contrast,
  );
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    let phi = 0;
    row(i);
    for (let j = 0; j < k; j++) phi += a[j]! * z[j]!;
    phi *= t[i]! - e[i]!;
    at(i, psi, factor);
    for (let r = 0; r < count; r++) phi += a[k + r]! * psi[r]!;
    sumSquares += phi * phi;
  }
  return Math.sqrt(sumSquares) / n;
}

/** ATE by normalized weights 1/e and 1/(1-e) (Hájek): the difference of two weighted means. */
export function ipwHajek(input: IpwInput): IpwEstimate {
  const { y, t, e } = input;
  const n = y.length;
  let [sum1, total1, sum0, total0] = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const w1 = t[i]! / e[i]!;
    const w0 = (1 - t[i]!) / (1 - e[i]!);
    sum1 += w1 * y[i]!;
    total1 += w1;
    sum0 += w0 * y[i]!;
    total0 += w0;
  }
  const mu1 = sum1 / total1;
  const mu0 = sum0 / total0;
  const se = stackedStandardError(input, {
    count: 2,
    at: (i, psi, factor) => {
      psi[0] = (t[i]! / e[i]!) * (y[i]! - mu1);
      psi[1] = ((1 - t[i]!) / (1 - e[i]!)) * (y[i]! - mu0);
      // ∂(1/e)/∂β = -(1-e)/e·x and ∂(1/(1-e))/∂β = e/(1-e)·x.
      factor[0] = -psi[0]! * (1 - e[i]!);
      factor[1] = psi[1]! * e[i]!;
    },
    slope: [-total1 / n, -total0 / n],
    contrast: [1, -1],
  });
  return { estimate: mu1 - mu0, se };
}

/** ATE by unnormalized weights (Horvitz–Thompson): mean of t·y/e - (1-t)·y/(1-e). */
export function ipwHorvitzThompson(input: IpwInput): IpwEstimate {
  const { y, t, e } = input;
  const n = y.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += (t[i]! * y[i]!) / e[i]! - ((1 - t[i]!) * y[i]!) / (1 - e[i]!);
  const tau = total / n;
  const se = stackedStandardError(input, {
    count: 1,
    at: (i, psi, factor) => {
      const treated = (t[i]! * y[i]!) / e[i]!;
      const control = ((1 - t[i]!) * y[i]!) / (1 - e[i]!);
      psi[0] = treated - control - tau;
      factor[0] = -treated * (1 - e[i]!) - control * e[i]!;
    },
    slope: [-1],
    contrast: [1],
  });
  return { estimate: tau, se };
}

/** ATT: treated units' mean minus controls weighted by the odds e/(1-e), which reweights them to look treated. */
export function ipwAtt(input: IpwInput): IpwEstimate {
  const { y, t, e } = input;
  const n = y.length;
  let [sum1, total1, sum0, total0] = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const odds = ((1 - t[i]!) * e[i]!) / (1 - e[i]!);
    sum1 += t[i]! * y[i]!;
    total1 += t[i]!;
    sum0 += odds * y[i]!;
    total0 += odds;
  }
  const mu1 = sum1 / total1;
  const mu0 = sum0 / total0;
  const se = stackedStandardError(input, {
    count: 2,
    at: (i, psi, factor) => {
      psi[0] = t[i]! * (y[i]! - mu1);
      // ∂odds/∂β = odds·x, so the control equation's factor is the equation itself.
      psi[1] = (((1 - t[i]!) * e[i]!) / (1 - e[i]!)) * (y[i]! - mu0);
      factor[0] = 0;
      factor[1] = psi[1]!;
    },
    slope: [-total1 / n, -total0 / n],
    contrast: [1, -1],
  });
  return { estimate: mu1 - mu0, se };
}

/** The weights each estimand puts on a unit: 1/e or 1/(1-e) for the ATE, 1 or e/(1-e) for the ATT. */
export function ateWeights(t: Float64Array, e: Float64Array): Float64Array {
  const weights = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) weights[i] = t[i] === 1 ? 1 / e[i]! : 1 / (1 - e[i]!);
  return weights;
}

export function attWeights(t: Float64Array, e: Float64Array): Float64Array {
  const weights = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) weights[i] = t[i] === 1 ? 1 : e[i]! / (1 - e[i]!);
  return weights;
}

import betainc from '@stdlib/math-base-special-betainc';
import erfc from '@stdlib/math-base-special-erfc';
import gammainc from '@stdlib/math-base-special-gammainc';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Φ⁻¹(0.975): the normal-approximation 95 % interval's half-width in standard errors. */
export const z975 = 1.959963984540054;

/** A 95 % interval from Student's t with `df` degrees of freedom. */
export function tInterval(estimate: number, se: number, df: number): [number, number] {
  const half = tQuantile(0.975, df) * se;
  return [estimate - half, estimate + half];
}

/** A 95 % interval from the normal approximation. */
export function normalInterval(estimate: number, se: number): [number, number] {
  return [estimate - z975 * se, estimate + z975 * se];
}

// Tail probabilities come straight from the regularized incomplete beta and gamma functions
// (never as 1 − CDF), so a p-value of 1e-40 keeps its digits. Of the two equal forms
// I_x(a, b) = 1 − I_{1−x}(b, a), the one whose argument is below ½ is evaluated: that argument
// is computed directly, without the cancellation of 1 − x.

/** I_x(a, b) where x = num / (num + other), through whichever of x and 1 − x is the smaller. */
function betaTail(num: number, other: number, a: number, b: number): number {
  const total = num + other;
  return num <= other ? betainc(num / total, a, b) : betainc(other / total, b, a, true, true);
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom. */
export function tTwoSidedP(t: number, df: number): number {
  return betaTail(df, t * t, df / 2, 0.5);
}

/** P(Z ≥ z) for the standard normal. */
export function normalUpperP(z: number): number {
  return erfc(z / Math.SQRT2) / 2;
}

/** P(|Z| ≥ |z|) for the standard normal. */
export function normalTwoSidedP(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** P(X ≥ x) for chi-square with `df` degrees of freedom. */
export function chiSquareUpperP(x: number, df: number): number {
  return gammainc(x / 2, df / 2, true, true);
}

/** P(X ≥ f) for Fisher's F with `df1` and `df2` degrees of freedom. */
export function fUpperP(f: number, df1: number, df2: number): number {
  return betaTail(df2, df1 * f, df2 / 2, df1 / 2);
}

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

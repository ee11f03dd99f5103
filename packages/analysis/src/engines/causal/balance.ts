export interface Balance {
  covariate: string;
  /** Standardized mean difference, treated minus control, over the pooled standard deviation. */
  smdBefore: number | null;
  /** The same after inverse probability weighting for the ATE (weights 1/e and 1/(1-e)). */
  smdAfter: number | null;
  /** The same after weighting for the ATT (controls weighted by e/(1-e)). */
  smdAfterAtt: number | null;
}

function weightedMoments(x: Float64Array, t: Float64Array, group: number, weights?: Float64Array) {
  let total = 0;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++)
    if (t[i] === group) {
      const w = weights ? weights[i]! : 1;
      total += w;
      sum += w * x[i]!;
      n++;
    }
  const mean = sum / total;
  let ss = 0;
  for (let i = 0; i < x.length; i++) if (t[i] === group) ss += (x[i]! - mean) ** 2;
  return { mean, variance: ss / (n - 1) };
}

/**
 * Standardized mean differences of each covariate. The denominator is the unweighted pooled
 * standard deviation, so the numbers before and after weighting are on one scale; it is null
 * when the covariate does not vary within either group.
 */
export function standardizedDifferences(
  covariates: readonly { name: string; values: Float64Array }[],
  t: Float64Array,
  ateWeights?: Float64Array,
  attWeights?: Float64Array,
): Balance[] {
  return covariates.map(({ name, values }) => {
    const treated = weightedMoments(values, t, 1);
    const control = weightedMoments(values, t, 0);
    const scale = Math.sqrt((treated.variance + control.variance) / 2);
    const smd = (weights?: Float64Array) => {
      if (!weights || !(scale > 0)) return null;
      return (
        (weightedMoments(values, t, 1, weights).mean - weightedMoments(values, t, 0, weights).mean) / scale
      );
    };
    return {
      covariate: name,
      smdBefore: scale > 0 ? (treated.mean - control.mean) / scale : null,
      smdAfter: smd(ateWeights),
      smdAfterAtt: smd(attWeights),
    };
  });
}

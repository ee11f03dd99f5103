export interface Balance {
  covariate: string;
  /** Standardized mean difference, treated minus control, over the pooled standard deviation. */
  smdBefore: number | null;
  /** The same after inverse probability weighting for the ATE (weights 1/e and 1/(1-e)). */
  smdAfter: number | null;
  /** The same after weighting for the ATT (controls weighted by e/(1-e)). */
  smdAfterAtt: number | null;
}

/**
 * Standardized mean differences of each covariate. The denominator is the unweighted pooled
 * standard deviation, so the numbers before and after weighting are on one scale; the SMD is
 * null when the covariate does not vary within either group. One pass per covariate gathers
 * every sum, shifted by the overall mean so the variances lose no digits.
 */
export function standardizedDifferences(
  covariates: readonly { name: string; values: Float64Array }[],
  t: Float64Array,
  ateWeights?: Float64Array,
  attWeights?: Float64Array,
): Balance[] {
  const n = t.length;
  return covariates.map(({ name, values }) => {
    let shift = 0;
    for (let i = 0; i < n; i++) shift += values[i]!;
    shift /= n;
    // Per group (0, 1): count, Σd, Σd², Σw·d and Σw for both weightings, with d = x − shift.
    const count = [0, 0];
    const sum = [0, 0];
    const squares = [0, 0];
    const ate = [0, 0];
    const ateTotal = [0, 0];
    const att = [0, 0];
    const attTotal = [0, 0];
    for (let i = 0; i < n; i++) {
      const g = t[i]!;
      const d = values[i]! - shift;
      count[g]!++;
      sum[g]! += d;
      squares[g]! += d * d;
      if (ateWeights) {
        ate[g]! += ateWeights[i]! * d;
        ateTotal[g]! += ateWeights[i]!;
      }
      if (attWeights) {
        att[g]! += attWeights[i]! * d;
        attTotal[g]! += attWeights[i]!;
      }
    }
    const variance = (g: number) => (squares[g]! - sum[g]! ** 2 / count[g]!) / (count[g]! - 1);
    const scale = Math.sqrt((variance(1) + variance(0)) / 2);
    const smd = (difference: number) => (scale > 0 ? difference / scale : null);
    return {
      covariate: name,
      smdBefore: smd(sum[1]! / count[1]! - sum[0]! / count[0]!),
      smdAfter: ateWeights ? smd(ate[1]! / ateTotal[1]! - ate[0]! / ateTotal[0]!) : null,
      smdAfterAtt: attWeights ? smd(att[1]! / attTotal[1]! - att[0]! / attTotal[0]!) : null,
    };
  });
}

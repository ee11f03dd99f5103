import type { Balance } from '@cascade/core/contract';

export type { Balance } from '@cascade/core/contract';

/**
 * One pass of sums for a covariate, over everyone and over the treated: t is 0/1, so
 * multiplying by it selects without a branch, and the control sums are the difference.
 * d = x − shift (the mean) keeps the squares exact. A small top-level kernel, so V8 optimizes
 * it on the first covariate.
 */
export function balanceSums(
  values: Float64Array,
  t: Float64Array,
  ate: Float64Array,
  att: Float64Array,
  out: Float64Array,
  shift: number,
) {
  const n = t.length;
  let treated = 0;
  let treatedD = 0;
  let allD = 0;
  let treatedD2 = 0;
  let allD2 = 0;
  let treatedAte = 0;
  let allAte = 0;
  let treatedAteW = 0;
  let allAteW = 0;
  let treatedAtt = 0;
  let allAtt = 0;
  let treatedAttW = 0;
  let allAttW = 0;
  for (let i = 0; i < n; i++) {
    const g = t[i]!;
    const d = values[i]! - shift;
    const d2 = d * d;
    const a = ate[i]!;
    const b = att[i]!;
    treated += g;
    treatedD += g * d;
    allD += d;
    treatedD2 += g * d2;
    allD2 += d2;
    treatedAte += g * a * d;
    allAte += a * d;
    treatedAteW += g * a;
    allAteW += a;
    treatedAtt += g * b * d;
    allAtt += b * d;
    treatedAttW += g * b;
    allAttW += b;
  }
  const sums = [
    treated,
    treatedD,
    allD,
    treatedD2,
    allD2,
    treatedAte,
    allAte,
    treatedAteW,
    allAteW,
    treatedAtt,
    allAtt,
    treatedAttW,
    allAttW,
  ];
  // Added to what `out` holds, so the sums can run over the rows a block at a time.
  for (let j = 0; j < sums.length; j++) out[j]! += sums[j]!;
}

/** The plain mean of a covariate, the shift its balance sums are taken from. */
export function shiftOf(values: Float64Array): number {
  let shift = 0;
  for (let i = 0; i < values.length; i++) shift += values[i]!;
  return shift / values.length;
}

/**
 * Standardized mean differences of each covariate. The denominator is the unweighted pooled
 * standard deviation, so the numbers before and after weighting are on one scale; the SMD is
 * null when the covariate does not vary within either group.
 */
export function standardizedDifferences(
  covariates: readonly { name: string; values: Float64Array }[],
  t: Float64Array,
  ateWeights?: Float64Array,
  attWeights?: Float64Array,
): Balance[] {
  const n = t.length;
  const none = new Float64Array(n);
  const sums = new Float64Array(13);
  return covariates.map(({ name, values }) => {
    sums.fill(0);
    balanceSums(values, t, ateWeights ?? none, attWeights ?? none, sums, shiftOf(values));
    return balanceFromSums(name, sums, n, ateWeights !== undefined, attWeights !== undefined);
  });
}

/** A covariate's standardized differences from its balance sums over all n rows. */
export function balanceFromSums(
  name: string,
  sums: Float64Array,
  n: number,
  ate: boolean,
  att: boolean,
): Balance {
  const [
    treated,
    treatedD,
    allD,
    treatedD2,
    allD2,
    treatedAte,
    allAte,
    treatedAteW,
    allAteW,
    treatedAtt,
    allAtt,
    treatedAttW,
    allAttW,
  ] = sums as unknown as number[];
  const control = n - treated!;
  const variance = (count: number, sum: number, squares: number) =>
    (squares - (sum * sum) / count) / (count - 1);
  const scale = Math.sqrt(
    (variance(treated!, treatedD!, treatedD2!) + variance(control, allD! - treatedD!, allD2! - treatedD2!)) /
      2,
  );
  const smd = (difference: number) => (scale > 0 ? difference / scale : null);
  return {
    covariate: name,
    smdBefore: smd(treatedD! / treated! - (allD! - treatedD!) / control),
    smdAfter: ate
      ? smd(treatedAte! / treatedAteW! - (allAte! - treatedAte!) / (allAteW! - treatedAteW!))
      : null,
    smdAfterAtt: att
      ? smd(treatedAtt! / treatedAttW! - (allAtt! - treatedAtt!) / (allAttW! - treatedAttW!))
      : null,
  };
}

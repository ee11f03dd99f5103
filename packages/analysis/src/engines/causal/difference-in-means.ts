import type { StudyRows } from './study-rows';

export interface DifferenceInMeans {
  estimate: number;
  /** Pooled-variance (classical two-sample t) standard error, with n - 2 degrees of freedom. */
  se: number;
  df: number;
  /** Welch's unequal-variance standard error and its Satterthwaite degrees of freedom. */
  seWelch: number;
  dfWelch: number;
}

interface GroupMoments {
  n: number;
  mean: number;
  variance: number;
}

/** The treated mean minus the control mean, from each group's moments in two passes; needs at least two rows in each group. */
export function differenceInMeans(rows: StudyRows): DifferenceInMeans {
  const n = [0, 0];
  const sum = [0, 0];
  rows.forEachBlock(({ y, t, rows: count }) => {
    for (let i = 0; i < count; i++) {
      const g = t[i]!;
      n[g]!++;
      sum[g]! += y[i]!;
    }
  });
  const mean = [sum[0]! / n[0]!, sum[1]! / n[1]!];
  const squares = [0, 0];
  rows.forEachBlock(({ y, t, rows: count }) => {
    for (let i = 0; i < count; i++) squares[t[i]!]! += (y[i]! - mean[t[i]!]!) ** 2;
  });
  const moments = (g: number) => ({ n: n[g]!, mean: mean[g]!, variance: squares[g]! / (n[g]! - 1) });
  return fromGroupMoments(moments(1), moments(0));
}

/** The difference in means from each group's count, mean and sample variance. */
function fromGroupMoments(treated: GroupMoments, control: GroupMoments): DifferenceInMeans {
  const df = treated.n + control.n - 2;
  const pooled = ((treated.n - 1) * treated.variance + (control.n - 1) * control.variance) / df;
  const a = treated.variance / treated.n;
  const b = control.variance / control.n;
  return {
    estimate: treated.mean - control.mean,
    se: Math.sqrt(pooled * (1 / treated.n + 1 / control.n)),
    df,
    seWelch: Math.sqrt(a + b),
    // With no spread in either group the Satterthwaite formula is 0/0; any df gives a zero-width interval.
    dfWelch: a + b > 0 ? (a + b) ** 2 / (a ** 2 / (treated.n - 1) + b ** 2 / (control.n - 1)) : df,
  };
}

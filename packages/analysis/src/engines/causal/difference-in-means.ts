export interface DifferenceInMeans {
  estimate: number;
  /** Pooled-variance (classical two-sample t) standard error, with n - 2 degrees of freedom. */
  se: number;
  df: number;
  /** Welch's unequal-variance standard error and its Satterthwaite degrees of freedom. */
  seWelch: number;
  dfWelch: number;
}

function groupMoments(y: Float64Array, t: Float64Array, group: 0 | 1) {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < y.length; i++)
    if (t[i] === group) {
      n++;
      sum += y[i]!;
    }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < y.length; i++) if (t[i] === group) ss += (y[i]! - mean) ** 2;
  return { n, mean, variance: ss / (n - 1) };
}

/** The treated mean minus the control mean; needs at least two units in each group. */
export function differenceInMeans(y: Float64Array, t: Float64Array): DifferenceInMeans {
  return fromGroupMoments(groupMoments(y, t, 1), groupMoments(y, t, 0));
}

export interface GroupMoments {
  n: number;
  mean: number;
  variance: number;
}

/** The difference in means from each group's count, mean and sample variance. */
export function fromGroupMoments(treated: GroupMoments, control: GroupMoments): DifferenceInMeans {
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

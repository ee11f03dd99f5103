import type { TestResult } from '@cascade/core/contract';
import { moments } from '../profile/moments';
import { chiSquareUpperP, fUpperP, normalUpperP, tInterval, tTwoSidedP } from '../stats/inference';

/**
 * Tests of a numeric outcome between groups, on each group's values sorted ascending. They match
 * SciPy and statsmodels: scipy.stats.ttest_ind(equal_var=False), mannwhitneyu(method='asymptotic',
 * use_continuity=True), kruskal, and statsmodels' anova_oneway(use_var='unequal').
 */

export interface GroupMoments {
  n: number;
  mean: number;
  /** Sample variance (n − 1 in the denominator). */
  variance: number;
}

/** Mean and sample variance as the profile computes them (a compensated sum, a corrected second pass). */
export function groupMoments(values: Float64Array): GroupMoments {
  const { mean, std } = moments(values);
  return { n: values.length, mean, variance: std! ** 2 };
}

/** The median of values sorted ascending (the mean of the middle two for an even count). */
export function median(sorted: Float64Array): number {
  const n = sorted.length;
  const half = n >> 1;
  return n % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}

/**
 * Welch's t-test of the first group's mean minus the second's, with its 95 % interval on
 * Satterthwaite's degrees of freedom. Cohen's d divides the difference by the pooled SD.
 */
export function welchT(a: GroupMoments, b: GroupMoments, label: string): TestResult {
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  const estimate = a.mean - b.mean;
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const statistic = estimate / se;
  const pooled = Math.sqrt(((a.n - 1) * a.variance + (b.n - 1) * b.variance) / (a.n + b.n - 2));
  return {
    test: 'welch_t',
    statistic,
    df,
    pValue: tTwoSidedP(statistic, df),
    difference: { estimate, ci: tInterval(estimate, se, df), label },
    effectSize: { name: 'cohens_d', value: estimate / pooled },
  };
}

interface Ranks {
  /** Each group's sum of ranks, ties sharing their average rank. */
  sums: number[];
  /** Σ (t³ − t) over runs of t tied values, for the tie corrections. */
  ties: number;
  n: number;
}

/** Midranks of the pooled values: one sort of all values, then a walk through each sorted group. */
function rank(groups: readonly Float64Array[]): Ranks {
  const n = groups.reduce((sum, g) => sum + g.length, 0);
  const all = new Float64Array(n);
  let at = 0;
  for (const g of groups) {
    all.set(g, at);
    at += g.length;
  }
  all.sort();
  const distinct: number[] = [];
  const midranks: number[] = [];
  let ties = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && all[end] === all[start]) end++;
    const t = end - start;
    distinct.push(all[start]!);
    midranks.push((start + 1 + end) / 2);
    ties += t * t * t - t;
    start = end;
  }
  const sums = groups.map((g) => {
    let sum = 0;
    for (let i = 0, p = 0; i < g.length; i++) {
      while (distinct[p]! < g[i]!) p++;
      sum += midranks[p]!;
    }
    return sum;
  });
  return { sums, ties, n };
}

/**
 * Mann–Whitney U test, normal approximation with tie and continuity corrections, two-sided.
 * The statistic is the first group's U: the pairs in which its value is the larger, ties
 * counting half. The rank-biserial correlation 2U/(n₁n₂) − 1 is P(first > second) −
 * P(first < second): positive when the first group's values tend to be larger, the same sign as
 * the difference in means (it equals 1 − 2U₂/(n₁n₂) for the second group's U₂).
 */
export function mannWhitney(a: Float64Array, b: Float64Array): TestResult {
  const { sums, ties, n } = rank([a, b]);
  const n1 = a.length;
  const n2 = b.length;
  const u1 = sums[0]! - (n1 * (n1 + 1)) / 2;
  const u = Math.max(u1, n1 * n2 - u1);
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))));
  const z = (u - (n1 * n2) / 2 - 0.5) / sd;
  // SciPy doubles the upper tail of the larger U and caps it at 1.
  const pValue = Math.min(1, 2 * normalUpperP(z));
  return {
    test: 'mann_whitney',
    statistic: u1,
    pValue,
    effectSize: { name: 'rank_biserial', value: (2 * u1) / (n1 * n2) - 1 },
  };
}

/**
 * Kruskal–Wallis H with the tie correction, against chi-square with k − 1 df. Effect size
 * ε² = H / (n − 1), Tomczak & Tomczak (2014), "The need to report effect size estimates
 * revisited", Trends in Sport Sciences 21(1): H / ((n² − 1)/(n + 1)).
 */
export function kruskalWallis(groups: readonly Float64Array[]): TestResult {
  const { sums, ties, n } = rank(groups);
  const centre = (n + 1) / 2;
  // Σ n_j (R̄_j − (n+1)/2)², the same sum as Σ R_j²/n_j − n(n+1)²/4 without its cancellation.
  let spread = 0;
  groups.forEach((g, j) => {
    spread += g.length * (sums[j]! / g.length - centre) ** 2;
  });
  const h = ((12 / (n * (n + 1))) * spread) / (1 - ties / (n ** 3 - n));
  const df = groups.length - 1;
  return {
    test: 'kruskal_wallis',
    statistic: h,
    df,
    pValue: chiSquareUpperP(h, df),
    effectSize: { name: 'epsilon_squared', value: h / (n - 1) },
  };
}

/**
 * Welch's one-way ANOVA (unequal variances): F with k − 1 and Welch's fractional denominator
 * df. Undefined when a group has no spread (its weight n/s² is infinite): then undefined here.
 *
 * Effect size: Hays' ω² = (SSB − (k − 1)·MSW) / (SST + MSW) from the ordinary one-way ANOVA
 * table, the share of the outcome's variance the groups explain, corrected for the bias of η²
 * (it can be slightly negative when the groups explain nothing). ω² rather than ε² because it
 * is the less biased of the two, and ε² names the Kruskal–Wallis effect size here.
 */
export function welchAnova(groups: readonly GroupMoments[]): TestResult | undefined {
  if (groups.some((g) => !(g.variance > 0))) return undefined;
  const k = groups.length;
  const weights = groups.map((g) => g.n / g.variance);
  const total = weights.reduce((sum, w) => sum + w, 0);
  const centre = groups.reduce((sum, g, j) => sum + weights[j]! * g.mean, 0) / total;
  const between = groups.reduce((sum, g, j) => sum + weights[j]! * (g.mean - centre) ** 2, 0) / (k - 1);
  const lambda = groups.reduce((sum, g, j) => sum + (1 - weights[j]! / total) ** 2 / (g.n - 1), 0);
  const statistic = between / (1 + ((2 * (k - 2)) / (k * k - 1)) * lambda);
  const df2 = (k * k - 1) / (3 * lambda);

  const n = groups.reduce((sum, g) => sum + g.n, 0);
  const grand = groups.reduce((sum, g) => sum + g.n * g.mean, 0) / n;
  const ssb = groups.reduce((sum, g) => sum + g.n * (g.mean - grand) ** 2, 0);
  const ssw = groups.reduce((sum, g) => sum + (g.n - 1) * g.variance, 0);
  const msw = ssw / (n - k);
  return {
    test: 'welch_anova',
    statistic,
    df: k - 1,
    df2,
    pValue: fUpperP(statistic, k - 1, df2),
    effectSize: { name: 'omega_squared', value: (ssb - (k - 1) * msw) / (ssb + ssw + msw) },
  };
}

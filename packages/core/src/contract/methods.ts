import type { EffectMethodChoice } from './inputs';

/** The effect estimators, as the engine names them in results. */
export const effectMethods = [
  'difference_in_means',
  'regression_adjustment',
  'ipw_hajek',
  'ipw_horvitz_thompson',
  'ipw_att',
  'matching_nn1_att',
] as const;
export type EffectMethod = (typeof effectMethods)[number];
export type Estimand = 'ATE' | 'ATT';

/** One label per method, for every answer, table and chart (IPW: inverse probability weighting). */
export const effectMethodLabels: Record<EffectMethod, string> = {
  difference_in_means: 'Difference in means',
  regression_adjustment: 'Regression adjustment',
  ipw_hajek: 'IPW (Hájek)',
  ipw_horvitz_thompson: 'IPW (Horvitz–Thompson)',
  ipw_att: 'IPW on the treated',
  matching_nn1_att: '1:1 propensity matching',
};

/** The estimator that leads the answer for each choice a person can make. */
export const headlineMethods: Record<EffectMethodChoice, EffectMethod> = {
  regression_adjustment: 'regression_adjustment',
  ipw: 'ipw_hajek',
  matching: 'matching_nn1_att',
  difference_in_means: 'difference_in_means',
};

/** The tests compare_groups runs. */
export const testNames = [
  'welch_t',
  'mann_whitney',
  'welch_anova',
  'kruskal_wallis',
  'chi_square',
  'two_proportion_z',
] as const;
export type TestName = (typeof testNames)[number];

export const testLabels: Record<TestName, string> = {
  welch_t: "Welch's t-test",
  mann_whitney: 'Mann–Whitney U test',
  welch_anova: "Welch's one-way ANOVA",
  kruskal_wallis: 'Kruskal–Wallis test',
  chi_square: 'Chi-square test of independence',
  two_proportion_z: 'Two-proportion z-test',
};

export const effectSizeNames = [
  'cohens_d',
  'rank_biserial',
  'omega_squared',
  'epsilon_squared',
  'cramers_v',
  'cohens_h',
] as const;
export type EffectSizeName = (typeof effectSizeNames)[number];

export const effectSizeLabels: Record<EffectSizeName, string> = {
  cohens_d: "Cohen's d",
  rank_biserial: 'rank-biserial correlation',
  omega_squared: 'ω²',
  epsilon_squared: 'ε²',
  cramers_v: "Cramér's V",
  cohens_h: "Cohen's h",
};

export const regressionModelLabels = {
  ols: 'Linear regression (OLS)',
  logistic: 'Logistic regression',
} as const;

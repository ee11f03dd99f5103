import type { Balance } from './balance';
import type { Overlap } from './overlap';

export const methods = [
  'difference_in_means',
  'regression_adjustment',
  'ipw_hajek',
  'ipw_horvitz_thompson',
  'ipw_att',
  'matching_nn1_att',
] as const;
export type Method = (typeof methods)[number];
export type Estimand = 'ATE' | 'ATT';

export interface EffectSpec {
  treatment: string;
  outcome: string;
  covariates?: readonly string[];
  /** Which estimators to run; all by default. */
  methods?: readonly Method[];
}

export interface Estimate {
  method: Method;
  estimand: Estimand;
  estimate: number;
  se: number;
  /** 95 % interval: Student's t for difference in means and regression, normal for weighting and matching. */
  ci: [number, number];
  df?: number;
  /** difference_in_means: Welch's unequal-variance error and interval. */
  seWelch?: number;
  ciWelch?: [number, number];
  /** regression_adjustment: heteroskedasticity-robust (HC1) error and interval. */
  seHc1?: number;
  ciHc1?: [number, number];
}

export interface EffectResult {
  tool: 'estimate_effect';
  source: string;
  treatment: string;
  outcome: string;
  /** Covariates as named, and the design columns they became (categorical ones as indicators). */
  covariates: string[];
  n: number;
  treated: number;
  control: number;
  /** Rows left out because a column in the request was missing there. */
  dropped: number;
  estimates: Estimate[];
  balance: Balance[];
  overlap?: Overlap;
  warnings: string[];
}

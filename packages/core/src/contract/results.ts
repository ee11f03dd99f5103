import type { Chart } from '../protocol/server';
import type { ChartSpec, Filter } from './inputs';
import type { EffectMethod, EffectSizeName, Estimand, TestName } from './methods';

/**
 * The result documents the analysis engines return (the JSON of `cascade-analysis --json`, the
 * task's result in S3, the observation the agent builds from it). Fields may be added, never
 * renamed. No number in a result is NaN or Infinity: an undefined quantity is null.
 */

/** A value in a result row: DuckDB's numbers as numbers, dates and times as ISO text. */
export type Cell = string | number | boolean | null;

/** Something about how the file was read that changes what the numbers mean; every result lists them. */
export type ReadNote =
  | {
      /** A column read as numbers although some cells were not; those cells count as missing. */
      kind: 'coerced';
      column: string;
      /** How many cells were not numbers. */
      count: number;
      /** The first few, with the file's line number (the header is line 1). */
      examples: { value: string; line: number }[];
    }
  | {
      /** A header renamed to keep column names unique (or to name an empty header). */
      kind: 'renamed';
      /** The header as the file has it ('' for an empty one). */
      from: string;
      to: string;
      /** 1-based position of the column in the file. */
      position: number;
    }
  | {
      /** Numbers were written with decimal commas (1.234,5) and read as such. */
      kind: 'decimal_comma';
      columns: string[];
    }
  | {
      /** These text columns look like numbers with decimal commas, which a comma-separated file cannot hold unquoted. */
      kind: 'decimal_comma_suspected';
      columns: string[];
    };

// ---------------------------------------------------------------- profile

export type ColumnType = 'numeric' | 'integer' | 'boolean' | 'categorical' | 'datetime' | 'text';

export interface Histogram {
  /** numpy's convention: 21 edges, bins closed on the left, the last one on both sides. */
  edges: number[];
  counts: number[];
}

export interface TopValue {
  value: string | number | boolean;
  count: number;
}

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  /** Non-missing values. */
  count: number;
  missing: number;
  unique: number;
  // numeric and integer columns only
  mean?: number;
  /** Sample standard deviation; null with fewer than two values. */
  std?: number | null;
  min?: number;
  q25?: number;
  q50?: number;
  q75?: number;
  max?: number;
  histogram?: Histogram;
  // categorical, boolean and text columns
  top?: TopValue[];
  // datetime columns, as ISO text
  earliest?: string;
  latest?: string;
}

export interface Correlation {
  /** Numeric, integer and boolean (as 0/1) columns. */
  columns: string[];
  /** Pearson's r over pairwise-complete rows; null where it is undefined (a constant column). */
  matrix: (number | null)[][];
}

export interface ProfileResult {
  tool: 'profile';
  source: string;
  rows: number;
  columns: ColumnProfile[];
  correlation: Correlation;
  reading: ReadNote[];
  warnings: string[];
}

// ---------------------------------------------------------------- estimate_effect

export interface Estimate {
  method: EffectMethod;
  estimand: Estimand;
  estimate: number;
  se: number;
  /** 95 % interval: Student's t for difference in means and regression, normal for weighting and matching. */
  ci: [number, number];
  /** Two-sided p-value of "no effect", from the same distribution as the interval. */
  pValue: number;
  df?: number;
  /** difference_in_means: Welch's unequal-variance error and interval. */
  seWelch?: number;
  ciWelch?: [number, number];
  /** regression_adjustment: heteroskedasticity-robust (HC1) error and interval. */
  seHc1?: number;
  ciHc1?: [number, number];
}

export interface Balance {
  covariate: string;
  /** Standardized mean difference, treated minus control, over the pooled standard deviation. */
  smdBefore: number | null;
  /** The same after inverse probability weighting for the ATE (weights 1/e and 1/(1-e)). */
  smdAfter: number | null;
  /** The same after weighting for the ATT (controls weighted by e/(1-e)). */
  smdAfterAtt: number | null;
}

export interface GroupPropensity {
  min: number;
  q05: number;
  median: number;
  q95: number;
  max: number;
}

export interface Overlap {
  treated: GroupPropensity;
  control: GroupPropensity;
  /** Where both groups have propensities: [max of the minimums, min of the maximums]. */
  commonSupport: [number, number];
  /** Units whose propensity lies outside the common support. */
  outsideSupport: number;
  /** Units with a propensity below 0.05 or above 0.95, where weights explode. */
  extreme: number;
  /** Propensity histograms of both groups on shared edges over [0, 1]. */
  histogram: { edges: number[]; treated: number[]; control: number[] };
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
  /** The estimate the answer leads with: the method asked for, else regression adjustment. */
  headline: EffectMethod;
  estimates: Estimate[];
  balance: Balance[];
  overlap?: Overlap;
  filters?: Filter[];
  reading: ReadNote[];
  warnings: string[];
}

// ---------------------------------------------------------------- query_data

/** At most this many rows of a query's result come back; `rowCount` says how many there were. */
export const maxQueryRows = 1000;

export interface QueryResult {
  tool: 'query_data';
  source: string;
  /** The statement that ran, exactly. */
  sql: string;
  /** Result columns with DuckDB's type names (BIGINT, DOUBLE, VARCHAR, DATE, …). */
  columns: { name: string; type: string }[];
  /** The first rows of the result, at most maxQueryRows. */
  rows: Cell[][];
  /** All rows the query produced. */
  rowCount: number;
  truncated: boolean;
  /** The chart asked for, drawn from the result's columns; absent if it could not be (see warnings). */
  chart?: Extract<Chart, { kind: ChartSpec['kind'] }>;
  reading: ReadNote[];
  warnings: string[];
}

// ---------------------------------------------------------------- compare_groups

export type OutcomeKind = 'numeric' | 'binary' | 'categorical';

export interface GroupSummary {
  /** The group's value of the group column, as text. */
  level: string;
  /** Rows in the group with a non-missing outcome. */
  n: number;
  // numeric outcomes
  mean?: number;
  std?: number | null;
  median?: number;
  // binary outcomes: the share of the positive value (1 / true)
  rate?: number;
  // categorical (and binary) outcomes: rows per outcome value
  counts?: Record<string, number>;
}

export interface TestResult {
  test: TestName;
  statistic: number;
  /** Degrees of freedom: t and chi-square; the numerator's for ANOVA. */
  df?: number;
  /** The denominator's degrees of freedom (Welch's ANOVA). */
  df2?: number;
  pValue: number;
  /** Two groups only: first group minus second, with its 95 % interval. */
  difference?: { estimate: number; ci: [number, number]; label: string };
  effectSize?: { name: EffectSizeName; value: number };
}

export interface CompareResult {
  tool: 'compare_groups';
  source: string;
  outcome: string;
  group: string;
  outcomeKind: OutcomeKind;
  /** For a binary outcome, the value counted as positive in `rate`. */
  positive?: string;
  /** Rows used: in one of the compared groups, outcome present, filters met. */
  n: number;
  /** Rows of the compared groups left out because the outcome was missing. */
  dropped: number;
  groups: GroupSummary[];
  tests: TestResult[];
  filters?: Filter[];
  reading: ReadNote[];
  warnings: string[];
}

// ---------------------------------------------------------------- fit_regression

export interface Coefficient {
  /** "(intercept)", a numeric predictor's name, or "predictor=level" for a dummy. */
  term: string;
  estimate: number;
  /** HC1 (heteroskedasticity-robust) standard error. */
  se: number;
  /** t (OLS) or z (logistic). */
  statistic: number;
  pValue: number;
  ci: [number, number];
  /** Logistic only: exp(estimate) and its interval. */
  oddsRatio?: number;
  oddsRatioCi?: [number, number];
}

export interface RegressionResult {
  tool: 'fit_regression';
  source: string;
  outcome: string;
  model: 'ols' | 'logistic';
  /** For logistic regression, the outcome value modelled as 1. */
  positive?: string;
  predictors: string[];
  /** The level each categorical predictor's dummies are compared with. */
  references: { predictor: string; level: string }[];
  n: number;
  /** Rows left out because the outcome or a predictor was missing. */
  dropped: number;
  coefficients: Coefficient[];
  /** HC1 errors throughout; OLS intervals and p-values use t with n − k df, logistic ones the normal. */
  covariance: 'HC1';
  df?: number;
  fit: {
    r2?: number;
    adjustedR2?: number;
    /** McFadden's pseudo-R². */
    pseudoR2?: number;
    logLikelihood?: number;
    aic?: number;
    /** Residual standard error (OLS). */
    residualSe?: number;
  };
  filters?: Filter[];
  reading: ReadNote[];
  warnings: string[];
}

export type AnalysisResult = ProfileResult | EffectResult | QueryResult | CompareResult | RegressionResult;

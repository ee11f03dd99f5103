import type { EffectMethodChoice, Filter } from '../../contract';
import type { Aggregate } from './lexicon';

/**
 * What a question means, as the offline planner understood it: one frame per kind of question
 * the grammar knows. Frames are plain data (they are stored with the item and replayed for
 * follow-ups) and every one names its dataset.
 */

export interface Measure {
  fn: Aggregate;
  /** The column aggregated; none for a row count. */
  column?: string;
  /** A percentile in (0, 1), for fn 'median' generalised ("90th percentile"). */
  percentile?: number;
  /** For 'rate' of a categorical column: the value whose share is asked ("share of mobile sessions"). */
  value?: string | number | boolean;
  /** For 'rate': the share of rows meeting a condition ("share of customers with no feedback"). */
  condition?: Filter;
}

export type Frame =
  | { kind: 'datasets' }
  | { kind: 'columns'; datasetId: string; columns?: string[] }
  | { kind: 'shape'; datasetId: string }
  | { kind: 'profile'; datasetId: string }
  | { kind: 'missing'; datasetId: string; columns: string[] }
  | { kind: 'values'; datasetId: string; column: string; filters: Filter[] }
  | { kind: 'top'; datasetId: string; column: string; n: number; least: boolean; filters: Filter[] }
  | {
      kind: 'aggregate';
      datasetId: string;
      measures: Measure[];
      by: string[];
      filters: Filter[];
      /** "Which plan has the highest …": order the groups by the first measure and keep the first n. */
      rank?: { descending: boolean; limit: number };
    }
  | { kind: 'rows'; datasetId: string; column: string; descending: boolean; n: number; filters: Filter[] }
  | {
      kind: 'correlation';
      datasetId: string;
      /** One column: ranked against every other; two: their correlation; more: every pair. */
      columns: string[];
      /** Pearson's r unless the question asks for Spearman's rank correlation. */
      method?: 'spearman';
      filters: Filter[];
    }
  | { kind: 'distribution'; datasetId: string; column: string; filters: Filter[] }
  | {
      kind: 'compare';
      datasetId: string;
      outcome: string;
      group: string;
      groups?: string[];
      /** A value of a categorical outcome the question asks about ("more likely to be on desktop"). */
      outcomeValue?: string;
      filters: Filter[];
    }
  | {
      kind: 'regression';
      datasetId: string;
      outcome: string;
      predictors: string[];
      /** True when the question named no predictors and the planner chose them. */
      chosen?: boolean;
      /** Asked as the effect of this numeric column: the answer is its association, not a causal effect. */
      association?: string;
      model?: 'ols' | 'logistic';
      /** "relative to basic": the level a categorical predictor is compared with. */
      references?: Record<string, string>;
      filters: Filter[];
    }
  | {
      kind: 'effect';
      datasetId: string;
      treatment: string;
      outcome: string;
      covariates: string[];
      /** True when the question named no covariates and the planner chose them. */
      chosen?: boolean;
      /** Covariates left out because a condition fixes them to one value ("only for mobile"). */
      fixed?: string[];
      method?: EffectMethodChoice;
      /** "the effect on those who got it": the average effect on the treated leads the answer. */
      estimand?: 'ATT';
      filters: Filter[];
    };

export type FrameKind = Frame['kind'];

/** Why the planner will not answer, with what it did understand and what it can answer instead. */
export interface Refusal {
  reason:
    | 'no_dataset'
    | 'unknown_dataset'
    | 'unknown_column'
    | 'ambiguous_column'
    | 'unknown_words'
    | 'unsupported'
    | 'wrong_type'
    | 'incomplete'
    | 'no_previous';
  /** The sentence that says what is wrong. */
  message: string;
  /** Questions the planner can answer that are closest to this one. */
  suggestions: string[];
  datasetId?: string;
}

export function datasetOf(frame: Frame): string | undefined {
  return frame.kind === 'datasets' ? undefined : frame.datasetId;
}

/**
 * An effect without the covariates its conditions fix to one value: with "only for mobile",
 * device is the same in every row and adjusts for nothing, so it is left out (and the answer
 * says so).
 */
export function withoutFixedCovariates(frame: Frame): Frame {
  if (frame.kind !== 'effect') return frame;
  const fixed = frame.filters.filter((f) => f.op === '=').map((f) => f.column);
  const dropped = frame.covariates.filter((c) => fixed.includes(c));
  if (dropped.length === 0) return frame;
  return { ...frame, covariates: frame.covariates.filter((c) => !fixed.includes(c)), fixed: dropped };
}

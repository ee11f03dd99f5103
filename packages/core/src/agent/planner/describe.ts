import { describeFilters, effectMethodLabels, headlineMethods } from '../../contract';
import type { Frame, Measure } from './frame';

/**
 * Frames in words: what the planner understood, shown above every answer so a person can see
 * which question was answered, and used in refusals and failures.
 */

const fnWords: Record<Measure['fn'], string> = {
  count: 'number',
  mean: 'average',
  median: 'median',
  sum: 'total',
  min: 'minimum',
  max: 'maximum',
  std: 'standard deviation',
  variance: 'variance',
  rate: 'share',
};

const ordinal = (n: number) => {
  const suffix =
    n % 10 === 1 && n % 100 !== 11
      ? 'st'
      : n % 10 === 2 && n % 100 !== 12
        ? 'nd'
        : n % 10 === 3 && n % 100 !== 13
          ? 'rd'
          : 'th';
  return `${n}${suffix}`;
};

export function describeMeasure(measure: Measure): string {
  if (measure.fn === 'count')
    return measure.column ? `the number of known ${measure.column} values` : 'the number of rows';
  if (measure.percentile !== undefined && measure.percentile !== 0.5)
    return `the ${ordinal(Math.round(measure.percentile * 100))} percentile of ${measure.column}`;
  if (measure.fn === 'rate' && measure.condition)
    return `the share of rows where ${describeFilters([measure.condition])}`;
  if (measure.fn === 'rate')
    return measure.value !== undefined && typeof measure.value === 'string'
      ? `the share of rows with ${measure.column} = ${measure.value}`
      : `the share of ${measure.column} = ${measure.value === undefined ? 'true' : String(measure.value)}`;
  return `the ${fnWords[measure.fn]} of ${measure.column}`;
}

const where = (filters: Frame extends infer F ? (F extends { filters: infer X } ? X : never) : never) => {
  const text = describeFilters(filters);
  return text ? `, for rows where ${text}` : '';
};

const list = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/** What the planner understood, as a phrase: "the average monthly_fee by plan in churn.csv". */
export function describeFrame(frame: Frame): string {
  switch (frame.kind) {
    case 'datasets':
      return 'the datasets you can analyse';
    case 'columns':
      return frame.columns?.length
        ? `the type of ${list(frame.columns)} in ${frame.datasetId}`
        : `the columns of ${frame.datasetId}`;
    case 'shape':
      return `the size of ${frame.datasetId}`;
    case 'profile':
      return `a profile of ${frame.datasetId}`;
    case 'missing':
      return `missing values ${frame.columns.length > 0 ? `in ${list(frame.columns)}` : 'per column'} of ${frame.datasetId}`;
    case 'values':
      return `the distinct values of ${frame.column} in ${frame.datasetId}${where(frame.filters)}`;
    case 'top':
      return `the ${frame.least ? 'least' : 'most'} common ${frame.n > 1 ? `${frame.n} values` : 'value'} of ${frame.column} in ${frame.datasetId}${where(frame.filters)}`;
    case 'aggregate': {
      const what = list(frame.measures.map(describeMeasure));
      const by = frame.by.length > 0 ? ` by ${list(frame.by)}` : '';
      const rank = frame.rank
        ? `, keeping the ${frame.rank.limit > 1 ? `${frame.rank.limit} ` : ''}${frame.rank.descending ? 'highest' : 'lowest'}`
        : '';
      return `${what}${by} in ${frame.datasetId}${where(frame.filters)}${rank}`;
    }
    case 'rows':
      return `the ${frame.n} row${frame.n > 1 ? 's' : ''} of ${frame.datasetId} with the ${frame.descending ? 'highest' : 'lowest'} ${frame.column}${where(frame.filters)}`;
    case 'correlation': {
      const [first] = frame.columns;
      const kind = frame.method === 'spearman' ? 'Spearman rank correlation' : 'correlation';
      const which =
        frame.columns.length === 1
          ? `the ${kind} of ${first} with every other numeric or true/false column`
          : frame.columns.length === 2
            ? `the ${kind} between ${list(frame.columns)}`
            : `the ${kind}s between every pair of ${list(frame.columns)}`;
      return `${which} in ${frame.datasetId}${where(frame.filters)}`;
    }
    case 'distribution':
      return `the distribution of ${frame.column} in ${frame.datasetId}${where(frame.filters)}`;
    case 'compare':
      return `whether ${frame.outcome} differs between ${frame.groups ? list(frame.groups.map((g) => `${frame.group} = ${g}`)) : `the groups of ${frame.group}`} in ${frame.datasetId}${where(frame.filters)}`;
    case 'regression': {
      const against = Object.entries(frame.references ?? {}).map(([c, level]) => `${c} = ${level}`);
      return `a ${frame.model === 'logistic' ? 'logistic ' : frame.model === 'ols' ? 'linear ' : ''}regression of ${frame.outcome} on ${list(frame.predictors)}${against.length > 0 ? ` (compared with ${list(against)})` : ''} in ${frame.datasetId}${where(frame.filters)}`;
    }
    case 'effect': {
      const method = frame.method ? `, by ${effectMethodLabels[headlineMethods[frame.method]]}` : '';
      const adjust = frame.covariates.length > 0 ? `, adjusting for ${list(frame.covariates)}` : '';
      const treated = frame.estimand === 'ATT' ? ` for those with ${frame.treatment} (ATT)` : '';
      return `the effect of ${frame.treatment} on ${frame.outcome}${treated} in ${frame.datasetId}${adjust}${method}${where(frame.filters)}`;
    }
  }
}

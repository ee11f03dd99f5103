import { countDistinct } from './distinct';
import { histogram } from './histogram';
import { summarize } from './moments';
import { quantiles } from './quantiles';
import type { ColumnProfile } from './types';

export type ColumnStats = Pick<
  ColumnProfile,
  'unique' | 'mean' | 'std' | 'min' | 'q25' | 'q50' | 'q75' | 'max' | 'histogram'
>;

/**
 * Everything the profile says about a numeric column's values, from the column in memory (NaN
 * marks a missing value): distinct count, moments, numpy's histogram and exact quartiles.
 * Undefined when no value is present. The column itself is left as it is.
 */
export function describeColumn(column: Float64Array): ColumnStats | undefined {
  const summary = summarize(column);
  if (!summary) return undefined;
  const { values, mean, std, min, max } = summary;
  const unique = countDistinct(values);
  // The histogram reads the values in order; quantile selection then reorders them in place.
  const binned = histogram(values, min, max);
  const [q25, q50, q75] = quantiles(values, [0.25, 0.5, 0.75]);
  return { unique, mean, std, min, q25, q50, q75, max, histogram: binned };
}

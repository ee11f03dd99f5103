import { countDistinct } from './distinct';
import { histogram } from './histogram';
import { summarize } from './moments';
import { quantiles } from './quantiles';
import type { ColumnProfile, TopValue } from './types';

export type ColumnStats = Pick<
  ColumnProfile,
  'unique' | 'mean' | 'std' | 'min' | 'q25' | 'q50' | 'q75' | 'max' | 'histogram' | 'top'
>;

/** Working memory for describing columns of up to `rows` values, allocated once and reused for each. */
export class ColumnScratch {
  readonly values: Float64Array;
  constructor(rows: number) {
    this.values = new Float64Array(rows);
  }
}

/**
 * Describes each column in its own memory, which it reorders: for columns no one reads
 * afterwards, so no scratch is needed.
 */
export const describeInPlace = (columns: readonly Float64Array[]): (ColumnStats | undefined)[] =>
  columns.map((column) => describeColumn(column, { values: column }));

/** Describes each column with one scratch for all. */
export const describeAll = (columns: readonly Float64Array[]): (ColumnStats | undefined)[] => {
  const scratch = new ColumnScratch(Math.max(0, ...columns.map((c) => c.length)));
  return columns.map((column) => describeColumn(column, scratch));
};

/** A numeric column with at most this many distinct values also lists them all with their counts. */
export const fewValues = 12;

/** Each of a few distinct values with its count, most frequent first, ties to the smaller value (as text columns' top values). */
function valueCounts(values: Float64Array, unique: number): TopValue[] {
  const keys = new Float64Array(unique);
  const counts = new Float64Array(unique);
  let known = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    let k = 0;
    while (k < known && keys[k] !== x) k++;
    if (k === known) keys[known++] = x;
    counts[k]!++;
  }
  return Array.from(keys.subarray(0, known), (value, k) => ({ value, count: counts[k]! })).sort(
    (a, b) => b.count - a.count || a.value - b.value,
  );
}

/**
 * Everything the profile says about a numeric column's values, from the column in memory (NaN
 * marks a missing value): distinct count, moments, numpy's histogram, exact quartiles, and the
 * value counts of a column with few values.
 * Undefined when no value is present. The column itself is left as it is.
 */
export function describeColumn(
  column: Float64Array,
  scratch?: { values: Float64Array },
): ColumnStats | undefined {
  const summary = summarize(column, scratch?.values);
  if (!summary) return undefined;
  const { values, mean, std, min, max } = summary;
  // Counting may reorder the values, and so does quantile selection: no statistic here needs their order.
  const unique = countDistinct(values);
  const binned = histogram(values, min, max);
  const top = unique <= fewValues ? valueCounts(values, unique) : undefined;
  const [q25, q50, q75] = quantiles(values, [0.25, 0.5, 0.75]);
  const stats: ColumnStats = { unique, mean, std, min, q25, q50, q75, max, histogram: binned };
  return top ? { ...stats, top } : stats;
}

import type { ColumnarTable, NumberColumn } from '../../data/csv-columns';
import { startWorker } from '../../parallel/worker';
import { type ColumnStats, describeAll, describeInPlace } from './column-stats';
import { typeOfStrings } from './column-types';
import { pairwiseCorrelation } from './correlation';
import { presentMean } from './moments';
import {
  describeWarnings,
  maxCorrelationColumns,
  type ProfileOptions,
  parallelValues,
  topValueCount,
} from './profile';
import type { ColumnProfile, ProfileResult, TopValue } from './types';

/** The values present (not NaN). */
function presentCount(values: Float64Array): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) count++;
  return count;
}

/** Orders texts as DuckDB does (by their UTF-8 bytes, which is by code point). */
function byCodePoint(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** A text column's most frequent values (ties to the smaller value), its distinct count and present count. */
function describeText(
  column: { values: readonly string[]; counts: Float64Array },
  limit: number,
): { top: TopValue[]; unique: number; count: number } {
  let unique = 0;
  let count = 0;
  const used: number[] = [];
  column.counts.forEach((n, code) => {
    if (n === 0) return;
    unique++;
    count += n;
    used.push(code);
  });
  // Only the values that can make the top need sorting: those at least as frequent as the limit-th largest count.
  const threshold = [...used.map((code) => column.counts[code]!)].sort((a, b) => b - a)[limit - 1] ?? 0;
  const top = used
    .filter((code) => column.counts[code]! >= threshold)
    .sort(
      (a, b) => column.counts[b]! - column.counts[a]! || byCodePoint(column.values[a]!, column.values[b]!),
    )
    .slice(0, limit)
    .map((code) => ({ value: column.values[code]!, count: column.counts[code]! }));
  return { top, unique, count };
}

/**
 * The profile of a file read into columns (csv-columns.ts), with the same numbers as profile.ts
 * gives from a DuckDB table: numeric columns described from memory (a share in a worker thread
 * while this one correlates), text columns from their dictionary counts.
 */
export async function profileColumns(
  table: ColumnarTable,
  options: ProfileOptions = {},
): Promise<ProfileResult> {
  const numbers = table.columns.filter((c): c is NumberColumn => c.kind === 'number');
  const correlated = numbers.slice(0, maxCorrelationColumns);
  const threaded = (options.parallel ?? numbers.length * table.rows >= parallelValues) && numbers.length > 1;
  const helper = threaded
    ? (options.helper ?? startWorker<unknown>(new URL('./column-stats-worker.ts', import.meta.url)))
    : undefined;
  // Counted before anything reorders the columns.
  const present = new Map(numbers.map((c) => [c.name, presentCount(c.values)]));
  let stats: (ColumnStats | undefined)[];
  let matrix: (number | null)[][];
  try {
    // The worker describes the larger share from a copy of each column while this thread
    // correlates all of them and then describes the rest in place: nothing reads the columns after.
    const here = helper ? Math.max(0, Math.floor((numbers.length - 2) / 2)) : numbers.length;
    const values = numbers.map((c) => c.values);
    const elsewhere = helper
      ?.ask<(ColumnStats | undefined)[]>({ columns: values.slice(here) })
      .catch(() => undefined);
    matrix = pairwiseCorrelation(
      correlated.map((c) => c.values),
      correlated.map((c) => presentMean(c.values)),
    );
    const mine = describeInPlace(values.slice(0, here));
    // If the worker failed, this thread does the rest.
    stats = [...mine, ...((await elsewhere) ?? describeAll(values.slice(here)))];
  } finally {
    if (helper !== options.helper) helper?.close();
  }
  return assembleProfile(
    { source: table.source, rows: table.rows, reading: table.reading },
    table.columns.map((column): AssembledColumn | undefined => {
      if (column.kind === 'number') {
        const i = numbers.indexOf(column);
        return {
          kind: 'number',
          name: column.name,
          sqlType: column.sqlType,
          count: present.get(column.name)!,
          stats: stats[i],
        };
      }
      return column.kind === 'text' ? column : undefined;
    }),
    correlated.map((c) => c.name),
    matrix,
  );
}

/** A column's findings, whichever way they were computed. */
export type AssembledColumn =
  | { kind: 'number'; name: string; sqlType: string; count: number; stats: ColumnStats | undefined }
  | { kind: 'text'; name: string; values: readonly string[]; counts: Float64Array };

/** The profile document from each column's findings (in file order; undefined for columns left out) and the correlations. */
export function assembleProfile(
  table: { source: string; rows: number; reading: ProfileResult['reading'] },
  columns: readonly (AssembledColumn | undefined)[],
  correlated: readonly string[],
  matrix: (number | null)[][],
): ProfileResult {
  const profiles: ColumnProfile[] = [];
  const distributions = new Map<string, ColumnStats | undefined>();
  for (const column of columns) {
    if (column?.kind === 'number') {
      const profile: ColumnProfile = {
        name: column.name,
        type: column.sqlType === 'BIGINT' ? 'integer' : 'numeric',
        count: column.count,
        missing: table.rows - column.count,
        unique: 0,
      };
      distributions.set(column.name, column.stats);
      if (column.stats) Object.assign(profile, column.stats);
      profiles.push(profile);
    } else if (column?.kind === 'text') {
      const { top, unique, count } = describeText(column, topValueCount.categorical!);
      const type = typeOfStrings(count, unique);
      profiles.push({
        name: column.name,
        type,
        count,
        missing: table.rows - count,
        unique,
        top: top.slice(0, topValueCount[type]),
      });
    }
  }
  // A column that does not vary has no correlation, not even with itself.
  correlated.forEach((name, i) => {
    if (!distributions.get(name)?.std) matrix[i]![i] = null;
  });
  return {
    tool: 'profile',
    source: table.source,
    rows: table.rows,
    columns: profiles,
    correlation: { columns: [...correlated], matrix },
    reading: table.reading,
    warnings: describeWarnings(profiles, table.rows, distributions.size, []),
  };
}

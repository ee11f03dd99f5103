import { stat } from 'node:fs/promises';
import { readDoubleColumns } from '../../data/columns';
import type { LoadedTable } from '../../data/csv';
import { readColumnar } from '../../data/csv-columns';
import {
  type Database,
  type DatabaseOptions,
  inSession,
  shareMemory,
  withDatabase,
} from '../../data/database';
import { loadData } from '../../data/load';
import { readsAsParquet } from '../../data/parquet';
import { ident } from '../../data/sql';
import { type PendingWorker, prepareWorker, startWorker } from '../../parallel/worker';
import { type ColumnStats, describeAll } from './column-stats';
import { typeFromSql, typeOfStrings } from './column-types';
import { pairwiseCorrelation } from './correlation';
import { presentMean } from './moments';
import { profileColumns } from './profile-columns';
import { profileStream } from './profile-stream';
import type { ColumnProfile, ColumnType, Correlation, ProfileResult, TopValue } from './types';

/** Correlating more columns than this is slow and unreadable; the first ones are kept. */
export const maxCorrelationColumns = 50;
export const topValueCount: Partial<Record<ColumnType, number>> = { categorical: 10, boolean: 2, text: 5 };

export interface ProfileOptions extends DatabaseOptions {
  /**
   * Numeric columns come into memory a group at a time, at most this many bytes of values at
   * once, so memory is bounded by a few columns however long the file is. When all correlated
   * columns fit in one group, their correlations are computed from memory too; otherwise
   * DuckDB computes them in a scan.
   */
  columnGroupBytes?: number;
  /** Describe half the numeric columns in a worker thread; by default from two million values on. */
  parallel?: boolean;
  /** A worker thread (profile-helper-worker.ts) already started, for the columns' share. */
  helper?: PendingWorker<unknown>;
}

const profileHelper = new URL('./profile-helper-worker.ts', import.meta.url);
/** From this size on, a file is scanned and described in two threads. */
const parallelBytes = 16 * 1024 * 1024;

const defaultColumnGroupBytes = 256 * 1024 * 1024;

const finite = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

type Kind = ReturnType<typeof typeFromSql>;

interface Counts {
  count: number;
  /** Datetime columns only: the others count their distinct values elsewhere. */
  unique?: number;
  earliest?: string;
  latest?: string;
}

/** What a DuckDB scan does well: counts, distinct dates, date ranges, and correlations too wide for memory. */
async function countAndCorrelate(
  db: Database,
  loaded: LoadedTable,
  kinds: readonly Kind[],
  correlated: readonly string[],
): Promise<{ counts: Counts[]; pairs: (number | null)[] }> {
  const selects: string[] = [];
  const table = ident(loaded.table);
  loaded.columns.forEach((column, i) => {
    const c = ident(column.name);
    selects.push(`count(${c})`);
    // Numeric columns count their distinct values in memory (column-stats.ts), strings and booleans
    // along with their top values. DISTINCT as its own grouped subquery: unlike count(DISTINCT …),
    // its hash table can spill to disk.
    if (kinds[i] === 'datetime')
      selects.push(
        `(SELECT count(*) FROM (SELECT DISTINCT ${c} FROM ${table} WHERE ${c} IS NOT NULL))`,
        `CAST(min(${c}) AS VARCHAR)`,
        `CAST(max(${c}) AS VARCHAR)`,
      );
  });
  for (let i = 0; i < correlated.length; i++)
    for (let j = i + 1; j < correlated.length; j++)
      selects.push(
        `corr(CAST(${ident(correlated[i]!)} AS DOUBLE), CAST(${ident(correlated[j]!)} AS DOUBLE))`,
      );
  const values = await db.values(`SELECT ${selects.join(', ')} FROM ${table}`);
  let at = 0;
  const counts = kinds.map((kind): Counts => {
    const entry: Counts = { count: values[at++] as number };
    if (kind !== 'datetime') return entry;
    entry.unique = values[at] as number;
    if (entry.count > 0) {
      entry.earliest = values[at + 1] as string;
      entry.latest = values[at + 2] as string;
    }
    at += 3;
    return entry;
  });
  return { counts, pairs: values.slice(at).map(finite) };
}

/** Below this many values a worker thread costs more to start than it saves. */
export const parallelValues = 2_000_000;

/**
 * Describes columns here, or the first `half` of them here while `helper` (a worker thread)
 * does the rest.
 */
export async function describeColumns(
  columns: Float64Array[],
  helper: PendingWorker<unknown> | undefined,
  half = Math.floor(columns.length / 2),
): Promise<(ColumnStats | undefined)[]> {
  if (!helper || columns.length < 2) return describeAll(columns);
  const elsewhere = helper.ask<(ColumnStats | undefined)[]>({ columns: columns.slice(half) });
  const here = describeAll(columns.slice(0, half));
  // If the worker failed, this thread does the rest.
  return [...here, ...(await elsewhere.catch(() => describeAll(columns.slice(half))))];
}

/**
 * Distinct counts, moments, exact quartiles and the histogram of each numeric column, from its
 * values in memory, and the correlations of `correlated` (numeric and true/false columns, the
 * latter as 0/1) when every one of them is in the first group: they are read first.
 */
async function describeDistributions(
  db: Database,
  loaded: LoadedTable,
  numeric: readonly string[],
  correlated: readonly string[],
  groupBytes: number,
  parallel?: boolean,
): Promise<{ distributions: Map<string, ColumnStats>; correlation?: (number | null)[][] }> {
  const distributions = new Map<string, ColumnStats>();
  let correlation: (number | null)[][] | undefined;
  const described = new Set(numeric);
  const reads = [...correlated, ...numeric.filter((name) => !correlated.includes(name))];
  const groupSize = Math.max(1, Math.floor(groupBytes / (Float64Array.BYTES_PER_ELEMENT * loaded.rows)));
  for (let start = 0; start < reads.length; start += groupSize) {
    const group = reads.slice(start, start + groupSize);
    const toDescribe = group.filter((name) => described.has(name));
    const threaded = (parallel ?? toDescribe.length * loaded.rows >= parallelValues) && toDescribe.length > 1;
    // Started before the read, so the worker is ready when the columns are.
    const helper = threaded
      ? startWorker<unknown>(new URL('./column-stats-worker.ts', import.meta.url))
      : undefined;
    let columns: Float64Array[];
    let stats: (ColumnStats | undefined)[];
    try {
      columns = await readDoubleColumns(
        db,
        `SELECT ${group.map((name) => `CAST(${ident(name)} AS DOUBLE)`).join(', ')} FROM ${ident(loaded.table)}`,
        loaded.rows,
        { shared: threaded },
      );
      stats = await describeColumns(
        columns.filter((_, i) => described.has(group[i]!)),
        helper,
      );
    } finally {
      // Let go of a helper the read failed before, or that had nothing to do.
      helper?.close();
    }
    for (const [i, name] of toDescribe.entries()) if (stats[i]) distributions.set(name, stats[i]!);
    if (start === 0 && correlated.length > 0 && correlated.length <= group.length)
      correlation = pairwiseCorrelation(
        columns.slice(0, correlated.length),
        correlated.map((name, i) =>
          described.has(name) ? (distributions.get(name)?.mean ?? Number.NaN) : presentMean(columns[i]!),
        ),
      );
  }
  return correlation ? { distributions, correlation } : { distributions };
}

/** The most frequent values of a column, and its number of distinct values. */
async function topValues(
  db: Database,
  table: string,
  column: string,
  limit: number,
): Promise<{ top: TopValue[]; unique: number }> {
  const c = ident(column);
  // Ties go to the smaller value, so the same data always lists the same values. The window
  // counts the groups before LIMIT applies: the distinct values. No rows: no value is present.
  const rows = await db.rows(
    `SELECT ${c} AS value, count(*) AS count, count(*) OVER () AS groups FROM ${ident(table)} WHERE ${c} IS NOT NULL GROUP BY ${c} ORDER BY count DESC, value ASC LIMIT ${limit}`,
  );
  return {
    top: rows.map((row) => ({ value: row.value as TopValue['value'], count: row.count as number })),
    unique: (rows[0]?.groups as number | undefined) ?? 0,
  };
}

/** Infinite values would turn means and spreads into Infinity or NaN; they are treated as missing. */
async function clearNonFinite(db: Database, loaded: LoadedTable, kinds: readonly Kind[]): Promise<string[]> {
  const floating = loaded.columns.filter(
    (column, i) => kinds[i] === 'numeric' && /DOUBLE|FLOAT/.test(column.sqlType),
  );
  if (floating.length === 0) return [];
  const found = await db.values(
    `SELECT ${floating.map((column) => `count(*) FILTER (WHERE NOT isfinite(${ident(column.name)}))`).join(', ')} FROM ${ident(loaded.table)}`,
  );
  const affected = floating.filter((_, i) => (found[i] as number) > 0).map((column) => column.name);
  for (const name of affected)
    await db.run(
      `UPDATE ${ident(loaded.table)} SET ${ident(name)} = NULL WHERE NOT isfinite(${ident(name)})`,
    );
  return affected;
}

export function describeWarnings(
  profiles: readonly ColumnProfile[],
  rows: number,
  correlatableCount: number,
  nonFinite: readonly string[],
) {
  const warnings = nonFinite.map(
    (name) => `Column "${name}" had infinite values; they are counted as missing.`,
  );
  for (const profile of profiles) {
    if (profile.count === 0)
      warnings.push(`Column "${profile.name}" has no values: all ${rows} rows are missing.`);
    else if (profile.unique === 1)
      warnings.push(
        `Column "${profile.name}" has the same value in every row that has one; it carries no information.`,
      );
  }
  if (correlatableCount > maxCorrelationColumns)
    warnings.push(
      `Only the first ${maxCorrelationColumns} of ${correlatableCount} numeric and true/false columns are correlated; name the columns you care about to see the rest.`,
    );
  return warnings;
}

/** Profiles a table already loaded into `db`. The independent scans run side by side on their own connections. */
export async function profileTable(
  db: Database,
  loaded: LoadedTable,
  options: ProfileOptions = {},
): Promise<ProfileResult> {
  const kinds = loaded.columns.map((column) => typeFromSql(column.sqlType));
  const nonFinite = await clearNonFinite(db, loaded, kinds);
  const numeric = loaded.columns
    .filter((_, i) => kinds[i] === 'numeric' || kinds[i] === 'integer')
    .map((c) => c.name);
  // True/false columns correlate as 0/1, so "what goes with churned?" has an answer.
  const correlatable = loaded.columns
    .filter((_, i) => kinds[i] === 'numeric' || kinds[i] === 'integer' || kinds[i] === 'boolean')
    .map((c) => c.name);
  const correlated = correlatable.slice(0, maxCorrelationColumns);
  const valued = loaded.columns
    .filter((_, i) => kinds[i] === 'string' || kinds[i] === 'boolean')
    .map((c) => c.name);

  // Correlations come from the columns in memory when they all fit in the first group, else from a DuckDB scan.
  const groupBytes = options.columnGroupBytes ?? defaultColumnGroupBytes;
  const inMemory = correlated.length * loaded.rows * Float64Array.BYTES_PER_ELEMENT <= groupBytes;
  const [{ counts, pairs }, { distributions, correlation: computed }, tops] = await Promise.all([
    inSession(db, (session) => countAndCorrelate(session, loaded, kinds, inMemory ? [] : correlated)),
    inSession(db, (session) =>
      describeDistributions(
        session,
        loaded,
        numeric,
        inMemory ? correlated : [],
        groupBytes,
        options.parallel,
      ),
    ),
    inSession(db, async (session) => {
      const found = new Map<string, { top: TopValue[]; unique: number }>();
      for (const name of valued)
        found.set(name, await topValues(session, loaded.table, name, topValueCount.categorical!));
      return found;
    }),
  ]);

  const profiles = loaded.columns.map((column, i): ColumnProfile => {
    const { count, earliest, latest } = counts[i]!;
    const kind = kinds[i]!;
    const valueCounts = tops.get(column.name);
    const unique = valueCounts?.unique ?? counts[i]!.unique ?? 0;
    const type = kind === 'string' ? typeOfStrings(count, unique) : kind;
    const profile: ColumnProfile = { name: column.name, type, count, missing: loaded.rows - count, unique };
    // Numeric columns bring their own distinct count (0 when no value is present).
    const distribution = distributions.get(column.name);
    if (distribution) Object.assign(profile, distribution);
    const limit = topValueCount[type];
    if (limit) profile.top = (valueCounts?.top ?? []).slice(0, limit);
    if (earliest !== undefined) Object.assign(profile, { earliest, latest });
    return profile;
  });

  // A column correlates perfectly with itself, unless it does not vary (then r is undefined).
  const matrix =
    computed ?? correlated.map((_, i) => correlated.map((_, j): number | null => (i === j ? 1 : null)));
  if (!computed) {
    let at = 0;
    for (let i = 0; i < correlated.length; i++)
      for (let j = i + 1; j < correlated.length; j++) {
        const r = pairs[at++] ?? null;
        matrix[i]![j] = r;
        matrix[j]![i] = r;
      }
  }
  // A column that does not vary has no correlation, not even with itself.
  const varies = (name: string) =>
    distributions.has(name) ? Boolean(distributions.get(name)!.std) : (tops.get(name)?.unique ?? 0) > 1;
  correlated.forEach((name, i) => {
    if (!varies(name)) matrix[i]![i] = null;
  });
  const correlation: Correlation = { columns: correlated, matrix };

  return {
    tool: 'profile',
    source: loaded.source,
    rows: loaded.rows,
    columns: profiles,
    correlation,
    reading: loaded.reading,
    warnings: describeWarnings(profiles, loaded.rows, correlatable.length, nonFinite),
  };
}

/**
 * Exploratory profile of a CSV or Parquet file: per-column types and statistics, histograms,
 * correlations. A plain CSV file is read straight into columns, or, when they would not fit in
 * the memory the analysis may use (shareMemory), streamed through files on disk; anything else
 * becomes a DuckDB table first. One helper thread scans half the file and describes a share of
 * the columns.
 */
export async function profileCsv(path: string, options: ProfileOptions = {}): Promise<ProfileResult> {
  const { database, dataBytes } = shareMemory(options);
  const tableOptions = {
    ...options,
    columnGroupBytes: options.columnGroupBytes ?? Math.min(defaultColumnGroupBytes, dataBytes / 2),
  };
  return withDatabase(database, async (db) => {
    if (await readsAsParquet(path)) return profileTable(db, await loadData(db, path), tableOptions);
    const large = (await stat(path).catch(() => undefined))?.size ?? 0;
    const threaded = options.parallel ?? large >= parallelBytes;
    if (threaded) await prepareWorker(profileHelper);
    const helper = threaded ? startWorker<unknown>(profileHelper) : undefined;
    try {
      const columns = await readColumnar(db, path, {
        maxBytes: dataBytes,
        ...(helper && { helper }),
        ...(options.parallel !== undefined && { parallel: options.parallel }),
      });
      if (columns === 'too large') {
        const streamed = await profileStream(db, path, { bytes: dataBytes, ...(helper && { helper }) });
        if (streamed) return streamed;
      } else if (columns) return await profileColumns(columns, { ...options, ...(helper && { helper }) });
    } finally {
      helper?.close();
    }
    return profileTable(db, await loadData(db, path), tableOptions);
  });
}

import { describeFilters, type Filter, filterCondition, formatCount } from '@cascade/core/contract';
import type { LoadedTable } from '../../data/csv';
import type { Database } from '../../data/database';
import { ident } from '../../data/sql';
import { BadDataError, BadRequestError, ColumnNotFoundError } from '../../errors';
import { typeFromSql } from '../profile/column-types';

/**
 * The rows a request reads: its columns checked against the data, its filters applied as a view,
 * and column values as text, the form in which groups and levels are named and compared.
 */

export type ColumnKind = ReturnType<typeof typeFromSql>;

export interface Rows {
  /** The table or view to select from, quoted: the loaded table, or a view of it with the filters applied. */
  from: string;
  /** Rows that meet the filters. */
  count: number;
  kindOf(name: string): ColumnKind;
  /** SQL for a column's values as text: "true"/"false", "3" for a whole number, "2.5", the text itself. */
  textOf(name: string): string;
}

/** A categorical column with more levels than this is probably an identifier or free text. */
export const maxLevels = 50;

const kindWords: Record<ColumnKind, string> = {
  numeric: 'numbers',
  integer: 'whole numbers',
  boolean: 'true/false values',
  datetime: 'dates',
  categorical: 'text',
  text: 'text',
  string: 'text',
};

/** The warning for rows left out because `what` is missing there: "…in 3 rows; they were left out." */
export function missingWarning(what: string, count: number, where = ''): string {
  return `${what} is missing in ${formatCount(count)} row${count === 1 ? '' : 's'}${where}; ${count === 1 ? 'it was' : 'they were'} left out.`;
}

/** A few values for an error message: `"a", "b", 3, …`. */
export const show = (values: unknown[]) =>
  values
    .slice(0, 5)
    .map((v) => JSON.stringify(v))
    .join(', ') + (values.length > 5 ? ', …' : '');

/**
 * Checks that every column the request names is in the data and applies its filters. A filter
 * whose value does not fit its column (text compared with numbers) is a BadRequestError naming
 * it; filters that leave no row are a BadDataError.
 */
export async function selectRows(
  db: Database,
  loaded: LoadedTable,
  columns: readonly string[],
  filters: readonly Filter[] | undefined,
): Promise<Rows> {
  const names = loaded.columns.map((column) => column.name);
  for (const name of [...columns, ...(filters ?? []).map((f) => f.column)])
    if (!names.includes(name)) throw new ColumnNotFoundError(name, names);
  const sqlType = (name: string) => loaded.columns.find((c) => c.name === name)!.sqlType;
  const kindOf = (name: string) => typeFromSql(sqlType(name));
  const textOf = (name: string) => {
    const c = ident(name);
    // DuckDB writes a double 1 as "1.0"; a person (and JavaScript) writes "1".
    return kindOf(name) === 'numeric'
      ? `CASE WHEN ${c} = trunc(${c}) AND abs(${c}) < 1e15 THEN CAST(CAST(${c} AS BIGINT) AS VARCHAR) ELSE CAST(CAST(${c} AS DOUBLE) AS VARCHAR) END`
      : `CAST(${c} AS VARCHAR)`;
  };
  const table = ident(loaded.table);
  if (!filters || filters.length === 0) return { from: table, count: loaded.rows, kindOf, textOf };

  const from = ident(`${loaded.table}_filtered`);
  const condition = filters.map(filterCondition).join(' AND ');
  let count: number;
  try {
    await db.run(`CREATE OR REPLACE TEMP VIEW ${from} AS SELECT * FROM ${table} WHERE ${condition}`);
    [count] = (await db.values(`SELECT count(*) FROM ${from}`)) as [number];
  } catch (error) {
    // Conversions fail only when the rows are read; find the filter that does not fit its column.
    for (const filter of filters) {
      const fits = await db
        .values(`SELECT count(*) FROM ${table} WHERE ${filterCondition(filter)}`)
        .then(() => true)
        .catch(() => false);
      if (!fits)
        throw new BadRequestError(
          `The filter ${describeFilters([filter])} does not fit column "${filter.column}", which holds ${kindWords[kindOf(filter.column)]}; compare it with a value of that kind.`,
          { cause: error },
        );
    }
    throw error;
  }
  if (count === 0)
    throw new BadDataError(`No row meets the filters (${describeFilters(filters)}); loosen them.`);
  return { from, count, kindOf, textOf };
}

/** Text values in their natural order: numerically for numbers, else by code point (as DuckDB sorts text). */
export function levelOrder(kind: ColumnKind): (a: string, b: string) => number {
  if (kind === 'numeric' || kind === 'integer') return (a, b) => Number(a) - Number(b);
  return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
}

/** What an outcome's values make it; the caller words the errors for the kinds it cannot use. */
export type OutcomeShape =
  | { kind: 'numeric' }
  | { kind: 'binary'; positive: string; negative: string }
  | { kind: 'categorical'; levels: string[] }
  | { kind: 'constant'; value: string }
  | { kind: 'dates' }
  | { kind: 'free_text' };

const positiveWords = /^(true|1|yes|y)$/i;

/**
 * Numbers with more than two distinct values are numeric; true/false, or exactly two values
 * (0/1, yes/no), binary, with true, yes or the larger number as the positive value (else the
 * second in order); other text with at most maxLevels values categorical.
 */
export function outcomeShape(kind: ColumnKind, distinct: readonly string[]): OutcomeShape {
  if (kind === 'datetime') return { kind: 'dates' };
  const values = [...distinct].sort(levelOrder(kind));
  if (values.length === 1) return { kind: 'constant', value: values[0]! };
  if (values.length === 2) {
    const marked = values.filter((v) => positiveWords.test(v));
    const numbers = kind === 'numeric' || kind === 'integer';
    const positive = !numbers && marked.length === 1 ? marked[0]! : values[1]!;
    return { kind: 'binary', positive, negative: values.find((v) => v !== positive)! };
  }
  if (kind === 'numeric' || kind === 'integer') return { kind: 'numeric' };
  if (values.length > maxLevels) return { kind: 'free_text' };
  return { kind: 'categorical', levels: values };
}

/** Distinct text values of a column where `where` holds, at most maxLevels + 1 of them (enough to classify). */
export async function distinctText(db: Database, rows: Rows, name: string, where: string): Promise<string[]> {
  const found = await db.rows(
    `SELECT DISTINCT ${rows.textOf(name)} AS value FROM ${rows.from} WHERE ${where} LIMIT ${maxLevels + 1}`,
  );
  return found.map((row) => String(row.value));
}

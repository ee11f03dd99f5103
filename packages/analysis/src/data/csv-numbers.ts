import type { ReadNote } from '@cascade/core/contract';
import type { TableColumn } from './csv';
import { findCells } from './csv-lines';
import type { Database } from './database';
import { ident } from './sql';

/**
 * Numbers DuckDB's sniffer left as text, read as numbers when the text says plainly that they
 * are. The rule: a text column is read as numbers when every value with a digit in it is a
 * number and at most 5 % of its values are not numbers ("?", "oops", "-": words without
 * digits, never codes like "A12" or dates). Those cells become missing, with a note naming
 * them. In a file separated by semicolons, tabs or pipes, numbers may use decimal commas
 * (12,5 or 1.234,5, dots grouping thousands by three); in a comma-separated file such a column
 * stays text, with a hint. Integers beyond 2^53, which no JSON number holds exactly, are read
 * as doubles rather than silently rounded later.
 */

/** The largest share of a column's values that may be non-numbers for it to be read as numbers. */
export const maxNonNumberShare = 0.05;
/** Rows sampled to find the text columns worth checking in full; a clean file costs only this. */
const sampleRows = 2048;
/** How many non-numbers a note shows, with their lines. */
const exampleCount = 3;
/** Non-numbers looked for, by frequency, when finding the examples' lines. */
const searchedValues = 1000;

/** 12,5 or 1.234,5 or 1234 (a decimal comma; dots group thousands by three). */
const decimalCommaNumber = String.raw`\s*[-+]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?\s*`;
/** 1,234 or 12,345,678: thousands separated by commas, which are not decimal commas. */
const commaThousands = String.raw`\s*[-+]?[0-9]{1,3}(,[0-9]{3})+\s*`;
const wholeNumber = String.raw`\s*[-+]?[0-9]+\s*`;

type Notation = 'point' | 'comma';

/** SQL for a text column's value as a DOUBLE in a notation, NULL where it is not a number. */
function parsed(column: string, notation: Notation): string {
  const c = ident(column);
  return notation === 'point'
    ? `TRY_CAST(${c} AS DOUBLE)`
    : `CASE WHEN regexp_full_match(${c}, '${decimalCommaNumber}') THEN CAST(replace(replace(trim(${c}), '.', ''), ',', '.') AS DOUBLE) END`;
}

const hasDigit = (column: string) => `regexp_matches(${ident(column)}, '[0-9]')`;

/** The first scan's findings on a text column, over all its rows. */
interface TextCounts {
  present: number;
  /** In each notation: values that are numbers, and values that are not but have a digit. */
  point: { numbers: number; withDigits: number };
  comma: { numbers: number; withDigits: number };
  /** Numbers (point notation) that are not written as whole numbers. */
  fractional: number;
  largest: number | null;
  /** Decimal-comma numbers with a comma, and of those the ones that cannot be thousands (1,234). */
  withComma: number;
  notThousands: number;
}

function countSelects(column: string): string[] {
  const c = ident(column);
  const [point, comma] = [parsed(column, 'point'), parsed(column, 'comma')];
  return [
    `count(${c})`,
    `count(${point})`,
    `count(*) FILTER (WHERE ${point} IS NULL AND ${hasDigit(column)})`,
    `count(${comma})`,
    `count(*) FILTER (WHERE ${comma} IS NULL AND ${hasDigit(column)})`,
    `count(*) FILTER (WHERE ${point} IS NOT NULL AND NOT regexp_full_match(${c}, '${wholeNumber}'))`,
    `max(abs(${point}))`,
    `count(*) FILTER (WHERE ${comma} IS NOT NULL AND contains(${c}, ','))`,
    `count(*) FILTER (WHERE ${comma} IS NOT NULL AND contains(${c}, ',') AND NOT regexp_full_match(${c}, '${commaThousands}'))`,
  ];
}

function readCounts(values: unknown[]): TextCounts {
  const [
    present,
    pointNumbers,
    pointDigits,
    commaNumbers,
    commaDigits,
    fractional,
    largest,
    withComma,
    notThousands,
  ] = values as number[];
  return {
    present: present!,
    point: { numbers: pointNumbers!, withDigits: pointDigits! },
    comma: { numbers: commaNumbers!, withDigits: commaDigits! },
    fractional: fractional!,
    largest: largest ?? null,
    withComma: withComma!,
    notThousands: notThousands!,
  };
}

/** What a text column becomes. */
type Verdict =
  | { kind: 'number'; notation: Notation; sqlType: 'BIGINT' | 'DOUBLE'; nonNumbers: number }
  | { kind: 'suspected' }
  | undefined;

/** Numbers but for a few words: nothing with a digit left over, and at most maxNonNumberShare of the values. */
const mostlyNumbers = (present: number, { numbers, withDigits }: TextCounts['point']) =>
  withDigits === 0 && present - numbers <= maxNonNumberShare * present;

function judge(counts: TextCounts, delimiter: string): Verdict {
  const { present } = counts;
  if (present === 0) return undefined;
  if (delimiter !== ',' && counts.withComma > 0 && mostlyNumbers(present, counts.comma))
    return {
      kind: 'number',
      notation: 'comma',
      sqlType: 'DOUBLE',
      nonNumbers: present - counts.comma.numbers,
    };
  if (mostlyNumbers(present, counts.point)) {
    const whole = counts.fractional === 0 && (counts.largest ?? 0) <= Number.MAX_SAFE_INTEGER;
    return {
      kind: 'number',
      notation: 'point',
      sqlType: whole ? 'BIGINT' : 'DOUBLE',
      nonNumbers: present - counts.point.numbers,
    };
  }
  if (delimiter === ',' && counts.comma.numbers === present && counts.notThousands > 0)
    return { kind: 'suspected' };
  return undefined;
}

const isWideInteger = (sqlType: string) => /^(BIGINT|HUGEINT|UBIGINT)$/.test(sqlType);

/**
 * One query over what a clean file has: whether each integer column goes beyond 2^53, and
 * which text columns look like numbers in a sample of rows (worth the full check).
 */
async function survey(
  db: Database,
  table: string,
  columns: readonly TableColumn[],
): Promise<{ wide: string[]; candidates: string[] }> {
  const integers = columns.filter((c) => isWideInteger(c.sqlType)).map((c) => c.name);
  const texts = columns.filter((c) => c.sqlType === 'VARCHAR').map((c) => c.name);
  if (integers.length === 0 && texts.length === 0) return { wide: [], candidates: [] };
  const limit = Number.MAX_SAFE_INTEGER;
  const parts: string[] = [];
  if (integers.length > 0)
    parts.push(
      `(SELECT ${integers.map((name) => `coalesce(min(${ident(name)}) < -${limit} OR max(${ident(name)}) > ${limit}, false)`).join(', ')} FROM ${table})`,
    );
  if (texts.length > 0)
    parts.push(
      `(SELECT ${texts
        .map((name) => {
          const c = ident(name);
          return `count(${c}), count(TRY_CAST(${c} AS DOUBLE)), count(TRY_CAST(replace(replace(${c}, '.', ''), ',', '.') AS DOUBLE))`;
        })
        .join(', ')} FROM (SELECT ${texts.map(ident).join(', ')} FROM ${table} LIMIT ${sampleRows}))`,
    );
  const values = await db.values(`SELECT * FROM ${parts.join(', ')}`);
  const wide = integers.filter((_, i) => values[i] === true);
  const sample = values.slice(integers.length) as number[];
  // A column unseen in the sample (all missing there) is checked in full; one that is mostly
  // words in the sample is text.
  const candidates = texts.filter((_, i) => {
    const [present, point, comma] = sample.slice(3 * i, 3 * i + 3) as [number, number, number];
    return present === 0 || 2 * point >= present || 2 * comma >= present;
  });
  return { wide, candidates };
}

export interface NumberReading {
  columns: TableColumn[];
  notes: ReadNote[];
}

/**
 * Reads as numbers the text columns that hold numbers (see the rule above) and the integer
 * columns beyond 2^53 as doubles, altering `table` in place; returns the columns' new types and
 * the notes that say what changed. `path` and `delimiter` locate the cells that were not
 * numbers in the file.
 */
export async function readNumbers(
  db: Database,
  table: string,
  columns: readonly TableColumn[],
  file: { path: string; delimiter: string },
): Promise<NumberReading> {
  const quoted = ident(table);
  const { wide, candidates } = await survey(db, quoted, columns);
  const types = new Map<string, string>(wide.map((name) => [name, 'DOUBLE']));
  for (const name of wide) await db.run(`ALTER TABLE ${quoted} ALTER ${ident(name)} SET DATA TYPE DOUBLE`);
  if (candidates.length === 0) return { columns: retype(columns, types), notes: [] };

  const selects = candidates.map(countSelects);
  const width = selects[0]!.length;
  const values = await db.values(`SELECT ${selects.flat().join(', ')} FROM ${quoted}`);
  const verdicts = candidates.map((_, i) =>
    judge(readCounts(values.slice(width * i, width * (i + 1))), file.delimiter),
  );
  const numbers = candidates
    .map((name, i) => ({ name, verdict: verdicts[i]! }))
    .filter(
      (c): c is { name: string; verdict: Extract<Verdict, { kind: 'number' }> } =>
        c.verdict?.kind === 'number',
    );
  const notes: ReadNote[] = [];
  const commaColumns = numbers.filter((c) => c.verdict.notation === 'comma').map((c) => c.name);
  if (commaColumns.length > 0) notes.push({ kind: 'decimal_comma', columns: commaColumns });
  const suspected = candidates.filter((_, i) => verdicts[i]?.kind === 'suspected');
  if (suspected.length > 0) notes.push({ kind: 'decimal_comma_suspected', columns: suspected });

  const coerced = numbers.filter((c) => c.verdict.nonNumbers > 0);
  const examples = await findNonNumbers(db, quoted, columns, coerced, file);
  for (const [i, { name, verdict }] of coerced.entries())
    notes.push({ kind: 'coerced', column: name, count: verdict.nonNumbers, examples: examples[i]! });

  for (const { name, verdict } of numbers) {
    const using =
      verdict.sqlType === 'BIGINT' ? `TRY_CAST(${ident(name)} AS BIGINT)` : parsed(name, verdict.notation);
    await db.run(
      `ALTER TABLE ${quoted} ALTER ${ident(name)} SET DATA TYPE ${verdict.sqlType} USING ${using}`,
    );
    types.set(name, verdict.sqlType);
  }
  return { columns: retype(columns, types), notes };
}

const retype = (columns: readonly TableColumn[], types: ReadonlyMap<string, string>): TableColumn[] =>
  columns.map((column) => ({ name: column.name, sqlType: types.get(column.name) ?? column.sqlType }));

/** The first few cells of each column that are not numbers, with their lines in the file. */
async function findNonNumbers(
  db: Database,
  table: string,
  columns: readonly TableColumn[],
  coerced: readonly { name: string; verdict: { notation: Notation; nonNumbers: number } }[],
  file: { path: string; delimiter: string },
) {
  if (coerced.length === 0) return [];
  // One query at a time: a connection runs them in turn anyway.
  const searches = [];
  for (const { name, verdict } of coerced) {
    const rows = await db.rows(
      `SELECT ${ident(name)} AS value FROM ${table} WHERE ${ident(name)} IS NOT NULL AND ${parsed(name, verdict.notation)} IS NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${searchedValues}`,
    );
    searches.push({
      position: columns.findIndex((column) => column.name === name),
      values: new Set(rows.map((row) => String(row.value))),
      wanted: Math.min(exampleCount, verdict.nonNumbers),
    });
  }
  return findCells(file.path, file.delimiter, searches);
}

/**
 * Integer columns beyond 2^53, which no JSON number holds exactly, read as doubles: the part of
 * readNumbers that applies to any table, whatever file it came from.
 */
export async function widenIntegers(
  db: Database,
  table: string,
  columns: readonly TableColumn[],
): Promise<TableColumn[]> {
  const quoted = ident(table);
  const { wide } = await survey(
    db,
    quoted,
    columns.filter((c) => c.sqlType !== 'VARCHAR'),
  );
  for (const name of wide) await db.run(`ALTER TABLE ${quoted} ALTER ${ident(name)} SET DATA TYPE DOUBLE`);
  return retype(columns, new Map(wide.map((name) => [name, 'DOUBLE'])));
}

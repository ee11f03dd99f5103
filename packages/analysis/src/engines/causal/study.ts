import { readDoubleColumns } from '../../data/columns';
import type { LoadedTable } from '../../data/csv';
import type { ColumnarTable } from '../../data/csv-columns';
import type { Database } from '../../data/database';
import { ident } from '../../data/sql';
import { BadDataError, BadRequestError, ColumnNotFoundError } from '../../errors';
import { typeFromSql } from '../profile/column-types';
import { checkDesignValues, type DesignMessages, planDesign, varies } from '../rows/design';
import { maxLevels, show } from '../rows/rows';
import { allFinite } from '../stats/finite';
import type { EffectSpec } from './types';

/** The rows an effect is estimated from: complete cases, treatment as 0/1, covariates as numbers. */
export interface Study {
  y: Float64Array;
  t: Float64Array;
  /** Design columns: numeric covariates as they are, categorical ones as 0/1 indicators per level. */
  covariates: { name: string; values: Float64Array }[];
  dropped: number;
}

function checkRequest(spec: EffectSpec, loaded: LoadedTable): void {
  const names = loaded.columns.map((column) => column.name);
  const covariates = spec.covariates ?? [];
  for (const name of [spec.treatment, spec.outcome, ...covariates])
    if (!names.includes(name)) throw new ColumnNotFoundError(name, names);
  if (spec.treatment === spec.outcome)
    throw new BadRequestError(
      `The treatment and the outcome are both "${spec.outcome}"; name two different columns.`,
    );
  for (const name of [spec.treatment, spec.outcome])
    if (covariates.includes(name))
      throw new BadRequestError(
        `"${name}" cannot be both a covariate and the ${name === spec.treatment ? 'treatment' : 'outcome'}.`,
      );
  const repeated = covariates.find((name, i) => covariates.indexOf(name) !== i);
  if (repeated) throw new BadRequestError(`Covariate "${repeated}" is listed twice.`);
}

const covariateMessages: DesignMessages = {
  dates: (name) =>
    `Covariate "${name}" holds dates; adjust for a number derived from it (such as a year) instead.`,
  tooManyLevels: (name) =>
    `Covariate "${name}" has more than ${maxLevels} distinct values; it looks like an identifier or free text, not a category to adjust for.`,
  constant: (name) =>
    `Covariate "${name}" has the same value in every row used; it cannot adjust for anything, so leave it out.`,
};

/**
 * Checks the request against the data and reads the complete cases into memory. Every reason
 * the data cannot answer the question becomes a BadDataError that says what to change.
 */
export async function loadStudy(db: Database, loaded: LoadedTable, spec: EffectSpec): Promise<Study> {
  checkRequest(spec, loaded);
  const table = ident(loaded.table);
  const column = (name: string) => loaded.columns.find((c) => c.name === name)!;
  const typeOf = (name: string) => typeFromSql(column(name).sqlType);
  const covariates = spec.covariates ?? [];
  const used = [spec.treatment, spec.outcome, ...covariates];

  const complete = used.map((name) => `${ident(name)} IS NOT NULL`).join(' AND ');
  // The completeness test is computed once per row, not once per aggregate.
  const whenComplete = 'FILTER (WHERE _complete)';

  // One scan for what the checks before reading need: values present per column, complete rows
  // and the treatment's distinct values and range. Text covariates' levels are fetched one by one
  // below; numeric columns' spread and infinities are checked on the values once read: as
  // aggregates here they cost more than the read itself.
  const treatment = ident(spec.treatment);
  const stats = await db.values(
    `SELECT ${[
      `count(*) ${whenComplete}`,
      ...used.map((name) => `count(${ident(name)})`),
      `count(DISTINCT ${treatment}) ${whenComplete}`,
      `TRY_CAST(min(${treatment}) ${whenComplete} AS DOUBLE)`,
      `TRY_CAST(max(${treatment}) ${whenComplete} AS DOUBLE)`,
    ].join(', ')} FROM (SELECT *, ${complete} AS _complete FROM ${table})`,
  );
  let at = 0;
  const n = stats[at++] as number;
  const present = used.map(() => stats[at++] as number);
  const [distinctTreatments, lowest, highest] = [stats[at++] as number, stats[at++], stats[at++]];

  used.forEach((name, i) => {
    if (present[i] === 0) throw new BadDataError(`Column "${name}" has no values: every row is missing.`);
  });
  if (n === 0)
    throw new BadDataError(
      `No row has values for all of ${used.map((name) => `"${name}"`).join(', ')}; leave out a column with many missing values.`,
    );
  // Only error messages need the actual values.
  const valuesOf = async (name: string, limit: number) =>
    (
      await db.rows(
        `SELECT ${ident(name)} AS value, count(*) AS count FROM ${table} WHERE ${complete} GROUP BY 1 ORDER BY count DESC, value ASC LIMIT ${limit}`,
      )
    ).map((row) => row.value);

  // Treatment: 0/1 numbers or true/false, and both present.
  const treatmentType = typeOf(spec.treatment);
  const binary =
    distinctTreatments <= 2 &&
    (treatmentType === 'boolean' ||
      ((treatmentType === 'integer' || treatmentType === 'numeric') &&
        (lowest === 0 || lowest === 1) &&
        (highest === 0 || highest === 1)));
  if (!binary)
    throw new BadDataError(
      `Treatment "${spec.treatment}" must be binary (0/1 or true/false); it has values ${show(await valuesOf(spec.treatment, 6))}.`,
    );
  if (distinctTreatments < 2)
    throw new BadDataError(
      `Treatment "${spec.treatment}" is ${show(await valuesOf(spec.treatment, 1))} in every row used; an effect needs both treated and untreated rows.`,
    );

  // Outcome: a number (true/false counts as 1/0) that varies.
  const outcomeType = typeOf(spec.outcome);
  if (outcomeType !== 'numeric' && outcomeType !== 'integer' && outcomeType !== 'boolean')
    throw new BadDataError(
      `Outcome "${spec.outcome}" must be numeric; it holds ${outcomeType === 'datetime' ? 'dates' : 'text'} such as ${show(await valuesOf(spec.outcome, 3))}.`,
    );

  // Covariates: numbers as they are, true/false as 1/0, text as one indicator per level but the most common.
  const plan = await planDesign(
    db,
    table,
    complete,
    covariates.map((name) => ({ name, kind: typeOf(name) })),
    covariateMessages,
  );
  const [y, t, ...columns] = await readDoubleColumns(
    db,
    `SELECT ${[`CAST(${ident(spec.outcome)} AS DOUBLE)`, `CAST(${ident(spec.treatment)} AS DOUBLE)`, ...plan.selects].join(', ')} FROM ${table} WHERE ${complete}`,
    n,
    { shared: true },
  );
  for (const [name, values] of [
    [spec.outcome, y!],
    [spec.treatment, t!],
  ] as const)
    if (!allFinite(values))
      throw new BadDataError(`Column "${name}" has infinite values; remove or cap them.`);
  if (!varies(y!))
    throw new BadDataError(
      `Outcome "${spec.outcome}" has the same value in every row used; there is no variation to explain.`,
    );
  checkDesignValues(plan, columns, covariateMessages);
  return {
    y: y!,
    t: t!,
    covariates: plan.names.map((name, i) => ({ name, values: columns[i]! })),
    dropped: loaded.rows - n,
  };
}

/**
 * The study from a file read into columns (csv-columns.ts), when every requested column is a
 * number column and the data passes every check loadStudy makes; undefined otherwise, and the
 * caller then goes the table way, which gives the reason in words. The columns themselves are
 * used when no row is incomplete, else their complete rows are copied out (into shared memory,
 * for the worker threads).
 */
export function studyFromColumns(table: ColumnarTable, spec: EffectSpec): Study | undefined {
  const covariates = spec.covariates ?? [];
  const used = [spec.outcome, spec.treatment, ...covariates];
  if (new Set(used).size !== used.length) return undefined;
  const columns: Float64Array[] = [];
  for (const name of used) {
    const column = table.columns.find((c) => c.name === name);
    if (column?.kind !== 'number') return undefined;
    columns.push(column.values);
  }
  const rows = table.rows;
  // Missing cells, column by column.
  let complete: Uint8Array | undefined;
  for (const column of columns)
    for (let i = 0; i < rows; i++)
      if (Number.isNaN(column[i]!)) {
        complete ??= new Uint8Array(rows).fill(1);
        complete[i] = 0;
      }
  let n = rows;
  if (complete) for (let i = 0; i < rows; i++) n -= 1 - complete[i]!;
  if (n === 0) return undefined;
  const compact = (column: Float64Array): Float64Array => {
    if (n === rows) return column;
    const out = new Float64Array(new SharedArrayBuffer(n * Float64Array.BYTES_PER_ELEMENT));
    for (let i = 0, j = 0; i < rows; i++) if (complete![i]) out[j++] = column[i]!;
    return out;
  };
  const [y, t, ...design] = columns.map(compact) as [Float64Array, Float64Array, ...Float64Array[]];
  let treated = 0;
  for (let i = 0; i < n; i++) {
    if (t[i] !== 0 && t[i] !== 1) return undefined;
    treated += t[i]!;
  }
  if (treated === 0 || treated === n || !varies(y) || !design.every(varies)) return undefined;
  return {
    y,
    t,
    covariates: covariates.map((name, j) => ({ name, values: design[j]! })),
    dropped: rows - n,
  };
}

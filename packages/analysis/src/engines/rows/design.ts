import type { Database } from '../../data/database';
import { ident, stringLiteral } from '../../data/sql';
import { BadDataError, BadRequestError } from '../../errors';
import { allFinite } from '../stats/finite';
import { type ColumnKind, maxLevels } from './rows';

/**
 * A model's design columns from the columns a person named (covariates of an effect, predictors
 * of a regression): numbers and true/false as they are, text as a 0/1 indicator per level but
 * the reference, which is the level asked for or else the most common one (ties: the first in
 * DuckDB's text order).
 */
export interface DesignPlan {
  /** SQL for each design column, as a DOUBLE. */
  selects: string[];
  /** Each design column's name: the column's own, or "column=level" for an indicator. */
  names: string[];
  /** The named column each design column comes from. */
  sources: string[];
  /** The level each text column's indicators are compared with. */
  references: { predictor: string; level: string }[];
}

/** The sentences for columns that cannot enter the design, in the words of the caller's role. */
export interface DesignMessages {
  dates(name: string): string;
  tooManyLevels(name: string): string;
  constant(name: string): string;
}

/**
 * Plans the design columns over the rows of `from` where `where` holds. Dates, text with more
 * than maxLevels values and text with a single value are BadDataErrors in the caller's words.
 */
export async function planDesign(
  db: Database,
  from: string,
  where: string,
  columns: readonly { name: string; kind: ColumnKind; reference?: string }[],
  messages: DesignMessages,
): Promise<DesignPlan> {
  const plan: DesignPlan = { selects: [], names: [], sources: [], references: [] };
  for (const { name, kind, reference } of columns) {
    if (kind === 'datetime') throw new BadDataError(messages.dates(name));
    if (kind !== 'string') {
      plan.selects.push(`CAST(${ident(name)} AS DOUBLE)`);
      plan.names.push(name);
      plan.sources.push(name);
      continue;
    }
    const levels = (
      await db.rows(
        `SELECT ${ident(name)} AS value, count(*) AS count FROM ${from} WHERE ${where} GROUP BY 1 ORDER BY count DESC, value ASC LIMIT ${maxLevels + 1}`,
      )
    ).map((row) => String(row.value));
    if (levels.length < 2) throw new BadDataError(messages.constant(name));
    if (levels.length > maxLevels) throw new BadDataError(messages.tooManyLevels(name));
    if (reference !== undefined) {
      const at = levels.indexOf(reference);
      if (at < 0)
        throw new BadRequestError(
          `${name} has no level "${reference}" in the rows used; its levels are ${levels.map((l) => `"${l}"`).join(', ')}.`,
        );
      levels.unshift(...levels.splice(at, 1));
    }
    plan.references.push({ predictor: name, level: levels[0]! });
    for (const level of levels.slice(1)) {
      plan.selects.push(`CAST(${ident(name)} = ${stringLiteral(level)} AS DOUBLE)`);
      plan.names.push(`${name}=${level}`);
      plan.sources.push(name);
    }
  }
  return plan;
}

/** Whether the values are not all the same. */
export function varies(values: Float64Array): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return true;
  return false;
}

/**
 * Checks the design columns as read: a numeric column with infinite values or a single value
 * is a BadDataError. (Indicators always vary: their column has at least two levels.)
 */
export function checkDesignValues(
  plan: DesignPlan,
  values: readonly Float64Array[],
  messages: DesignMessages,
): void {
  plan.names.forEach((name, j) => {
    if (name !== plan.sources[j]) return;
    if (!allFinite(values[j]!))
      throw new BadDataError(`Column "${name}" has infinite values; remove or cap them.`);
  });
  plan.names.forEach((name, j) => {
    if (name === plan.sources[j] && !varies(values[j]!)) throw new BadDataError(messages.constant(name));
  });
}

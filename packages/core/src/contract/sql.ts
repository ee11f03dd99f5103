import type { Filter } from './inputs';

/**
 * DuckDB SQL text, quoted so no value or name can change a query: the engines build their own
 * queries with it, and the offline planner writes the SQL it shows a person with it.
 */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function stringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A value as a SQL literal: numbers and booleans as such, everything else as text. */
export function literal(value: string | number | boolean): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return stringLiteral(value);
}

const asList = (value: Filter['value']) =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

/** One filter as a SQL condition on its column. */
export function filterCondition(filter: Filter): string {
  const column = ident(filter.column);
  const values = asList(filter.value);
  switch (filter.op) {
    case 'is missing':
      return `${column} IS NULL`;
    case 'is not missing':
      return `${column} IS NOT NULL`;
    case 'between':
      return `${column} BETWEEN ${literal(values[0]!)} AND ${literal(values[1]!)}`;
    case 'in':
      return `${column} IN (${values.map(literal).join(', ')})`;
    case 'not in':
      return `${column} NOT IN (${values.map(literal).join(', ')})`;
    default:
      return `${column} ${filter.op === '!=' ? '<>' : filter.op} ${literal(values[0]!)}`;
  }
}

/** `WHERE a AND b …` for a list of filters, or '' for none. */
export function whereClause(filters: readonly Filter[] | undefined): string {
  return filters && filters.length > 0 ? `WHERE ${filters.map(filterCondition).join(' AND ')}` : '';
}

/** The filters as a person reads them: `plan = 'pro' and tenure_months > 12`. */
export function describeFilters(filters: readonly Filter[] | undefined): string {
  return (filters ?? [])
    .map((f) =>
      filterCondition(f).replace(/"((?:[^"]|"")*)"/g, (_, name: string) => name.replaceAll('""', '"')),
    )
    .join(' and ');
}

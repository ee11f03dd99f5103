import type { ColumnType } from './types';

/** The type a column's DuckDB type decides on its own; text columns wait for their cardinality. */
export function typeFromSql(sqlType: string): ColumnType | 'string' {
  const base = sqlType.toUpperCase().replace(/\(.*$/, '');
  if (base === 'BOOLEAN') return 'boolean';
  if (/^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(base)) return 'integer';
  if (base === 'FLOAT' || base === 'DOUBLE' || base === 'DECIMAL') return 'numeric';
  if (base === 'DATE' || base.startsWith('TIMESTAMP') || base.startsWith('TIME')) return 'datetime';
  return 'string';
}

/** A string column with few distinct values, or values that repeat twenty times on average, is categorical. */
export const categoricalMaxUnique = 50;
const categoricalMinRepeats = 20;

export function typeOfStrings(count: number, unique: number): ColumnType {
  return unique <= categoricalMaxUnique || unique * categoricalMinRepeats <= count ? 'categorical' : 'text';
}

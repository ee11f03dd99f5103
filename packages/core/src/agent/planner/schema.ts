import type { SniffedType } from '../../data/csv-head';
import type { ColumnEntry, DataDictionary } from '../../datasets/dictionary';

/** A value as a filter or a group names it: a number, true/false, or text as the file has it. */
export type Scalar = string | number | boolean;

export interface SchemaColumn {
  name: string;
  type: SniffedType;
  /** Distinct values seen in the file's first rows, as written, for categorical and true/false columns. */
  values?: string[];
  /** The data dictionary's entry, when the dataset has one. */
  entry?: ColumnEntry;
  /** Missing values among the rows read to sniff the types; absent when there were none. */
  missing?: number;
}

/** What the planner knows of a dataset before running anything: its columns, their types and words. */
export interface DatasetSchema {
  id: string;
  title?: string;
  columns: SchemaColumn[];
  dictionary?: DataDictionary;
  /** Set when the file is there but cannot be read (it then has no columns): why, in a sentence. */
  unreadable?: string;
}

/** Another dataset the user could mean, named by its id, its title and its dictionary's aliases. */
export interface DatasetName {
  id: string;
  title?: string;
  aliases?: string[];
}

export const isNumeric = (column: SchemaColumn) => column.type === 'integer' || column.type === 'numeric';
export const isBinary = (column: SchemaColumn) => column.type === 'boolean';
export const isCategorical = (column: SchemaColumn) => column.type === 'categorical';
/** Columns a group can be made of: categories and true/false. */
export const isGrouping = (column: SchemaColumn) => isCategorical(column) || isBinary(column);

/** How a true/false column writes its values, as the engine reads them (0/1 as numbers, yes/no as booleans, Y/N as text). */
export function binaryValue(column: SchemaColumn, positive: boolean): Scalar {
  const seen = (column.values ?? []).map((v) => v.trim());
  if (seen.some((v) => v === '0' || v === '1')) return positive ? 1 : 0;
  const letter = seen.find((v) => /^[yn]$/i.test(v));
  if (letter) {
    const upper = letter === letter.toUpperCase();
    const text = positive ? 'y' : 'n';
    return upper ? text.toUpperCase() : text;
  }
  return positive;
}

export function columnOf(schema: DatasetSchema, name: string): SchemaColumn | undefined {
  return schema.columns.find((c) => c.name === name);
}

/** A value as it reads in an answer: true/false and 1/0 as written in the data. */
export function showValue(value: Scalar): string {
  return typeof value === 'string' ? value : String(value);
}

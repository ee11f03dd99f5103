import { parse } from 'csv-parse/sync';
import { detectDelimiter, isMissing } from '../data/csv-format';

/**
 * A quick look at the start of a CSV file: enough for describe_dataset and for Parse to learn
 * the column names, without reading the whole file (that is the analysis task's job). The column
 * sniffing is shared with Parquet's (parquet-head.ts), so a table reads alike in either format; the
 * delimiter and the missing markers are the engine's (data/csv-format.ts), so the head counts as
 * missing exactly the cells the analysis does.
 */
export type SniffedType = 'integer' | 'numeric' | 'boolean' | 'datetime' | 'categorical' | 'text' | 'empty';

export interface SniffedColumn {
  name: string;
  type: SniffedType;
  examples: string[];
  missingInSample: number;
  /** Every distinct value in the sample, for categorical and true/false columns with at most 50. */
  values?: string[];
}

export interface CsvHead {
  delimiter: string;
  columns: SniffedColumn[];
  sampledRows: number;
}

/** The file is not CSV we can read; the message says why, for a person. */
export class CsvReadError extends Error {
  override name = 'CsvReadError';
}

/** A value as text, or null where the file has none (a CSV missing marker, a Parquet null). */
type Cell = string | null;

const booleans = new Set(['true', 'false', 'yes', 'no', 't', 'f', 'y', 'n']);

/**
 * What a column's values look like. `stored` is what a typed file (Parquet) already says they
 * are: numbers are never read as dates or words, and text never as numbers, as the engine reads them.
 */
function typeOf(values: readonly Cell[], stored: 'text' | 'number' | 'unknown' = 'unknown'): SniffedType {
  const present = values.filter((v) => v !== null);
  if (present.length === 0) return 'empty';
  const all = (test: (v: string) => boolean) => present.every((v) => test(v.trim()));
  // A few stray words among many numbers ("oops", "?") are missing values, as the engine reads them.
  const mostly = (test: (v: string) => boolean) => {
    const failing = present.filter((v) => !test(v.trim())).length;
    return failing === 0 || (present.length >= 50 && failing <= Math.min(5, present.length * 0.02));
  };
  if (all((v) => v === '0' || v === '1') || all((v) => booleans.has(v.toLowerCase()))) return 'boolean';
  if (stored !== 'text' && mostly((v) => /^[-+]?\d+$/.test(v))) return 'integer';
  if (stored === 'number') return 'numeric';
  if (stored !== 'text' && mostly((v) => v !== '' && Number.isFinite(Number(v)))) return 'numeric';
  if (
    stored !== 'text' &&
    all((v) => /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v))
  ) {
    return 'datetime';
  }
  const distinct = new Set(present).size;
  const long = present.some((v) => v.length > 40);
  // Values that repeat are categories; all-distinct values are identifiers or free text.
  const repeats = distinct < present.length;
  return !long && repeats && (distinct <= 20 || distinct <= present.length / 2) ? 'categorical' : 'text';
}

/**
 * Reads the header and the complete rows of a file's first bytes. A trailing partial line is
 * dropped, since the chunk usually ends mid-row.
 */
export function sniffCsvHead(chunk: string, complete: boolean): CsvHead {
  let text = chunk.replace(/^\uFEFF/, '');
  if (!complete) {
    const lastBreak = text.lastIndexOf('\n');
    text = lastBreak >= 0 ? text.slice(0, lastBreak + 1) : text;
  }
  const headerLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (headerLine.trim() === '') throw new CsvReadError('The file is empty: it has no header row.');
  const delimiter = detectDelimiter(headerLine);
  let rows: string[][];
  try {
    rows = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, relax_quotes: true });
  } catch (error) {
    throw new CsvReadError(`The file could not be read as CSV: ${(error as Error).message}`);
  }
  const [header = [], ...body] = rows;
  return {
    delimiter,
    sampledRows: body.length,
    columns: header.map((name, i) =>
      sniffColumn(
        name.trim(),
        body.map((row) => {
          const cell = row[i] ?? '';
          return isMissing(cell) ? null : cell;
        }),
      ),
    ),
  };
}

/**
 * One column of a sample, from its values as text (null where a value is missing: each format
 * says which are, as the engine reads it). `stored` says what a typed file holds (see typeOf);
 * `type` overrides the sniffing for types text cannot show (a Parquet date column).
 */
export function sniffColumn(
  name: string,
  values: readonly Cell[],
  stored: 'text' | 'number' | 'unknown' = 'unknown',
  type: SniffedType = typeOf(values, stored),
): SniffedColumn {
  const present = values.filter((v) => v !== null);
  const distinct = [...new Set(present)];
  return {
    name,
    type: distinct.length === 0 ? 'empty' : type,
    examples: distinct.slice(0, 3),
    missingInSample: values.length - present.length,
    ...((type === 'categorical' || type === 'boolean') && distinct.length <= 50 && { values: distinct }),
  };
}

import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ReadNote } from '@cascade/core/contract';
import { detectDelimiter, missingMarkers } from '@cascade/core/csv-format';
import { BadDataError, DataNotFoundError } from '../errors';
import { explainLoadFailure, maxLineBytes, notCsv } from './csv-failures';
import { fileHeader, headerRenames } from './csv-headers';
import { readNumbers } from './csv-numbers';
import { type Database, parseBytes } from './database';
import { ident, stringLiteral } from './sql';

export interface TableColumn {
  name: string;
  /** DuckDB's type name as sniffed from the file, e.g. BIGINT, DOUBLE, VARCHAR, DATE. */
  sqlType: string;
}

export interface LoadedTable {
  table: string;
  /** The file's name, for reports. */
  source: string;
  rows: number;
  columns: TableColumn[];
  /** How the file was read, where that changes what the numbers mean. */
  reading: ReadNote[];
}

/** The file's first bytes, and whether they are all of it. */
async function readHead(
  path: string,
  bytes: number,
): Promise<{ bytes: Buffer; text: string; whole: boolean }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    const head = buffer.subarray(0, bytesRead);
    return { bytes: head, text: head.toString('utf8').replace(/^\uFEFF/, ''), whole: bytesRead < bytes };
  } finally {
    await handle.close();
  }
}

/** What every reading of a CSV file starts from: its first bytes checked, its delimiter, and DuckDB's read_csv options. */
export interface CsvFile {
  path: string;
  /** The file's first bytes (as read, byte order mark and all), their text, and whether they are the whole file. */
  head: { bytes: Uint8Array; text: string; whole: boolean };
  delimiter: string;
  /** read_csv's options, as SQL. */
  options: string[];
}

/**
 * Checks that `path` is a CSV file at all and settles how DuckDB reads it: header row required,
 * RFC 4180 quoting, pandas' missing markers. A file that is not there or not a CSV is an error.
 */
export async function openCsv(db: Database, path: string): Promise<CsvFile> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new DataNotFoundError(`There is no file at ${path}.`);
  const head = await readHead(path, 64 * 1024);
  const foreign = notCsv(head.bytes, head.text);
  if (foreign) throw new BadDataError(foreign);
  if (head.text.trim() === '')
    throw new BadDataError('The file is empty; a CSV needs a header row and at least one data row.');
  const delimiter = detectDelimiter(head.text.split(/\r?\n/, 1)[0] ?? '');

  const options = [
    // The header is the first line: DuckDB's sniffer would otherwise skip lines it finds odd, and their rows with them.
    'header = true',
    'skip = 0',
    `delim = ${stringLiteral(delimiter)}`,
    `quote = '"'`,
    `escape = '"'`,
    `nullstr = [${missingMarkers.map(stringLiteral).join(', ')}]`,
    `max_line_size = ${maxLineBytes}`,
  ];
  // The reader holds a few buffers of 32 MB by default; under a small memory limit they must shrink.
  const limit = db.options.memoryLimit ? parseBytes(db.options.memoryLimit) : undefined;
  if (limit !== undefined)
    options.push(`buffer_size = ${Math.round(Math.min(32 * 2 ** 20, Math.max(4 * 2 ** 20, limit / 8)))}`);
  return { path, head, delimiter, options };
}

/** The notes on a header DuckDB renamed: a repeated or empty column name. */
export const renamedHeaders = (file: CsvFile, names: readonly string[]): ReadNote[] =>
  headerRenames(fileHeader(file.head.text, file.delimiter, file.head.whole), names);

/**
 * Loads a CSV file into the table `data`: header row required, RFC 4180 quoting, pandas'
 * missing markers, types sniffed by DuckDB, then numbers that DuckDB left as text read as
 * numbers where the text says so (csv-numbers.ts). Every way the file can be unusable becomes a
 * BadDataError with a sentence that says what to fix; every way the reading changes what the
 * numbers mean becomes a note in `reading`.
 */
export async function loadCsv(db: Database, path: string, table = 'data'): Promise<LoadedTable> {
  const file = await openCsv(db, path);
  const { delimiter, options } = file;
  const load = (extra: string[]) =>
    db.run(
      `CREATE OR REPLACE TABLE ${ident(table)} AS SELECT * FROM read_csv(${stringLiteral(path)}, ${[...options, ...extra].join(', ')})`,
    );
  let failure: unknown;
  await load([]).catch((error) => {
    failure = error;
  });
  // Types are sniffed from a sample; a later row that breaks them means: look at every row.
  if (failure instanceof Error && failure.message.startsWith('Conversion Error')) {
    failure = undefined;
    await load(['sample_size = -1']).catch((error) => {
      failure = error;
    });
  }
  if (failure instanceof Error && failure.message.startsWith('Out of Memory Error')) throw failure;
  if (failure) throw new BadDataError(await explainLoadFailure(path, delimiter), { cause: failure });

  const sniffed = (await db.rows(`DESCRIBE ${ident(table)}`)).map((row) => ({
    name: String(row.column_name),
    sqlType: String(row.column_type),
  }));
  const [rows] = (await db.values(`SELECT count(*) FROM ${ident(table)}`)) as [number];
  if (rows === 0) throw new BadDataError('The file has a header row but no data rows.');
  const { columns, notes } = await readNumbers(db, table, sniffed, { path, delimiter });
  const renames = renamedHeaders(
    file,
    sniffed.map((column) => column.name),
  );
  return { table, source: basename(path), rows, columns, reading: [...renames, ...notes] };
}

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ReadNote } from '@cascade/core/contract';
import { parse } from 'csv-parse';
import { BadDataError, DataNotFoundError } from '../errors';
import { type Database, parseBytes } from './database';
import { ident, stringLiteral } from './sql';

/** The cells pandas reads as missing by default, so both tools agree on what "missing" means. */
export const missingMarkers = [
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
];

const delimiterCandidates = [',', ';', '\t', '|'] as const;

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

/**
 * The delimiter is the candidate the header line uses most. DuckDB's own sniffer falls back to
 * reading a ragged file as one text column, which would hide the real problem.
 */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (delimiterCandidates as readonly string[]).includes(char))
      counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const candidate of delimiterCandidates) {
    const count = counts.get(candidate) ?? 0;
    if (count > bestCount) [best, bestCount] = [candidate, count];
  }
  return best;
}

async function readHead(path: string, bytes: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
}

const delimiterNames: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

/** Finds the first line that breaks the CSV rules, for an error a person can fix. Runs only after a failed load. */
async function diagnose(path: string, delimiter: string): Promise<string | undefined> {
  const records = createReadStream(path).pipe(parse({ delimiter, bom: true, skip_empty_lines: true }));
  try {
    for await (const _ of records);
  } catch (error) {
    const { code, lines, record } = error as { code?: string; lines?: number; record?: unknown[] };
    if (code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
      const expected = /expect (\d+)/.exec((error as Error).message)?.[1];
      return `Line ${lines} has ${record?.length ?? 'a different number of'} fields but the header has ${expected}; every row needs one value per column (${delimiterNames[delimiter]}-separated).`;
    }
    if (code === 'CSV_QUOTE_NOT_CLOSED')
      return `A quoted value is never closed (the file ends inside quotes near line ${lines}).`;
    if (code?.startsWith('CSV_')) return `Line ${lines} is not valid CSV: ${(error as Error).message}.`;
  } finally {
    records.destroy();
  }
  return undefined;
}

function describeDuckDbFailure(message: string): string {
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  if (/Invalid unicode|UTF-8|encoding/i.test(message))
    return `The file is not valid UTF-8 text${line ? ` (line ${line})` : ''}; save it as UTF-8 CSV and try again.`;
  const first = message.split('\n')[0]?.replace(/^[A-Za-z ]+Error: /, '') ?? 'unknown problem';
  return `The file could not be read as CSV${line ? ` (line ${line})` : ''}: ${first}`;
}

/**
 * Loads a CSV file into the table `data`: header row required, RFC 4180 quoting, pandas'
 * missing markers, types sniffed by DuckDB. Every way the file can be unusable becomes a
 * BadDataError with a sentence that says what to fix.
 */
export async function loadCsv(db: Database, path: string, table = 'data'): Promise<LoadedTable> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new DataNotFoundError(`There is no file at ${path}.`);
  const head = await readHead(path, 64 * 1024);
  if (head.trim() === '')
    throw new BadDataError('The file is empty; a CSV needs a header row and at least one data row.');
  const delimiter = detectDelimiter(head.split(/\r?\n/, 1)[0] ?? '');

  const options = [
    'header = true',
    `delim = ${stringLiteral(delimiter)}`,
    `quote = '"'`,
    `escape = '"'`,
    `nullstr = [${missingMarkers.map(stringLiteral).join(', ')}]`,
  ];
  // The reader holds a few buffers of 32 MB by default; under a small memory limit they must shrink.
  const limit = db.options.memoryLimit ? parseBytes(db.options.memoryLimit) : undefined;
  if (limit !== undefined)
    options.push(`buffer_size = ${Math.round(Math.min(32 * 2 ** 20, Math.max(4 * 2 ** 20, limit / 8)))}`);
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
  if (failure) {
    const detail = await diagnose(path, delimiter);
    throw new BadDataError(detail ?? describeDuckDbFailure(String((failure as Error).message)), {
      cause: failure,
    });
  }

  const columns = (await db.rows(`DESCRIBE ${ident(table)}`)).map((row) => ({
    name: String(row.column_name),
    sqlType: String(row.column_type),
  }));
  const [rows] = (await db.values(`SELECT count(*) FROM ${ident(table)}`)) as [number];
  if (rows === 0) throw new BadDataError('The file has a header row but no data rows.');
  return { table, source: basename(path), rows, columns, reading: [] };
}

import { closeSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ReadNote } from '@cascade/core/contract';
import { isMissing } from '@cascade/core/csv-format';
import { parse } from 'csv-parse/sync';
import { type PendingWorker, prepareWorker, startWorker } from '../parallel/worker';
import { type CsvFile, openCsv, renamedHeaders } from './csv';
import { fileHeader } from './csv-headers';
import {
  countLines,
  Dictionary,
  IrregularCsv,
  type ScanKind,
  type ScanMessage,
  type ScanRequest,
  type ScanTarget,
  scanFile,
  scanPart,
} from './csv-scan';
import type { Database } from './database';
import { stringLiteral } from './sql';

/**
 * A CSV file read straight into typed arrays, without a DuckDB table: the fast way for the
 * profile and effects on plain files. DuckDB still decides what the file is (its columns and
 * their types, from a sample); csv-scan.ts reads every row, and a file it cannot read as DuckDB
 * would (see there) is left to the table path (csv.ts), which reads or explains every file.
 */

export interface NumberColumn {
  kind: 'number';
  name: string;
  sqlType: 'DOUBLE' | 'BIGINT';
  /** One value per row; NaN where the cell is missing. */
  values: Float64Array;
}

export interface TextColumn {
  kind: 'text';
  name: string;
  sqlType: 'VARCHAR';
  /** One code per row into `values`; -1 where the cell is missing. */
  codes: Int32Array;
  /** The distinct texts, by code (missing markers among them are never used by a row). */
  values: string[];
  /** Rows per code. */
  counts: Float64Array;
}

/** A column the caller did not ask for: its cells are skipped. */
export interface SkippedColumn {
  kind: 'skipped';
  name: string;
  sqlType: string;
}

export type ColumnarColumn = NumberColumn | TextColumn | SkippedColumn;

export interface ColumnarTable {
  source: string;
  rows: number;
  columns: ColumnarColumn[];
  reading: ReadNote[];
}

export interface ColumnarOptions {
  /** Read only these columns (the others are skipped); all by default. */
  only?: readonly string[];
  /** Number columns in shared memory, for worker threads to read without a copy. */
  shared?: boolean;
  /** Scan the second half of a large file in a worker thread; by default from 16 MB on. */
  parallel?: boolean;
  /**
   * Give up, saying the file is too large, unless its columns (and a column's worth of working
   * memory) fit in this many bytes: the caller then streams it instead.
   */
  maxBytes?: number;
  /**
   * A worker thread of the caller's that answers `{ scan }` jobs (and stays for the caller's own
   * work afterwards); without one, a scan worker is started for large files.
   */
  helper?: PendingWorker<unknown>;
}

const parallelBytes = 16 * 1024 * 1024;
const sniffBufferBytes = 4 * 1024 * 1024;

/** Share of a text column's values that look like numbers from which csv-numbers.ts might read it as numbers. */
const numericLookingShare = 0.9;
/** A superset of what DuckDB's TRY_CAST to DOUBLE, and the decimal-comma reading, accept. */
const looksNumeric = /^\s*([-+]?(inf(inity)?|nan)|[-+0-9_.,eE\s]*[0-9][-+0-9_.,eE\s]*)\s*$/i;

/**
 * Whether a text column (its distinct values and their counts) might be numbers with stray words,
 * which csv-numbers.ts may read as numbers with a note: the table path decides those. A column
 * with no value present is left to it too.
 */
export function mayBeNumbers(values: readonly string[], counts: Float64Array): boolean {
  let numeric = 0;
  let present = 0;
  values.forEach((value, code) => {
    present += counts[code]!;
    if (looksNumeric.test(value)) numeric += counts[code]!;
  });
  return present === 0 || numeric >= numericLookingShare * present;
}

/** The byte after the header line, from the file's first bytes; undefined when the header may hold a quoted line break. */
export function dataStartOf(file: CsvFile, size: number): number | undefined {
  const headerEnd = file.head.bytes.indexOf(10);
  const header = file.head.bytes.subarray(0, headerEnd < 0 ? file.head.bytes.length : headerEnd);
  if (header.indexOf(34) >= 0) return undefined;
  return headerEnd < 0 ? size : headerEnd + 1;
}

interface Layout {
  /** The byte after the header line. */
  dataStart: number;
  size: number;
  /** Lines after the header: an upper bound on the rows. */
  lines: number;
  /** A line start near the middle, and the lines before it (only when no byte is a quote). */
  split?: { at: number; lines: number };
}

/** The first line start at or after `from`, if one comes within a megabyte. */
function lineStartAfter(path: string, from: number, size: number): number | undefined {
  const fd = openSync(path, 'r');
  try {
    const window = new Uint8Array(Math.min(1024 * 1024, size - from));
    const read = readSync(fd, window, 0, window.length, from);
    const at = window.subarray(0, read).indexOf(10);
    return at < 0 || from + at + 1 >= size ? undefined : from + at + 1;
  } finally {
    closeSync(fd);
  }
}

/**
 * Where the data starts, how many lines it has, and a line start near the middle for two
 * threads to scan from: the halves' lines are counted side by side, one in `helper`.
 */
async function layout(
  file: CsvFile,
  helper: PendingWorker<unknown> | undefined,
): Promise<Layout | undefined> {
  const { path } = file;
  const { size } = await stat(path);
  // A quote in the header could hide a line break: the table path reads such files.
  const dataStart = dataStartOf(file, size);
  if (dataStart === undefined) return undefined;
  const middle = helper
    ? lineStartAfter(path, dataStart + Math.floor((size - dataStart) / 2), size)
    : undefined;
  let lines: number;
  let split: Layout['split'];
  if (helper && middle !== undefined) {
    const request = { path, start: middle, end: size };
    const theirs = helper
      .ask<{ lines: number; quoted: boolean }>({ count: request })
      .catch(() => countLines(path, middle, size));
    const mine = countLines(path, dataStart, middle);
    const other = await theirs;
    lines = mine.lines + other.lines;
    if (!mine.quoted && !other.quoted) split = { at: middle, lines: mine.lines };
  } else lines = countLines(path, dataStart, size).lines;
  // A last line without a newline is a line too.
  if (size > dataStart) {
    const last = new Uint8Array(1);
    const fd = openSync(path, 'r');
    try {
      if (readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 10) lines++;
    } finally {
      closeSync(fd);
    }
  }
  return split ? { dataStart, size, lines, split } : { dataStart, size, lines };
}

/** Re-codes the rows a worker scanned into the main dictionary's codes. */
function mergeCodes(
  dictionary: Dictionary,
  theirs: { values: string[]; missing: boolean[] },
  codes: Int32Array,
  from: number,
  to: number,
): void {
  const encoder = new TextEncoder();
  const mapping = new Int32Array(theirs.values.length);
  theirs.values.forEach((value, code) => {
    const bytes = encoder.encode(value);
    let hash = 0x811c9dc5;
    for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193);
    mapping[code] = dictionary.intern(bytes, 0, bytes.length, hash >>> 0);
  });
  for (let i = from; i < to; i++) {
    const code = codes[i]!;
    if (code >= 0) codes[i] = mapping[code]!;
  }
}

/** DuckDB's columns and types for the file, from its sniffer's sample; undefined if it cannot tell. */
export async function sniff(
  db: Database,
  file: CsvFile,
): Promise<{ name: string; sqlType: string }[] | undefined> {
  try {
    // The sniffer reads only its sample: a small buffer saves DuckDB tens of megabytes and time.
    const options = [
      ...file.options.filter((o) => !o.startsWith('buffer_size')),
      `buffer_size = ${sniffBufferBytes}`,
    ];
    const rows = await db.rows(
      `DESCRIBE SELECT * FROM read_csv(${stringLiteral(file.path)}, ${options.join(', ')})`,
    );
    return rows.map((row) => ({ name: String(row.column_name), sqlType: String(row.column_type) }));
  } catch {
    return undefined;
  }
}

const plainNumber = /^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/;

/**
 * Which columns hold numbers, guessed from the first lines, so the scan can start while DuckDB
 * sniffs; its answer is checked against the guess afterwards. Undefined for a head that does not
 * parse as plain lines.
 */
export function guessKinds(file: CsvFile): ScanKind[] | undefined {
  let records: string[][];
  const text = file.head.whole
    ? file.head.text
    : file.head.text.slice(0, file.head.text.lastIndexOf('\n') + 1);
  // Without a quote, the lines split as csv-parse would split them (it costs tens of milliseconds to start).
  if (!text.includes('"'))
    records = text
      .split('\n', 200)
      .filter((line, i, lines) => i < lines.length - 1 || line !== '')
      .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line).split(file.delimiter));
  else
    try {
      records = parse(text, { delimiter: file.delimiter, relax_column_count: true, to: 200 }) as string[][];
    } catch {
      return undefined;
    }
  const [header, ...rows] = records;
  if (!header || rows.length === 0) return undefined;
  return header.map((_, c) => {
    const cells = rows.map((row) => row[c] ?? '').filter((cell) => !isMissing(cell));
    return cells.length > 0 && cells.every((cell) => plainNumber.test(cell)) ? 'number' : 'text';
  });
}

/** The kind DuckDB's type asks of the scan; undefined for a type the scan does not read. */
export const kindOf = (sqlType: string): ScanKind | undefined =>
  sqlType === 'DOUBLE' || sqlType === 'BIGINT' ? 'number' : sqlType === 'VARCHAR' ? 'text' : undefined;

/**
 * Reads a plain CSV file into columns, or returns undefined when it is not plain (a type DuckDB
 * alone reads, a cell that breaks its column's type, text that may be numbers with stray words,
 * quoting the scan does not follow): the caller then loads it as a table. A file that is no CSV
 * at all is the same error as on the table path.
 */
export async function readColumnar(
  db: Database,
  path: string,
  options: ColumnarOptions = {},
): Promise<ColumnarTable | 'too large' | undefined> {
  const file = await openCsv(db, path);
  const guessed = guessKinds(file);
  if (!guessed) return undefined;
  // DuckDB's first read of a CSV takes a while to start: it sniffs while the file is scanned on
  // the guess, and the scan counts only if DuckDB reads the columns the same way.
  const sniffing = sniff(db, file);
  sniffing.catch(() => {});
  const wantsHelper = options.parallel ?? (await stat(path)).size >= parallelBytes;
  if (wantsHelper && !options.helper) await prepareWorker(scanWorker);
  // Started before the bytes are counted, so the thread is up when its half is known.
  const helper = wantsHelper ? (options.helper ?? startWorker<unknown>(scanWorker)) : undefined;
  try {
    return await scanGuessed(file, guessed, sniffing, helper, options);
  } finally {
    if (helper !== options.helper) helper?.close();
  }
}

/** Memory for the columns of `lines` rows, and one more number column's worth to work in. */
export const bytesFor = (kinds: readonly ScanKind[], lines: number) =>
  lines * (8 + kinds.reduce((sum, kind) => sum + (kind === 'number' ? 8 : kind === 'text' ? 4 : 0), 0));

const scanWorker = new URL('./csv-scan-worker.ts', import.meta.url);

/** Scans the file on the guessed kinds, then keeps the scan if DuckDB's sniffer agrees with the guess. */
async function scanGuessed(
  file: CsvFile,
  guessed: readonly ScanKind[],
  sniffing: Promise<{ name: string; sqlType: string }[] | undefined>,
  offered: PendingWorker<unknown> | undefined,
  options: ColumnarOptions,
): Promise<ColumnarTable | 'too large' | undefined> {
  const names = fileHeader(file.head.text, file.delimiter, file.head.whole);
  if (!names || names.length !== guessed.length) return undefined;
  const kinds = guessed.map((kind, c) =>
    options.only && !options.only.includes(names[c]!.trim()) ? 'skip' : kind,
  );
  const shape = await layout(file, offered);
  if (!shape) return undefined;
  if (shape.lines === 0) return undefined;
  if (options.maxBytes !== undefined && bytesFor(kinds, shape.lines) > options.maxBytes) return 'too large';
  const scanned = await scanColumns(file, kinds, shape, shape.split ? offered : undefined, options.shared);
  const sniffed = await sniffing;
  if (!scanned || !sniffed || sniffed.length !== kinds.length) return undefined;
  // Every column asked for must have been read (DuckDB may have renamed a header the guess went by).
  for (const name of options.only ?? [])
    if ((kinds[sniffed.findIndex((column) => column.name === name)] ?? 'skip') === 'skip') return undefined;
  // The scan stands only where DuckDB reads each column as the guess did.
  for (const [c, column] of sniffed.entries()) {
    if (kinds[c] === 'skip') continue;
    if (kindOf(column.sqlType) !== kinds[c]) return undefined;
    if (column.sqlType === 'BIGINT' && !scanned.integral[c]) return undefined;
  }
  return finish(file, sniffed, kinds, scanned);
}

interface Scanned {
  rows: number;
  numbers: (Float64Array | undefined)[];
  codes: (Int32Array | undefined)[];
  dictionaries: (Dictionary | undefined)[];
  integral: Uint8Array;
}

/** Scans the whole file, the second half in `helper` if there is one; undefined if the file is not plain. */
async function scanColumns(
  file: CsvFile,
  kinds: ScanKind[],
  { dataStart, size, lines, split }: Layout,
  helper: PendingWorker<unknown> | undefined,
  sharedMemory: boolean | undefined,
): Promise<Scanned | undefined> {
  const { path } = file;
  const delimiter = file.delimiter.charCodeAt(0);
  const shared = helper !== undefined || sharedMemory;
  const capacity = lines;
  const numbers = kinds.map((kind) =>
    kind === 'number'
      ? new Float64Array(shared ? new SharedArrayBuffer(capacity * 8) : new ArrayBuffer(capacity * 8))
      : undefined,
  );
  const codes = kinds.map((kind) =>
    kind === 'text'
      ? new Int32Array(shared ? new SharedArrayBuffer(capacity * 4) : new ArrayBuffer(capacity * 4))
      : undefined,
  );
  const dictionaries = kinds.map((kind) => (kind === 'text' ? new Dictionary() : undefined));
  const integral = new Uint8Array(kinds.length).fill(1);
  const target: ScanTarget = { kinds, delimiter, numbers, codes, dictionaries, integral };
  let rows: number;
  try {
    if (helper && split) {
      const request: ScanRequest = {
        path,
        start: split.at,
        end: size,
        kinds,
        delimiter,
        numbers,
        codes,
        firstRow: split.lines,
        capacity,
      };
      // A worker that cannot start leaves its half to this thread.
      const elsewhere = helper.ask<ScanMessage>({ scan: request }).catch(() => scanPart(request));
      const here = scanFile(
        { path, start: dataStart, end: split.at, firstRow: 0, capacity: split.lines },
        target,
      );
      const there = await elsewhere;
      if ('irregular' in there || here !== split.lines) return undefined;
      there.dictionaries.forEach((theirs, c) => {
        if (theirs) mergeCodes(dictionaries[c]!, theirs, codes[c]!, split.lines, split.lines + there.rows);
      });
      there.integral.forEach((flag, c) => {
        if (!flag) integral[c] = 0;
      });
      rows = here + there.rows;
    } else rows = scanFile({ path, start: dataStart, end: size, firstRow: 0, capacity }, target);
  } catch (error) {
    if (error instanceof IrregularCsv) return undefined;
    throw error;
  }
  return rows === 0 ? undefined : { rows, numbers, codes, dictionaries, integral };
}

/** The table from the scanned columns, with the names and types DuckDB gives them. */
function finish(
  file: CsvFile,
  sniffed: readonly { name: string; sqlType: string }[],
  kinds: readonly ScanKind[],
  { rows, numbers, codes, dictionaries }: Scanned,
): ColumnarTable | undefined {
  const columns: ColumnarColumn[] = [];
  for (const [c, { name, sqlType }] of sniffed.entries()) {
    const kind = kinds[c]!;
    if (kind === 'skip') columns.push({ kind: 'skipped', name, sqlType });
    else if (kind === 'text') {
      const dictionary = dictionaries[c]!;
      const columnCodes = codes[c]!.subarray(0, rows);
      const counts = new Float64Array(dictionary.values.length);
      for (let i = 0; i < rows; i++) {
        const code = columnCodes[i]!;
        if (code >= 0) counts[code]!++;
      }
      if (mayBeNumbers(dictionary.values, counts)) return undefined;
      columns.push({
        kind: 'text',
        name,
        sqlType: 'VARCHAR',
        codes: columnCodes,
        values: dictionary.values,
        counts,
      });
    } else
      columns.push({
        kind: 'number',
        name,
        sqlType: sqlType === 'BIGINT' ? 'BIGINT' : 'DOUBLE',
        values: numbers[c]!.subarray(0, rows),
      });
  }
  return {
    source: basename(file.path),
    rows,
    columns,
    reading: renamedHeaders(
      file,
      sniffed.map((column) => column.name),
    ),
  };
}

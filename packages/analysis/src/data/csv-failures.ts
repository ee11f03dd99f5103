import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { formatCount } from '@cascade/core/contract';
import { parse } from 'csv-parse';

/**
 * Why a file could not be read, as one sentence a person can act on: what is wrong, where (the
 * line, counting the header as line 1), and what to do. DuckDB's own text never reaches them.
 */

/** The longest line DuckDB reads (its default, passed explicitly so both sides agree). */
export const maxLineBytes = 2_000_000;

export const delimiterNames: Record<string, string> = {
  ',': 'comma',
  ';': 'semicolon',
  '\t': 'tab',
  '|': 'pipe',
};

const saveAsCsv = 'save the data as CSV (text with a header row and one row per line) and try again';

/** File formats people upload by mistake, by their first bytes. */
const signatures: { bytes: number[]; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an Excel .xlsx workbook is one)' },
  { bytes: [0x1f, 0x8b], what: 'a gzip-compressed file' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an Excel .xls workbook or another Office document' },
];

/**
 * A sentence when the file's first bytes show it is not CSV text at all (an image, an archive,
 * UTF-16, JSON, HTML); undefined when it may be CSV.
 */
export function notCsv(head: Uint8Array, text: string): string | undefined {
  const starts = (bytes: number[]) => bytes.every((byte, i) => head[i] === byte);
  const known = signatures.find((signature) => starts(signature.bytes));
  if (known) return `The file is ${known.what}, not CSV text; ${saveAsCsv}.`;
  if (starts([0xff, 0xfe]) || starts([0xfe, 0xff]))
    return 'The file is UTF-16 text; save it as UTF-8 CSV and try again.';
  const zeros = head.subarray(0, 4096).filter((byte) => byte === 0).length;
  if (zeros > 0)
    return zeros * 3 >= Math.min(head.length, 4096)
      ? 'The file is UTF-16 text; save it as UTF-8 CSV and try again.'
      : `The file holds binary data, not CSV text; ${saveAsCsv}.`;
  const start = text.trimStart();
  if (/^(\{\s*("|\})|\[\s*[[{"\]])/.test(start)) return `The file is JSON, not CSV; ${saveAsCsv}.`;
  if (/^<(!doctype html|html)/i.test(start)) return `The file is an HTML page, not CSV; ${saveAsCsv}.`;
  if (/^<\?xml/i.test(start)) return `The file is XML, not CSV; ${saveAsCsv}.`;
  return undefined;
}

interface LineProblems {
  /** The first line longer than maxLineBytes, and its length in bytes. */
  long?: { line: number; bytes: number };
  /** The first line that is not valid UTF-8. */
  invalidUtf8?: number;
}

/** One pass over the file's bytes for the first line that is too long or not UTF-8. Runs only after a failed load. */
async function findLineProblems(path: string): Promise<LineProblems> {
  const found: LineProblems = {};
  let line = 1;
  let length = 0;
  // The current line's pieces (while it is short enough to check), and whether a piece came
  // from a chunk that is not UTF-8 as a whole: only such lines need a check of their own.
  let pieces: Buffer[] = [];
  let suspect = false;
  const add = (piece: Buffer, fromSuspectChunk: boolean) => {
    length += piece.length;
    suspect ||= fromSuspectChunk;
    if (length <= maxLineBytes) pieces.push(piece);
  };
  const endLine = () => {
    if (length > maxLineBytes) found.long ??= { line, bytes: length };
    else if (suspect && found.invalidUtf8 === undefined && !isUtf8(Buffer.concat(pieces)))
      found.invalidUtf8 = line;
    line++;
    length = 0;
    pieces = [];
    suspect = false;
  };
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    const invalid = !isUtf8(chunk);
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
      add(chunk.subarray(start, end), invalid);
      endLine();
      start = end + 1;
    }
    add(chunk.subarray(start), invalid);
    if (found.long && found.invalidUtf8 !== undefined) return found;
  }
  if (length > 0) endLine();
  return found;
}

/** The first line that breaks the CSV rules, in csv-parse's reading of the file. Runs only after a failed load. */
async function findCsvProblem(path: string, delimiter: string): Promise<string | undefined> {
  // The last line of the last complete record: an unclosed quote opens on a later line.
  let lastLine = 0;
  const records = createReadStream(path).pipe(
    parse({
      delimiter,
      bom: true,
      skip_empty_lines: true,
      on_record: (record, context) => {
        lastLine = context.lines;
        return record;
      },
    }),
  );
  const separated = `${delimiterNames[delimiter]}-separated`;
  try {
    for await (const _ of records);
  } catch (error) {
    const { code, lines, record } = error as { code?: string; lines?: number; record?: unknown[] };
    const message = (error as Error).message;
    switch (code) {
      case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
        const expected = /expect (\d+)/.exec(message)?.[1];
        return `Line ${formatCount(lines!)} has ${record?.length ?? 'a different number of'} fields but the header has ${expected}; every row needs one value per column (${separated}).`;
      }
      case 'CSV_QUOTE_NOT_CLOSED':
        return `A quoted value that opens on line ${formatCount(lastLine + 1)} is never closed, so the rest of the file reads as one value; close the quote (a quote inside a quoted value is written "").`;
      case 'CSV_INVALID_CLOSING_QUOTE':
        return `Line ${formatCount(lines!)} has text right after a closing quote; a quoted value must end where its field ends (a quote inside a quoted value is written "").`;
      case 'INVALID_OPENING_QUOTE':
        return `Line ${formatCount(lines!)} has a quote inside a value that does not start with one; quote the whole value and write each quote inside it as "".`;
      default:
        if (lines !== undefined)
          return `Line ${formatCount(lines)} is not valid ${separated} CSV; check its quotes and separators.`;
    }
  } finally {
    records.destroy();
  }
  return undefined;
}

/**
 * The sentence for a load DuckDB refused. Looks at the file itself, in order: a line too long
 * to be data, bytes that are not UTF-8, a line that breaks the CSV rules; else a general advice.
 */
export async function explainLoadFailure(path: string, delimiter: string): Promise<string> {
  const lines = await findLineProblems(path);
  if (lines.long)
    return `Line ${formatCount(lines.long.line)} is ${formatCount(lines.long.bytes)} bytes long, more than the ${formatCount(maxLineBytes)} a line may have; remove or fix that line (it does not look like a row of data).`;
  if (lines.invalidUtf8 !== undefined)
    return `The file is not valid UTF-8 text (line ${formatCount(lines.invalidUtf8)}); save it as UTF-8 CSV and try again.`;
  const problem = await findCsvProblem(path, delimiter);
  if (problem) return problem;
  return `The file could not be read as ${delimiterNames[delimiter]}-separated CSV; check that it is a table of text with a header row and the same number of values on every line.`;
}

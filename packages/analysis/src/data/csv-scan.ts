import { closeSync, openSync, readSync } from 'node:fs';
import { isMissing } from '@cascade/core/csv-format';

/**
 * A byte-level CSV scanner for the common case, straight into typed arrays: numbers into
 * Float64Array columns (NaN where missing), text into dictionary codes (-1 where missing). It
 * handles what DuckDB read the file as (columns sniffed as DOUBLE, BIGINT or VARCHAR) and only
 * plain cells; anything else (a value that breaks its column's type, an infinite number, a
 * ragged or blank line, text with surrounding spaces or bytes that are not UTF-8) makes it give
 * up with a reason, and the caller reads the file through DuckDB instead, which knows every
 * case. Numbers are parsed to the correctly rounded double, as DuckDB parses them.
 */

export type ScanKind = 'number' | 'text' | 'skip';

/** Why the scan gave up: the caller falls back to DuckDB, which reads (or explains) every file. */
export class IrregularCsv extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const quote = 34;
const newline = 10;
const carriage = 13;
/**
 * Digits whose value stays below this were summed exactly; at or above it the sum may have been
 * rounded (2^53 + 1 sums to 2^53), so the text goes to Number, which rounds once.
 */
const exactMantissaBound = 2 ** 53;
const powersOfTen = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The distinct texts of a column, each with a code in order of first appearance. Keys are kept
 * as their UTF-8 bytes and compared byte for byte, so a repeated value costs a hash and a compare,
 * never a string.
 */
export class Dictionary {
  values: string[] = [];
  /** Codes of texts that are missing markers: their cells are missing, not values. */
  missing: boolean[] = [];
  private slots = new Int32Array(1024);
  private hashes = new Uint32Array(512);
  private starts = new Int32Array(512);
  private lengths = new Int32Array(512);
  private arena = new Uint8Array(64 * 1024);
  private used = 0;

  /** The code of bytes[start, end), whose hash is `hash`; -1 for a missing marker. */
  intern(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    const length = end - start;
    let slot = hash & mask;
    for (;;) {
      const held = this.slots[slot]! - 1;
      if (held < 0) break;
      if (this.hashes[held] === hash && this.lengths[held] === length) {
        const at = this.starts[held]!;
        let same = true;
        for (let i = 0; i < length; i++)
          if (this.arena[at + i] !== bytes[start + i]) {
            same = false;
            break;
          }
        if (same) return this.missing[held] ? -1 : held;
      }
      slot = (slot + 1) & mask;
    }
    return this.add(bytes, start, end, hash, slot);
  }

  private add(bytes: Uint8Array, start: number, end: number, hash: number, slot: number): number {
    let text: string;
    try {
      text = utf8.decode(bytes.subarray(start, end));
    } catch {
      throw new IrregularCsv('a value is not UTF-8');
    }
    const code = this.values.length;
    if (code === this.hashes.length) {
      const grow = <T extends Int32Array | Uint32Array>(old: T, make: (n: number) => T) => {
        const next = make(old.length * 2);
        next.set(old);
        return next;
      };
      this.hashes = grow(this.hashes, (n) => new Uint32Array(n));
      this.starts = grow(this.starts, (n) => new Int32Array(n));
      this.lengths = grow(this.lengths, (n) => new Int32Array(n));
    }
    const length = end - start;
    if (this.used + length > this.arena.length) {
      const next = new Uint8Array(Math.max(this.arena.length * 2, this.used + length));
      next.set(this.arena.subarray(0, this.used));
      this.arena = next;
    }
    this.arena.set(bytes.subarray(start, end), this.used);
    this.starts[code] = this.used;
    this.lengths[code] = length;
    this.hashes[code] = hash;
    this.used += length;
    this.values.push(text);
    const missing = isMissing(text);
    this.missing.push(missing);
    this.slots[slot] = code + 1;
    if (2 * this.values.length > this.slots.length) this.rehash();
    return missing ? -1 : code;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let code = 0; code < this.values.length; code++) {
      let slot = this.hashes[code]! & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = code + 1;
    }
  }
}

export interface ScanTarget {
  kinds: readonly ScanKind[];
  delimiter: number;
  /** One array per number column, else undefined; written from row `firstRow` on. */
  numbers: readonly (Float64Array | undefined)[];
  /** One array per text column, else undefined. */
  codes: readonly (Int32Array | undefined)[];
  dictionaries: readonly (Dictionary | undefined)[];
  /** Per column: 1 while every number in it is written as a whole number within 2^53. */
  integral: Uint8Array;
}

/** A cell of a number column that is not a plain number: missing if it is a marker, else the scan gives up. */
function otherNumberCell(bytes: Uint8Array, start: number, end: number): number {
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(start, end));
  } catch {
    throw new IrregularCsv('a value is not UTF-8');
  }
  if (isMissing(text)) return Number.NaN;
  throw new IrregularCsv(`"${text.slice(0, 40)}" is not a plain number`);
}

/**
 * Parses a number from bytes[start, end): [+-]digits[.digits][(e|E)[+-]digits]. Below 2^53 in
 * the digits and up to 22 in the power of ten, one correctly rounded multiplication or division
 * gives the double (Clinger's fast path); beyond, the text goes to Number, which rounds correctly
 * too. `integral` is cleared at a cell that is not written as a whole number below 2^53 (which
 * the scan could not tell from its neighbours, as DuckDB's BIGINT can).
 */
function parseNumber(
  bytes: Uint8Array,
  start: number,
  end: number,
  integral: Uint8Array,
  column: number,
): number {
  let p = start;
  let negative = false;
  // A leading plus makes DuckDB's sniffer read the column as text: not a plain number here.
  if (bytes[p] === 45) {
    negative = true;
    p++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let exact = true;
  while (p < end && isDigit(bytes[p]!)) {
    mantissa = mantissa * 10 + (bytes[p]! - 48);
    digits++;
    p++;
  }
  if (p < end && bytes[p] === 46) {
    integral[column] = 0;
    p++;
    while (p < end && isDigit(bytes[p]!)) {
      mantissa = mantissa * 10 + (bytes[p]! - 48);
      digits++;
      scale--;
      p++;
    }
  }
  if (digits === 0) return otherNumberCell(bytes, start, end);
  if (p < end && (bytes[p] === 101 || bytes[p] === 69)) {
    integral[column] = 0;
    p++;
    let exponentNegative = false;
    if (bytes[p] === 45 || bytes[p] === 43) {
      exponentNegative = bytes[p] === 45;
      p++;
    }
    let exponent = 0;
    const from = p;
    while (p < end && isDigit(bytes[p]!)) {
      if (exponent < 100_000) exponent = exponent * 10 + (bytes[p]! - 48);
      p++;
    }
    if (p === from) return otherNumberCell(bytes, start, end);
    scale += exponentNegative ? -exponent : exponent;
    exact = false;
  }
  if (p !== end) return otherNumberCell(bytes, start, end);
  if (mantissa >= exactMantissaBound) {
    integral[column] = 0;
    exact = false;
  }
  let value: number;
  if (exact || (mantissa < exactMantissaBound && scale >= -22 && scale <= 22))
    value = scale >= 0 ? mantissa * powersOfTen[scale]! : mantissa / powersOfTen[-scale]!;
  else value = Number(String.fromCharCode(...bytes.subarray(start, end)));
  if (!Number.isFinite(value)) throw new IrregularCsv('an infinite number');
  return negative ? -value : value;
}

const isDigit = (byte: number) => byte >= 48 && byte <= 57;

/** FNV-1a over bytes[start, end). */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

const chunkBytes = 1024 * 1024;
const skip = 0;
const number = 1;
const text = 2;
const kindCodes: Record<ScanKind, number> = { skip, number, text };

/**
 * Reads lines out of a buffer that ends in a newline sentinel (at `filled`), so every loop stops
 * at a line's end without a bounds check; a line that runs into the sentinel before the data ends
 * is incomplete, and the caller refills the buffer from its start.
 */
class Scanner {
  /** One byte longer than the data it holds, for the sentinel. */
  buffer: Uint8Array = new Uint8Array(chunkBytes + 1);
  filled = 0;
  atEnd = false;
  row = 0;
  private readonly kinds: Uint8Array;
  private readonly delimiter: number;
  // Every column has an array (an empty one where it holds no such cells), so the loads stay monomorphic.
  private readonly numbers: readonly Float64Array[];
  private readonly codes: readonly Int32Array[];
  private readonly dictionaries: readonly (Dictionary | undefined)[];
  private readonly integral: Uint8Array;
  private scratch: Uint8Array = new Uint8Array(1024);
  private unescapedLength = 0;

  constructor(target: ScanTarget) {
    this.kinds = Uint8Array.from(target.kinds, (kind) => kindCodes[kind]);
    this.delimiter = target.delimiter;
    this.numbers = target.numbers.map((column) => column ?? noNumbers);
    this.codes = target.codes.map((column) => column ?? noCodes);
    this.dictionaries = target.dictionaries;
    this.integral = target.integral;
  }

  /** Whether the line has run into the end of the data here before it ended (so more must be read). */
  private cut(q: number): boolean {
    return q >= this.filled && !this.atEnd;
  }

  /** Parses the line at p into row `this.row`; returns where the next line starts, or -1 if this one is incomplete. */
  line(p: number): number {
    const { buffer, kinds, delimiter } = this;
    const width = kinds.length;
    const row = this.row;
    let q = p;
    if (buffer[q] === newline || (buffer[q] === carriage && buffer[q + 1] === newline)) {
      if (this.cut(q)) return -1;
      throw new IrregularCsv('a blank line');
    }
    for (let c = 0; c < width; c++) {
      if (c > 0) {
        if (buffer[q] !== delimiter) {
          if (this.cut(q)) return -1;
          throw new IrregularCsv('a line with too few cells');
        }
        q++;
      }
      const kind = kinds[c]!;
      let b = buffer[q]!;
      if (b === quote) {
        q = this.quoted(q, c, kind);
        if (q < 0) return -1;
        continue;
      }
      const start = q;
      if (kind === number) {
        // The common case in one pass: digits, maybe a point and more digits, up to the cell's end.
        const negative = b === 45;
        if (negative) b = buffer[++q]!;
        let mantissa = 0;
        let digits = 0;
        let scale = 0;
        while (b >= 48 && b <= 57) {
          mantissa = mantissa * 10 + (b - 48);
          digits++;
          b = buffer[++q]!;
        }
        if (b === 46) {
          this.integral[c] = 0;
          b = buffer[++q]!;
          while (b >= 48 && b <= 57) {
            mantissa = mantissa * 10 + (b - 48);
            digits++;
            scale++;
            b = buffer[++q]!;
          }
        }
        if (
          digits > 0 &&
          mantissa < exactMantissaBound &&
          scale <= 22 &&
          (b === delimiter || b === newline || (b === carriage && buffer[q + 1] === newline)) &&
          q < this.filled
        ) {
          const value = scale === 0 ? mantissa : mantissa / powersOfTen[scale]!;
          this.numbers[c]![row] = negative ? -value : value;
          continue;
        }
        // Anything else (an empty cell, an exponent, a marker, a word): find the cell's end and look closer.
        q = this.cellEnd(start);
        if (q < 0) return -1;
        const end = this.trimmedEnd(start, q);
        this.numbers[c]![row] =
          end === start ? Number.NaN : parseNumber(buffer, start, end, this.integral, c);
        continue;
      }
      q = kind === text ? this.textCell(start, c) : this.cellEnd(start);
      if (q < 0) return -1;
    }
    if (buffer[q] === carriage && buffer[q + 1] === newline) q++;
    if (buffer[q] !== newline) throw new IrregularCsv('a line with too many cells');
    if (q >= this.filled) {
      // The sentinel: the data ends without a newline.
      if (!this.atEnd) return -1;
    }
    this.row++;
    return q + 1;
  }

  /** The end of an unquoted cell starting at `start` (its delimiter or newline), or -1 if the data runs out first. */
  private cellEnd(start: number): number {
    const { buffer, delimiter } = this;
    let q = start;
    for (;;) {
      const b = buffer[q]!;
      if (b === delimiter || b === newline) break;
      if (b === quote) throw new IrregularCsv('a quote inside a cell');
      if (b === carriage && buffer[q + 1] !== newline) throw new IrregularCsv('a lone carriage return');
      q++;
    }
    return this.cut(q) ? -1 : q;
  }

  /**
   * Reads the unquoted text cell at `start` into column c, hashing its bytes as it finds its end;
   * returns its end, or -1 if the data runs out first.
   */
  private textCell(start: number, c: number): number {
    const { buffer, delimiter } = this;
    let q = start;
    let hash = 0x811c9dc5;
    for (;;) {
      const b = buffer[q]!;
      if (b === delimiter || b === newline) break;
      if (b === quote) throw new IrregularCsv('a quote inside a cell');
      if (b === carriage) {
        if (buffer[q + 1] === newline) break;
        throw new IrregularCsv('a lone carriage return');
      }
      hash = Math.imul(hash ^ b, 0x01000193);
      q++;
    }
    if (this.cut(q)) return -1;
    if (q > start && (isSpace(buffer[start]!) || isSpace(buffer[q - 1]!)))
      throw new IrregularCsv('text with surrounding spaces');
    this.codes[c]![this.row] = this.dictionaries[c]!.intern(buffer, start, q, hash >>> 0);
    return buffer[q] === carriage ? q + 1 : q;
  }

  /** A cell's end without the carriage return of a CRLF line ending. */
  private trimmedEnd(start: number, end: number): number {
    return end > start && this.buffer[end - 1] === carriage ? end - 1 : end;
  }

  /** Reads the quoted cell at q into column c; returns the position after it, or -1 if the data runs out first. */
  private quoted(q: number, c: number, kind: number): number {
    const { buffer } = this;
    let r = q + 1;
    let escaped = false;
    for (;;) {
      if (r >= this.filled) {
        if (this.atEnd) throw new IrregularCsv('an unterminated quote');
        return -1;
      }
      if (buffer[r] === quote) {
        if (r + 1 >= this.filled && !this.atEnd) return -1;
        if (buffer[r + 1] !== quote) break;
        escaped = true;
        r += 2;
      } else r++;
    }
    let bytes = buffer;
    let start = q + 1;
    let end = r;
    if (escaped) {
      bytes = this.unescaped(q + 1, r);
      start = 0;
      end = this.unescapedLength;
    }
    const after = r + 1;
    const b = buffer[after];
    if (b !== this.delimiter && b !== newline && !(b === carriage && buffer[after + 1] === newline))
      throw new IrregularCsv('text after a closing quote');
    if (kind === number)
      this.numbers[c]![this.row] =
        end === start ? Number.NaN : parseNumber(bytes, start, end, this.integral, c);
    else if (kind === text)
      this.codes[c]![this.row] = this.dictionaries[c]!.intern(
        bytes,
        start,
        end,
        hashBytes(bytes, start, end),
      );
    return after;
  }

  /** A quoted cell's content with each doubled quote made one, in a scratch buffer. */
  private unescaped(start: number, end: number): Uint8Array {
    if (this.scratch.length < end - start) this.scratch = new Uint8Array(2 * (end - start));
    let out = 0;
    for (let i = start; i < end; i++) {
      this.scratch[out++] = this.buffer[i]!;
      if (this.buffer[i] === quote) i++;
    }
    this.unescapedLength = out;
    return this.scratch;
  }
}

const isSpace = (b: number) => b === 32 || b === 9;
const noNumbers = new Float64Array(0);
const noCodes = new Int32Array(0);

/** Where a scan reads: the lines in bytes [start, end) of the file (each starting a line), into rows `firstRow` to `capacity`. */
interface ScanRange {
  path: string;
  start: number;
  end: number;
  firstRow: number;
  capacity: number;
}

/**
 * Scans the lines of a range into the target; returns the number of rows read and the byte at
 * which the first line not read (for want of capacity) starts: `end` when all were.
 */
export function scanLines(
  { path, start, end, firstRow, capacity }: ScanRange,
  target: ScanTarget,
): { rows: number; next: number } {
  const scanner = new Scanner(target);
  scanner.row = firstRow;
  const fd = openSync(path, 'r');
  // The file position of buffer[0].
  let base = start;
  let position = start;
  try {
    for (;;) {
      if (scanner.filled === scanner.buffer.length - 1) {
        // A line longer than the buffer: make room for it.
        const larger = new Uint8Array(2 * scanner.buffer.length - 1);
        larger.set(scanner.buffer);
        scanner.buffer = larger;
      }
      const wanted = Math.min(scanner.buffer.length - 1 - scanner.filled, end - position);
      const read = wanted > 0 ? readSync(fd, scanner.buffer, scanner.filled, wanted, position) : 0;
      position += read;
      scanner.filled += read;
      scanner.buffer[scanner.filled] = newline;
      scanner.atEnd = position >= end || read === 0;
      let p = 0;
      while (p < scanner.filled) {
        if (scanner.row >= capacity) return { rows: scanner.row - firstRow, next: base + p };
        const next = scanner.line(p);
        if (next < 0) break;
        p = next;
      }
      if (scanner.atEnd) break;
      // Keep the unfinished line for the next read.
      scanner.buffer.copyWithin(0, p, scanner.filled);
      scanner.filled -= p;
      base += p;
    }
  } finally {
    closeSync(fd);
  }
  return { rows: scanner.row - firstRow, next: end };
}

/** Scans all the lines of a range into the target; more rows than its capacity is irregular. */
export function scanFile(range: ScanRange, target: ScanTarget): number {
  const { rows, next } = scanLines(range, target);
  if (next < range.end) throw new IrregularCsv('more rows than lines');
  return rows;
}

/** What a worker scanning part of the file sends back: its texts by its own codes, or why it gave up. */
export type ScanMessage =
  | { rows: number; dictionaries: ({ values: string[]; missing: boolean[] } | null)[]; integral: Uint8Array }
  | { irregular: string };

export interface ScanRequest extends ScanRange {
  kinds: ScanKind[];
  delimiter: number;
  numbers: (Float64Array | undefined)[];
  codes: (Int32Array | undefined)[];
}

/** Scans a part of the file as a worker does: its own dictionaries, codes in the shared arrays. */
export function scanPart(request: ScanRequest): ScanMessage {
  const dictionaries = request.kinds.map((kind) => (kind === 'text' ? new Dictionary() : undefined));
  const integral = new Uint8Array(request.kinds.length).fill(1);
  try {
    const rows = scanFile(request, { ...request, dictionaries, integral });
    return {
      rows,
      dictionaries: dictionaries.map((d) => (d ? { values: d.values, missing: d.missing } : null)),
      integral,
    };
  } catch (error) {
    if (error instanceof IrregularCsv) return { irregular: error.message };
    throw error;
  }
}

/** Newlines in bytes [start, end) of the file, and whether any byte there is a quote. */
export function countLines(path: string, start: number, end: number): { lines: number; quoted: boolean } {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(chunkBytes);
    const words = new Uint32Array(buffer.buffer, buffer.byteOffset, chunkBytes / 4);
    let lines = 0;
    let quoted = false;
    for (let position = start; position < end; ) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, end - position), position);
      if (read === 0) break;
      // Buffer's search is the C library's; a typed array's looks at each byte in turn.
      if (!quoted && buffer.subarray(0, read).indexOf(quote) >= 0) quoted = true;
      lines += newlinesIn(buffer, words, read);
      position += read;
    }
    return { lines, quoted };
  } finally {
    closeSync(fd);
  }
}

/**
 * Newline bytes among the first `length` of `bytes` (`words` the same memory), four at a time: a
 * byte of w ^ 0x0a0a0a0a is zero exactly where a newline is, and the classic bit trick sets the
 * top bit of each zero byte (without the carries of the shorter one that can misfire), which a
 * multiplication then counts.
 */
function newlinesIn(bytes: Uint8Array, words: Uint32Array, length: number): number {
  let count = 0;
  const whole = length >>> 2;
  for (let i = 0; i < whole; i++) {
    const v = words[i]! ^ 0x0a0a0a0a;
    const zero = ~(((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v | 0x7f7f7f7f);
    count += Math.imul((zero >>> 7) & 0x01010101, 0x01010101) >>> 24;
  }
  for (let i = whole << 2; i < length; i++) if (bytes[i] === newline) count++;
  return count;
}

export interface CountRequest {
  path: string;
  start: number;
  end: number;
}

/** A scan helper's jobs: count the lines of a part of the file, then scan it. */
export type ScanJob = { count: CountRequest } | { scan: ScanRequest };

export function scanJob(job: ScanJob): ScanMessage | { lines: number; quoted: boolean } {
  return 'count' in job ? countLines(job.count.path, job.count.start, job.count.end) : scanPart(job.scan);
}

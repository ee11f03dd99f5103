import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Columns of doubles on disk, for data larger than the memory the analysis may use: each column
 * is a file of its values in row order (NaN where missing), written once and then read in chunks
 * as often as a statistic needs. Files live in a private temporary directory, removed with it,
 * and a writer still open then (the analysis failed while writing) is closed first.
 */
export class SpillDirectory {
  readonly path = mkdtempSync(join(tmpdir(), 'cascade-spill-'));
  private count = 0;
  private readonly open = new Set<ColumnWriter>();

  /** A new column file in this directory. */
  column(): ColumnWriter {
    return new ColumnWriter(join(this.path, `column-${this.count++}.f64`), this.open);
  }

  remove(): void {
    for (const writer of this.open) writer.close();
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Appends values to a column file. */
export class ColumnWriter {
  private readonly fd: number;
  length = 0;

  constructor(
    readonly path: string,
    private readonly open: Set<ColumnWriter>,
  ) {
    this.fd = openSync(path, 'w');
    open.add(this);
  }

  append(values: Float64Array): void {
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    for (let written = 0; written < bytes.length; )
      written += writeSync(this.fd, bytes, written, bytes.length - written);
    this.length += values.length;
  }

  /** Ends writing; closing again does nothing. */
  close(): void {
    if (!this.open.delete(this)) return;
    closeSync(this.fd);
  }
}

/**
 * Reads a column file's values [from, to) into `into` (as many as fit), returning how many were
 * read. The caller's buffer is reused from read to read.
 */
export function readColumn(path: string, from: number, to: number, into: Float64Array): number {
  const fd = openSync(path, 'r');
  try {
    const count = Math.min(into.length, to - from);
    const bytes = new Uint8Array(into.buffer, into.byteOffset, count * 8);
    let read = 0;
    while (read < bytes.length) {
      const got = readSync(fd, bytes, read, bytes.length - read, from * 8 + read);
      if (got === 0) break;
      read += got;
    }
    return Math.floor(read / 8);
  } finally {
    closeSync(fd);
  }
}

let chunkBuffer: Float64Array | undefined;

/** Calls `each(chunk)` for consecutive chunks of a column file of `length` values, `chunkValues` at a time. */
export function forEachChunk(
  path: string,
  length: number,
  chunkValues: number,
  each: (chunk: Float64Array, start: number) => void,
): void {
  const size = Math.max(1, Math.min(chunkValues, length));
  // One buffer per thread, reused by every pass over every file.
  if (!chunkBuffer || chunkBuffer.length < size) chunkBuffer = new Float64Array(size);
  const buffer = chunkBuffer.subarray(0, size);
  for (let start = 0; start < length; ) {
    const read = readColumn(path, start, length, buffer);
    if (read === 0) throw new Error(`Column file ${path} ended early`);
    each(buffer.subarray(0, read), start);
    start += read;
  }
}

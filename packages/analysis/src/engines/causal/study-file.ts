import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SpillDirectory } from '../../data/spill';

/**
 * A study too large for memory, on disk: its complete rows in blocks, each block the outcome,
 * the treatment and the covariates of up to `blockRows` rows, one column after the other. The
 * estimators stream it a block at a time (stream-estimate.ts), as often as they need, so memory
 * holds one block whatever the number of rows.
 */

/** One block of rows: views into a buffer reused from block to block. */
export interface StudyBlock {
  rows: number;
  /** Index of the block's first row among all rows. */
  start: number;
  y: Float64Array;
  t: Float64Array;
  covariates: Float64Array[];
}

export class StudyFile {
  readonly path: string;
  readonly width: number;
  private readonly fd: number;
  private readonly buffer: Float64Array;
  private filled = 0;
  private blocks = 0;
  /** Complete rows written, and of them treated. */
  n = 0;
  treated = 0;

  constructor(
    spill: SpillDirectory,
    readonly covariateCount: number,
    readonly blockRows = 1 << 16,
  ) {
    this.path = join(spill.path, 'study.f64');
    this.width = covariateCount + 2;
    this.fd = openSync(this.path, 'w');
    this.buffer = new Float64Array(this.blockRows * this.width);
  }

  /** Appends one row: its outcome, treatment and covariates. */
  push(y: number, t: number, covariates: ArrayLike<number>): void {
    const { buffer, blockRows, filled } = this;
    buffer[filled] = y;
    buffer[blockRows + filled] = t;
    for (let j = 0; j < this.covariateCount; j++) buffer[(j + 2) * blockRows + filled] = covariates[j]!;
    this.n++;
    this.treated += t;
    if (++this.filled === blockRows) this.flush();
  }

  private flush(): void {
    if (this.filled === 0) return;
    // A short last block is written whole; only its first `filled` rows count.
    const bytes = new Uint8Array(this.buffer.buffer, 0, this.buffer.byteLength);
    for (let written = 0; written < bytes.length; )
      written += writeSync(
        this.fd,
        bytes,
        written,
        bytes.length - written,
        this.blocks * bytes.length + written,
      );
    this.blocks++;
    this.filled = 0;
  }

  /** Ends writing; the file is then read with forEachBlock. */
  close(): void {
    const last = this.filled;
    this.flush();
    this.lastRows = last === 0 ? this.blockRows : last;
    closeSync(this.fd);
  }

  private lastRows = 0;

  /** Calls `each` with every block in row order. */
  forEachBlock(each: (block: StudyBlock) => void): void {
    const fd = openSync(this.path, 'r');
    const buffer = new Float64Array(this.blockRows * this.width);
    const bytes = new Uint8Array(buffer.buffer);
    try {
      for (let b = 0; b < this.blocks; b++) {
        for (let read = 0; read < bytes.length; ) {
          const got = readSync(fd, bytes, read, bytes.length - read, b * bytes.length + read);
          if (got === 0) throw new Error(`The study file ${this.path} ended early`);
          read += got;
        }
        const rows = b === this.blocks - 1 ? this.lastRows : this.blockRows;
        const view = (j: number) => buffer.subarray(j * this.blockRows, j * this.blockRows + rows);
        each({
          rows,
          start: b * this.blockRows,
          y: view(0),
          t: view(1),
          covariates: Array.from({ length: this.covariateCount }, (_, j) => view(j + 2)),
        });
      }
    } finally {
      closeSync(fd);
    }
  }
}

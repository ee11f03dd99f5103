import { closeSync, openSync, readSync } from 'node:fs';
import type { ColumnWriter, SpillDirectory } from '../../data/spill';
import type { RowRange, StudyBlock, StudyRows } from './study-rows';

/**
 * A study too large for memory, on disk: its complete rows in blocks, each block the outcome, the
 * treatment and the covariates of up to `blockRows` rows, one column after the other. The
 * estimators read it a block at a time (study-rows.ts), as often as they need, so memory holds
 * one block whatever the number of rows.
 */

/** Where the blocks are and what they hold: all another thread needs to read the file. */
export interface StudyFileLayout {
  path: string;
  covariateCount: number;
  blockRows: number;
  blocks: number;
  /** Rows in the last block. */
  lastRows: number;
  n: number;
  treated: number;
}

/** Writes a study file a row at a time. */
export class StudyFile {
  private readonly writer: ColumnWriter;
  private readonly width: number;
  private readonly buffer: Float64Array;
  private filled = 0;
  private blocks = 0;
  /** Complete rows written, and of them treated. */
  n = 0;
  treated = 0;

  /** `blockRows` must be a whole number of chunks (study-rows.ts) for sums to match the in-memory ones. */
  constructor(
    spill: SpillDirectory,
    readonly covariateCount: number,
    readonly blockRows: number,
  ) {
    this.writer = spill.column();
    this.width = covariateCount + 2;
    this.buffer = new Float64Array(blockRows * this.width);
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

  /** A short last block is written whole; only its first rows count. */
  private flush(): void {
    if (this.filled === 0) return;
    this.writer.append(this.buffer);
    this.blocks++;
    this.filled = 0;
  }

  /** Ends writing: the rows as written, to read with openStudyFile. */
  close(): StudyFileLayout {
    const last = this.filled;
    this.flush();
    this.writer.close();
    return {
      path: this.writer.path,
      covariateCount: this.covariateCount,
      blockRows: this.blockRows,
      blocks: this.blocks,
      lastRows: last === 0 ? this.blockRows : last,
      n: this.n,
      treated: this.treated,
    };
  }
}

/** The rows of a study file, read a block at a time into one buffer. */
export function openStudyFile(layout: StudyFileLayout): StudyRows {
  const { path, covariateCount, blockRows, blocks, lastRows } = layout;
  const width = covariateCount + 2;
  let buffer: Float64Array | undefined;
  return {
    n: layout.n,
    treated: layout.treated,
    covariateCount,
    source: { file: layout },
    forEachBlock(each: (block: StudyBlock) => void, [from, to]: RowRange = [0, layout.n]): void {
      if (from >= to) return;
      buffer ??= new Float64Array(blockRows * width);
      const bytes = new Uint8Array(buffer.buffer);
      const fd = openSync(path, 'r');
      try {
        for (let b = Math.floor(from / blockRows); b < Math.min(blocks, Math.ceil(to / blockRows)); b++) {
          for (let read = 0; read < bytes.length; ) {
            const got = readSync(fd, bytes, read, bytes.length - read, b * bytes.length + read);
            if (got === 0) throw new Error(`The study file ${path} ended early`);
            read += got;
          }
          const rows = b === blocks - 1 ? lastRows : blockRows;
          const view = (j: number) => buffer!.subarray(j * blockRows, j * blockRows + rows);
          each({
            rows,
            start: b * blockRows,
            y: view(0),
            t: view(1),
            covariates: Array.from({ length: covariateCount }, (_, j) => view(j + 2)),
          });
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}

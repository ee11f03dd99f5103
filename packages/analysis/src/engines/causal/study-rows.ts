import { openStudyFile, type StudyFileLayout } from './study-file';

/**
 * The rows of a study as every estimator reads them: a block at a time, in row order, as often
 * as it needs. The rows are held in memory (views of the columns) or in a file on disk
 * (study-file.ts), and the estimators are written once over this. Each sums its rows in chunks of
 * `chunkRows` counted from the first row, and blocks are whole numbers of chunks, so an estimate
 * is the same to the last bit wherever its rows are held and however they are blocked. A pass
 * over the rows runs as ranges of chunks (passes.ts), which two threads take in turn.
 */

/** One block of rows: views that are valid during the call they are handed to. */
export interface StudyBlock {
  rows: number;
  /** Index of the block's first row among all rows. */
  start: number;
  y: Float64Array;
  t: Float64Array;
  covariates: Float64Array[];
}

/** The study's columns in memory: outcome, treatment (0/1) and the design's covariates. */
export interface StudyColumns {
  y: Float64Array;
  t: Float64Array;
  covariates: Float64Array[];
}

/** How another thread reads the same rows: the columns (shared memory reaches it without a copy), or the file. */
export type StudySource = { columns: StudyColumns } | { file: StudyFileLayout };

/** Rows [from, to). */
export type RowRange = readonly [number, number];

export interface StudyRows {
  readonly n: number;
  readonly treated: number;
  readonly covariateCount: number;
  readonly source: StudySource;
  /** Calls `each` with every block that holds rows of `range` (all by default), in row order. */
  forEachBlock(each: (block: StudyBlock) => void, range?: RowRange): void;
}

/** Rows per chunk: what every kernel sums at a time, a chunk of each column staying in cache. */
export const chunkRows = 512;
/** Rows per block of a study in memory (a whole number of chunks, as a study file's blocks are). */
const memoryBlockRows = 1 << 16;

/** A study whose columns are in memory. */
export function columnRows(columns: StudyColumns): StudyRows {
  const { y, t, covariates } = columns;
  const n = y.length;
  let treated: number | undefined;
  return {
    n,
    get treated() {
      if (treated === undefined) {
        treated = 0;
        for (let i = 0; i < n; i++) treated += t[i]!;
      }
      return treated;
    },
    covariateCount: covariates.length,
    source: { columns },
    forEachBlock(each, [from, to] = [0, n]) {
      for (let start = from - (from % memoryBlockRows); start < to; start += memoryBlockRows) {
        const end = Math.min(n, start + memoryBlockRows);
        each({
          rows: end - start,
          start,
          y: y.subarray(start, end),
          t: t.subarray(start, end),
          covariates: covariates.map((x) => x.subarray(start, end)),
        });
      }
    },
  };
}

/** The rows a source names, in this thread. */
export function studyRows(source: StudySource): StudyRows {
  return 'columns' in source ? columnRows(source.columns) : openStudyFile(source.file);
}

/** A pass over the rows runs as this many ranges of whole chunks, which threads take in turn (passes.ts). */
export const passRanges = 16;

/** The rows of range `index` of a pass: chunks [index·c/R, (index + 1)·c/R) of the c chunks. */
export function rangeOf(n: number, index: number): RowRange {
  const chunks = Math.ceil(n / chunkRows);
  const chunkAt = (i: number) => Math.floor((i * chunks) / passRanges);
  return [chunkAt(index) * chunkRows, Math.min(n, chunkAt(index + 1) * chunkRows)];
}

/**
 * Calls `each` with every chunk of the rows in `range` (chunk-aligned; all rows by default), in
 * row order: rows [from, from + length) of the block.
 */
export function forEachChunk(
  rows: StudyRows,
  each: (block: StudyBlock, from: number, length: number) => void,
  range: RowRange = [0, rows.n],
): void {
  const [low, high] = range;
  rows.forEachBlock((block) => {
    const first = Math.max(low - block.start, 0);
    const last = Math.min(high - block.start, block.rows);
    for (let from = first; from < last; from += chunkRows)
      each(block, from, Math.min(chunkRows, last - from));
  }, range);
}

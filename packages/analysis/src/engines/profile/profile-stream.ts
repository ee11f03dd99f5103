import { planStream, streamBatches } from '../../data/csv-stream';
import type { Database } from '../../data/database';
import { type ColumnWriter, readColumn, SpillDirectory } from '../../data/spill';
import type { PendingWorker } from '../../parallel/worker';
import type { ColumnStats } from './column-stats';
import { correlationBlockRows, PairwiseCorrelation } from './correlation';
import { PresentSum } from './moments';
import { maxCorrelationColumns } from './profile';
import { type AssembledColumn, assembleProfile } from './profile-columns';
import { describeSpilled, type SpilledColumn } from './spilled-stats';
import type { ProfileResult } from './types';

/**
 * The profile of a plain CSV file larger than the memory it may use, in bounded memory: the file
 * is read a batch of rows at a time (data/csv-stream.ts); each numeric column is written to its
 * own file on disk as it goes, with its count and compensated sum; then each column is described
 * from its file (spilled-stats.ts: whole if it fits, else in passes over ranges of its values),
 * and the correlations come from one more pass over the files in step. The numbers are those the
 * in-memory profile gives, sum for sum.
 */

export interface StreamBudget {
  /** Bytes the analysis may hold; the batches, each thread's column and the correlation chunks share it. */
  bytes: number;
  /** A worker thread (profile-helper-worker.ts) for half the columns. */
  helper?: PendingWorker<unknown>;
}

/** Rows per chunk of the correlation pass: a multiple of its block, so the sums are those of one pass. */
function chunkRows(bytes: number, columns: number): number {
  const rows = Math.floor(bytes / 16 / Math.max(1, columns) / 8);
  return Math.max(1, Math.floor(rows / correlationBlockRows)) * correlationBlockRows;
}

/** Correlations of the spilled columns, reading them in step a chunk of rows at a time. */
function correlateSpilled(
  files: readonly ColumnWriter[],
  means: readonly number[],
  rows: number,
  bytes: number,
) {
  const correlation = new PairwiseCorrelation(means);
  const step = chunkRows(bytes, files.length);
  const buffers = files.map(() => new Float64Array(Math.min(step, rows)));
  for (let start = 0; start < rows; start += step) {
    const length = Math.min(step, rows - start);
    const chunk = files.map((file, j) =>
      buffers[j]!.subarray(0, readColumn(file.path, start, start + length, buffers[j]!)),
    );
    correlation.add(chunk);
  }
  return correlation.matrix();
}

/** Profiles a plain CSV file in bounded memory; undefined if it is not plain (the caller goes the table way). */
export async function profileStream(
  db: Database,
  path: string,
  budget: StreamBudget,
): Promise<ProfileResult | undefined> {
  const plan = await planStream(db, path);
  if (!plan) return undefined;
  const numberColumns = plan.columns.flatMap((column, c) => (column.kind === 'number' ? [c] : []));
  const spill = new SpillDirectory();
  try {
    const files = numberColumns.map(() => spill.column());
    const running = numberColumns.map(() => new PresentSum());
    // A sixteenth of the budget for a batch: each row costs eight bytes a column.
    const batchRows = Math.max(
      correlationBlockRows,
      Math.floor(budget.bytes / 16 / (8 * plan.columns.length)),
    );
    const streamed = streamBatches(plan, batchRows, (batch) => {
      numberColumns.forEach((c, j) => {
        const values = batch.numbers[c]!;
        files[j]!.append(values);
        running[j]!.add(values);
      });
    });
    for (const file of files) file.close();
    if (!streamed) return undefined;

    // Each of the two threads describes one column at a time, whole if it fits in not quite half the budget.
    const budgetValues = Math.floor((0.45 * budget.bytes) / 8);
    const spilled: SpilledColumn[] = files.map((file) => ({
      path: file.path,
      rows: streamed.rows,
      budgetValues,
    }));
    const half = Math.floor(spilled.length / 2);
    const elsewhere = budget.helper
      ?.ask<(ColumnStats | undefined)[]>({ spilled: spilled.slice(half) })
      .catch(() => undefined);
    const correlated = numberColumns.slice(0, maxCorrelationColumns).map((_, j) => j);
    const matrix = correlateSpilled(
      correlated.map((j) => files[j]!),
      correlated.map((j) => running[j]!.mean),
      streamed.rows,
      budget.bytes,
    );
    const mine = spilled.slice(0, elsewhere ? half : spilled.length).map(describeSpilled);
    const theirs = elsewhere ? ((await elsewhere) ?? spilled.slice(half).map(describeSpilled)) : [];
    const stats = [...mine, ...theirs];

    return assembleProfile(
      streamed,
      plan.columns.map((column, c): AssembledColumn | undefined => {
        if (column.kind === 'number') {
          const j = numberColumns.indexOf(c);
          return {
            kind: 'number',
            name: column.name,
            sqlType: column.sqlType,
            count: running[j]!.n,
            stats: stats[j],
          };
        }
        const text = streamed.texts[c];
        return text && { kind: 'text', ...text };
      }),
      correlated.map((j) => plan.columns[numberColumns[j]!]!.name),
      matrix,
    );
  } finally {
    spill.remove();
  }
}

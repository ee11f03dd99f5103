import type { ReadNote } from '@cascade/core/contract';
import { planStream, streamBatches } from '../../data/csv-stream';
import type { Database } from '../../data/database';
import type { SpillDirectory } from '../../data/spill';
import { StudyFile } from './study-file';
import { chunkRows, type StudyRows, studyRows } from './study-rows';
import type { EffectSpec } from './types';

/** A study written to disk from a plain CSV file, with what the result says about the reading. */
export interface StreamedStudy {
  rows: StudyRows;
  dropped: number;
  source: string;
  reading: ReadNote[];
}

/**
 * The study of a plain CSV file too large for memory, in bounded memory: its complete rows are
 * written to a study file in `spill` as the file streams by, checked as studyFromColumns checks
 * them (every used column a number column that varies, the treatment 0/1). Undefined when the
 * file is not plain, a column is not numeric, or a check fails: the table way then answers, in
 * words where the data cannot.
 */
export async function streamStudy(
  db: Database,
  path: string,
  spec: EffectSpec,
  dataBytes: number,
  spill: SpillDirectory,
): Promise<StreamedStudy | undefined> {
  const covariates = spec.covariates ?? [];
  const used = [spec.outcome, spec.treatment, ...covariates];
  if (new Set(used).size !== used.length) return undefined;
  const plan = await planStream(db, path, used);
  if (!plan) return undefined;
  const at = used.map((name) => plan.columns.findIndex((c) => c.name === name));
  if (at.some((c) => c < 0 || plan.columns[c]!.kind !== 'number')) return undefined;
  // Blocks of up to 65,536 rows, fewer under a small budget (a sixteenth of it), in whole chunks.
  const fitting = Math.floor(dataBytes / 16 / (8 * (covariates.length + 2)) / chunkRows) * chunkRows;
  const file = new StudyFile(spill, covariates.length, Math.min(1 << 16, Math.max(2 * chunkRows, fitting)));
  // Whether each used column varies (and the treatment is 0/1), checked as the rows go by.
  const firsts = new Float64Array(used.length).fill(Number.NaN);
  const varies = new Uint8Array(used.length);
  let binary = true;
  const row = new Float64Array(covariates.length);
  const batchRows = Math.max(2048, Math.floor(dataBytes / 16 / (8 * plan.columns.length)));
  const streamed = streamBatches(plan, batchRows, (batch) => {
    const columns = at.map((c) => batch.numbers[c]!);
    for (let i = 0; i < batch.rows; i++) {
      let complete = true;
      for (const column of columns) if (Number.isNaN(column[i]!)) complete = false;
      if (!complete) continue;
      for (const [j, column] of columns.entries()) {
        if (Number.isNaN(firsts[j]!)) firsts[j] = column[i]!;
        else if (column[i] !== firsts[j]) varies[j] = 1;
      }
      const t = columns[1]![i]!;
      if (t !== 0 && t !== 1) binary = false;
      for (let j = 0; j < covariates.length; j++) row[j] = columns[j + 2]![i]!;
      file.push(columns[0]![i]!, t, row);
    }
  });
  const layout = file.close();
  if (!streamed || !binary || layout.n === 0 || !varies.every((v) => v === 1)) return undefined;
  return {
    rows: studyRows({ file: layout }),
    dropped: streamed.rows - layout.n,
    source: streamed.source,
    reading: streamed.reading,
  };
}

import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ReadNote } from '@cascade/core/contract';
import { type CsvFile, openCsv, renamedHeaders } from './csv';
import { dataStartOf, guessKinds, kindOf, mayBeNumbers, sniff } from './csv-columns';
import { fileHeader } from './csv-headers';
import { Dictionary, IrregularCsv, type ScanKind, scanLines } from './csv-scan';
import type { Database } from './database';

/**
 * A plain CSV file read a batch of rows at a time, for files whose columns do not fit in memory
 * together: the same scan as csv-columns.ts, into arrays reused for every batch, so memory holds
 * one batch and the text columns' distinct values, whatever the file's length.
 */

export interface StreamPlan {
  file: CsvFile;
  columns: { name: string; sqlType: string; kind: ScanKind }[];
  dataStart: number;
  size: number;
}

/** How the file will be read, once DuckDB's sniffer has said what its columns are; undefined if it is not plain. */
export async function planStream(
  db: Database,
  path: string,
  only?: readonly string[],
): Promise<StreamPlan | undefined> {
  const file = await openCsv(db, path);
  const guessed = guessKinds(file);
  const sniffed = guessed && (await sniff(db, file));
  const names = fileHeader(file.head.text, file.delimiter, file.head.whole);
  if (!guessed || !sniffed || !names || sniffed.length !== guessed.length || names.length !== guessed.length)
    return undefined;
  const columns: StreamPlan['columns'] = [];
  for (const [c, { name, sqlType }] of sniffed.entries()) {
    if (only && !only.includes(name)) {
      columns.push({ name, sqlType, kind: 'skip' });
      continue;
    }
    // The sniffer's type must be one the scan reads, and the one the first lines suggested.
    const kind = kindOf(sqlType);
    if (!kind || kind !== guessed[c]) return undefined;
    columns.push({ name, sqlType, kind });
  }
  const { size } = await stat(path);
  const dataStart = dataStartOf(file, size);
  return dataStart === undefined ? undefined : { file, columns, dataStart, size };
}

export interface Batch {
  rows: number;
  /** Per column: its values in this batch (number columns), else undefined. */
  numbers: (Float64Array | undefined)[];
  /** Per column: its codes in this batch (text columns), else undefined. */
  codes: (Int32Array | undefined)[];
}

export interface StreamedText {
  name: string;
  values: string[];
  counts: Float64Array;
}

export interface Streamed {
  source: string;
  rows: number;
  reading: ReadNote[];
  /** The text columns' distinct values and counts, by column (undefined for the others). */
  texts: (StreamedText | undefined)[];
}

/**
 * Reads the file `batchRows` rows at a time, handing each batch to `each` (its arrays are reused
 * for the next batch). Undefined if the file turns out not to be plain, or a text column has more
 * than `maxDistinct` distinct values: the caller then goes the table way.
 */
export function streamBatches(
  plan: StreamPlan,
  batchRows: number,
  each: (batch: Batch) => void,
  maxDistinct = 1_000_000,
): Streamed | undefined {
  const kinds = plan.columns.map((c) => c.kind);
  const numbers = kinds.map((kind) => (kind === 'number' ? new Float64Array(batchRows) : undefined));
  const codes = kinds.map((kind) => (kind === 'text' ? new Int32Array(batchRows) : undefined));
  const dictionaries = kinds.map((kind) => (kind === 'text' ? new Dictionary() : undefined));
  const counts = kinds.map(() => new Float64Array(0));
  const integral = new Uint8Array(kinds.length).fill(1);
  const target = {
    kinds,
    delimiter: plan.file.delimiter.charCodeAt(0),
    numbers,
    codes,
    dictionaries,
    integral,
  };
  let rows = 0;
  try {
    for (let position = plan.dataStart; position < plan.size; ) {
      const { rows: read, next } = scanLines(
        { path: plan.file.path, start: position, end: plan.size, firstRow: 0, capacity: batchRows },
        target,
      );
      if (read === 0) break;
      each({
        rows: read,
        numbers: numbers.map((column) => column?.subarray(0, read)),
        codes: codes.map((column) => column?.subarray(0, read)),
      });
      for (const [c, dictionary] of dictionaries.entries()) {
        if (!dictionary) continue;
        if (dictionary.values.length > maxDistinct) return undefined;
        if (counts[c]!.length < dictionary.values.length) {
          const grown = new Float64Array(Math.max(dictionary.values.length, 2 * counts[c]!.length));
          grown.set(counts[c]!);
          counts[c] = grown;
        }
        const batchCodes = codes[c]!;
        const columnCounts = counts[c]!;
        for (let i = 0; i < read; i++) {
          const code = batchCodes[i]!;
          if (code >= 0) columnCounts[code]!++;
        }
      }
      rows += read;
      position = next;
    }
  } catch (error) {
    if (error instanceof IrregularCsv) return undefined;
    throw error;
  }
  if (rows === 0) return undefined;
  for (const [c, column] of plan.columns.entries())
    if (column.sqlType === 'BIGINT' && column.kind === 'number' && !integral[c]) return undefined;
  const texts = plan.columns.map((column, c) => {
    const dictionary = dictionaries[c];
    if (!dictionary) return undefined;
    return {
      name: column.name,
      values: dictionary.values,
      counts: counts[c]!.subarray(0, dictionary.values.length),
    };
  });
  if (texts.some((text) => text && mayBeNumbers(text.values, text.counts))) return undefined;
  return {
    source: basename(plan.file.path),
    rows,
    reading: renamedHeaders(
      plan.file,
      plan.columns.map((column) => column.name),
    ),
    texts,
  };
}

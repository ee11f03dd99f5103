import { type AsyncBuffer, type ParquetParsers, parquetReadObjects, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { footerColumn, readingParquet, readParquetFooter, storedKind } from '../datasets/parquet';
import type { ParquetFooter, ParquetHead, ParquetReader } from '../datasets/parquet-reader';
import { sniffColumn } from './csv-head';

/**
 * A quick look at a Parquet file, as csv-head.ts takes of a CSV: the footer gives the exact row
 * count and the columns with their stored types; the first rows give examples and the values of
 * categories. Only the first row group's chunks of the sampled columns are fetched, within a
 * byte budget, so a wide or large file costs Dispatch a few ranged GETs, not the whole file.
 * hyparquet's row reading and the decompressors weigh about 170 KB of bundle: only Dispatch, which
 * describes datasets for the model, plugs this reader in.
 */

export interface ParquetSampleOptions {
  /** How many of the first rows are read for examples and categories (a CSV head holds a few hundred to a few thousand). */
  rows?: number;
  /**
   * The most compressed bytes fetched for the sample. A column whose chunk would go past it is
   * described from the footer alone (name and type, no examples).
   */
  budgetBytes?: number;
}

const MB = 1024 * 1024;

/** "2024-03-01", "2024-03-01 12:30:00": dates and times as a CSV would write them. */
const dateText = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const timestampText = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/(\.000)?Z$/, '');

/** Values as text, as the sniffing reads them; dates and times the way a CSV writes them. */
const textParsers: Partial<ParquetParsers> = {
  dateFromDays: (days) => dateText(days * 86_400_000),
  timestampFromMilliseconds: (ms) => timestampText(Number(ms)),
  timestampFromMicroseconds: (us) => timestampText(Number(us / 1000n)),
  timestampFromNanoseconds: (ns) => timestampText(Number(ns / 1_000_000n)),
};

/** A value as text, or null where the file holds none: only Parquet's nulls (and NaN) are missing, not text such as "NA". */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isNaN(value) ? null : String(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  // Lists and structs as JSON, their 64-bit integers as numbers where a double holds them exactly.
  return JSON.stringify(value, (_, v) =>
    typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : String(v)) : v,
  );
}

/** The columns whose chunks in the first row group fit the budget, in the file's order. */
function columnsWithin(footer: ParquetFooter, budgetBytes: number): Set<string> {
  const group = footer.metadata.row_groups.find((g) => Number(g.num_rows) > 0);
  const bytes = new Map<string, number>();
  for (const chunk of group?.columns ?? []) {
    const name = chunk.meta_data?.path_in_schema[0];
    if (name !== undefined)
      bytes.set(name, (bytes.get(name) ?? 0) + Number(chunk.meta_data?.total_compressed_size ?? 0));
  }
  const chosen = new Set<string>();
  let spent = 0;
  for (const name of footer.columnNames) {
    const size = bytes.get(name) ?? 0;
    if (spent + size > budgetBytes) continue;
    spent += size;
    chosen.add(name);
  }
  return chosen;
}

/** Describes a Parquet file from its footer and a sample of its first rows. */
export async function sniffParquetHead(
  file: AsyncBuffer,
  footer: ParquetFooter,
  options: ParquetSampleOptions = {},
): Promise<ParquetHead> {
  const { rows: sampleRows = 1000, budgetBytes = 8 * MB } = options;
  const sampled = [...columnsWithin(footer, budgetBytes)];
  const rowEnd = Math.min(sampleRows, footer.rows);
  const rows =
    rowEnd > 0 && sampled.length > 0
      ? await readingParquet(file, (watched) =>
          parquetReadObjects({
            file: watched,
            metadata: footer.metadata,
            columns: sampled,
            rowStart: 0,
            rowEnd,
            compressors,
            parsers: textParsers,
          }),
        )
      : [];
  const nodes = parquetSchema(footer.metadata).children;
  return {
    sampledRows: rows.length,
    columns: nodes.map((node) => {
      const name = node.element.name;
      if (!sampled.includes(name)) return footerColumn(node, footer.metadata);
      const { stored, type } = storedKind(node);
      return sniffColumn(
        name,
        rows.map((row) => asText(row[name])),
        stored,
        type,
      );
    }),
  };
}

/** The reader for functions that read Parquet datasets' first rows: the footer and a sample of the rows. */
export const parquetReader: ParquetReader = { footer: readParquetFooter, head: sniffParquetHead };

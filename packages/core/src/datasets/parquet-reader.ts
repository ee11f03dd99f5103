import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import type { SniffedColumn } from '../data/csv-head';

/**
 * Reading Parquet, as a port: hyparquet and its decompressors weigh 12 to 180 KB of bundle, so
 * only the functions that show a Parquet dataset's rows and columns or read its first rows plug
 * a reader in (DatasetCatalog.withParquet), from @cascade/core/parquet-footer or
 * @cascade/core/parquet; the other functions never load it. A catalog without a reader lists a
 * Parquet dataset without counts and says it cannot be read here.
 */
export interface ParquetReader {
  /** The footer: the exact row count and the top-level columns. Throws ParquetReadError when it is not Parquet. */
  footer(file: AsyncBuffer): Promise<ParquetFooter>;
  /**
   * The columns with their types, examples and the values of categories: from the footer and,
   * where the reader reads rows, a sample of the first ones.
   */
  head(file: AsyncBuffer, footer: ParquetFooter): Promise<ParquetHead>;
}

/** The file could not be read as Parquet; the message says why, for a person. */
export class ParquetReadError extends Error {
  override name = 'ParquetReadError';
}

export interface ParquetFooter {
  rows: number;
  /** The top-level columns, in the file's order (a nested column is one column). */
  columnNames: string[];
  metadata: FileMetaData;
}

/** A Parquet file's columns as csv-head.ts describes a CSV's, from as many first rows as were read (none from the footer alone). */
export interface ParquetHead {
  columns: SniffedColumn[];
  sampledRows: number;
}

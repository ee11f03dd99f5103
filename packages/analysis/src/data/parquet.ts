import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parquetMarker } from '@cascade/core/protocol';
import { BadDataError, DataNotFoundError } from '../errors';
import type { LoadedTable, TableColumn } from './csv';
import { widenIntegers } from './csv-numbers';
import type { Database } from './database';
import { ident, stringLiteral } from './sql';

/**
 * Parquet files, read by DuckDB (its reader is built in, no extension to download). A Parquet
 * file says its own column types, so none of CSV's guessing applies: only what the tools cannot
 * show is changed. Nested and binary columns (lists, structs, maps, blobs, …) become their text,
 * and integers beyond 2^53 doubles, as for CSV.
 */

/** Whether the file is Parquet: its first bytes say so, whatever its name. */
async function isParquet(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.toString('latin1') === parquetMarker;
  } finally {
    await handle.close();
  }
}

/**
 * Whether the file is to be read as Parquet: its first bytes say so, or its name does (a file
 * named .parquet that is not one then gets a sentence about Parquet, not about CSV).
 */
export async function readsAsParquet(path: string): Promise<boolean> {
  return extname(path).toLowerCase() === '.parquet' || (await isParquet(path));
}

/** The column types the tools read as they are; any other becomes text. */
const shown =
  /^(BOOLEAN|U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|DECIMAL(\(.*\))?|DATE|TIME.*|TIMESTAMP.*|VARCHAR)$/;

/** Loads a Parquet file into the table `data`; every way it cannot be read is a BadDataError. */
export async function loadParquet(db: Database, path: string, table = 'data'): Promise<LoadedTable> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new DataNotFoundError(`There is no file at ${path}.`);
  const name = ident(table);
  try {
    await db.run(`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM read_parquet(${stringLiteral(path)})`);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('Out of Memory Error')) throw error;
    throw new BadDataError(
      'The file could not be read as Parquet: it is damaged, or not Parquet at all; export it again as Parquet or CSV and try again.',
      { cause: error },
    );
  }
  const described: TableColumn[] = (await db.rows(`DESCRIBE ${name}`)).map((row) => ({
    name: String(row.column_name),
    sqlType: String(row.column_type),
  }));
  if (described.length === 0) throw new BadDataError('The Parquet file has no columns.');
  for (const column of described)
    if (!shown.test(column.sqlType)) {
      await db.run(
        `ALTER TABLE ${name} ALTER ${ident(column.name)} SET DATA TYPE VARCHAR USING CAST(${ident(column.name)} AS VARCHAR)`,
      );
      column.sqlType = 'VARCHAR';
    }
  const [rows] = (await db.values(`SELECT count(*) FROM ${name}`)) as [number];
  if (rows === 0) throw new BadDataError('The Parquet file has no rows.');
  const columns = await widenIntegers(db, table, described);
  return { table, source: basename(path), rows, columns, reading: [] };
}

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** A SQL string literal. */
export const sqlText = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The bytes of a Parquet file holding what `select` returns, written by DuckDB as any tool that
 * exports Parquet would (snappy unless told; zstd is what polars writes by default).
 */
export async function parquetBytes(
  select: string,
  options: { compression?: 'snappy' | 'zstd' | 'gzip' | 'uncompressed'; rowGroupSize?: number } = {},
): Promise<Buffer> {
  const directory = await mkdtemp(join(tmpdir(), 'cascade-parquet-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const path = join(directory, 'data.parquet');
    const settings = [
      'FORMAT parquet',
      `COMPRESSION ${options.compression ?? 'snappy'}`,
      ...(options.rowGroupSize ? [`ROW_GROUP_SIZE ${options.rowGroupSize}`] : []),
    ];
    await connection.run(`COPY (${select}) TO ${sqlText(path)} (${settings.join(', ')})`);
    return await readFile(path);
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(directory, { recursive: true, force: true });
  }
}

/** A CSV file (a path) saved as Parquet, read as DuckDB reads it (NA and empty cells missing). */
export const csvAsParquet = (path: string, options?: Parameters<typeof parquetBytes>[1]) =>
  parquetBytes(`SELECT * FROM read_csv(${sqlText(path)}, nullstr = ['NA', ''])`, options);

/** A file in memory, as hyparquet reads one, counting the bytes it hands out. */
export function inMemory(given: Uint8Array) {
  // A plain copy: a Buffer's slice shares its pool's memory.
  const bytes = new Uint8Array(given);
  const file = {
    read: 0,
    byteLength: bytes.length,
    slice(start: number, end = bytes.length) {
      file.read += end - start;
      return bytes.slice(start, end).buffer as ArrayBuffer;
    },
  };
  return file;
}

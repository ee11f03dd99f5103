import duckdb from '@duckdb/node-bindings';
import type { Database } from './database';

/**
 * Runs a query whose columns are all DOUBLE and returns each column's non-missing values, in
 * row order. It reads DuckDB's vectors directly: the per-value accessors are several times
 * slower, and a million-row column should cost milliseconds, not a second.
 */
export async function readDoubleColumns(
  db: Database,
  sql: string,
  capacity: number,
): Promise<Float64Array[]> {
  const result = await db.connection.stream(sql);
  const width = result.columnCount;
  const columns = Array.from({ length: width }, () => new Float64Array(capacity));
  const lengths = new Array<number>(width).fill(0);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    for (let j = 0; j < width; j++) {
      const vector = duckdb.data_chunk_get_vector(chunk.chunk, j);
      const bytes = duckdb.vector_get_data(vector, rows * Float64Array.BYTES_PER_ELEMENT);
      const values = new Float64Array(bytes.buffer, bytes.byteOffset, rows);
      // A missing validity mask means every value in the chunk is present.
      const validity = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8) as Uint8Array | null;
      const out = columns[j]!;
      let k = lengths[j]!;
      if (!validity) {
        out.set(values, k);
        k += rows;
      } else {
        for (let i = 0; i < rows; i++) if (validity[i >> 3]! & (1 << (i & 7))) out[k++] = values[i]!;
      }
      lengths[j] = k;
    }
  }
  return columns.map((column, j) => column.subarray(0, lengths[j]));
}

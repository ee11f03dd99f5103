import type { Database } from './database';
import { bindings as duckdb } from './duckdb';

/**
 * Runs a query whose columns are all DOUBLE and returns them as arrays in row order, with NaN
 * where a value is missing, so rows stay aligned across columns. It reads DuckDB's vectors
 * directly: the per-value accessors are several times slower, and a million-row column should
 * cost milliseconds.
 */
export async function readDoubleColumns(
  db: Database,
  sql: string,
  capacity: number,
  { shared = false }: { shared?: boolean } = {},
): Promise<Float64Array[]> {
  const result = await db.connection.stream(sql);
  const width = result.columnCount;
  // Shared memory lets a worker thread read the columns without a copy.
  const allocate = () =>
    shared
      ? new Float64Array(new SharedArrayBuffer(capacity * Float64Array.BYTES_PER_ELEMENT))
      : new Float64Array(capacity);
  const columns = Array.from({ length: width }, allocate);
  let length = 0;
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
      out.set(values, length);
      if (validity) markMissing(validity, rows, out, length);
    }
    length += rows;
  }
  return columns.map((column) => column.subarray(0, length));
}

/** Sets NaN where the validity bitmask has a zero; whole bytes of present values are skipped at once. */
function markMissing(validity: Uint8Array, rows: number, out: Float64Array, start: number): void {
  for (let byte = 0; byte * 8 < rows; byte++) {
    const bits = validity[byte]!;
    if (bits === 0xff) continue;
    for (let bit = 0; bit < 8; bit++) {
      const row = byte * 8 + bit;
      if (row < rows && !(bits & (1 << bit))) out[start + row] = Number.NaN;
    }
  }
}

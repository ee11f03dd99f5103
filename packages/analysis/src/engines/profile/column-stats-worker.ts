// Run in a worker thread (see parallel/worker.ts): half of a profile's numeric columns.
import { type ColumnStats, describeAll } from './column-stats';

export function work({ columns }: { columns: Float64Array[] }): (ColumnStats | undefined)[] {
  return describeAll(columns);
}

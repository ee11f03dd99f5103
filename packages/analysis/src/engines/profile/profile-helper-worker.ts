// Run in a worker thread (see parallel/worker.ts): a profile's helper, which counts and scans the second
// half of the file and then describes a share of its numeric columns (from memory, or from their
// files on disk for data larger than memory), so one thread starts for all of it.
import { type ScanJob, scanJob } from '../../data/csv-scan';
import { type ColumnStats, describeAll } from './column-stats';
import { describeSpilled, type SpilledColumn } from './spilled-stats';

export type ProfileJob = ScanJob | { columns: Float64Array[] } | { spilled: SpilledColumn[] };

export function work(job: ProfileJob): ReturnType<typeof scanJob> | (ColumnStats | undefined)[] {
  if ('columns' in job) return describeAll(job.columns);
  if ('spilled' in job) return job.spilled.map(describeSpilled);
  return scanJob(job);
}

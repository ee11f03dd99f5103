import { formatNumber } from '@cascade/core/contract';
import { type DatabaseOptions, duckdbBytes, parseBytes } from '../../data/database';
import { BadRequestError, LimitExceededError } from '../../errors';

/** What one person's SQL may use. Every statement that runs for a query gets the same limits. */
export interface QueryLimits {
  /** Wall time of one statement in milliseconds; default 10 s. A chart's pass over all rows gets as long again. */
  timeoutMs?: number;
  /** DuckDB's memory while the SQL runs, e.g. '1GB' (the default); never more than the database's own limit. */
  queryMemoryLimit?: string;
  /** Temporary disk the SQL may spill to, e.g. '4GB' (the default). */
  querySpillLimit?: string;
}

export interface ResolvedLimits {
  timeoutMs: number;
  /** DuckDB's memory while the SQL runs. */
  memoryBytes: number;
  spillBytes: number;
  /** The whole process's, when the analysis is given a memory limit. */
  processBytes?: number;
}

export const defaultTimeoutMs = 10_000;
const defaultMemory = '1GB';
const defaultSpill = '4GB';

/** Result width and cell size, so one answer cannot grow without bound. */
export const maxResultColumns = 200;
export const maxCellChars = 2000;
/** Text kept across all returned rows; beyond it rows stop being kept (the count goes on). */
export const maxResultChars = 4_000_000;

function bytesOf(setting: string, name: string): number {
  const bytes = parseBytes(setting);
  if (bytes === undefined || bytes <= 0)
    throw new BadRequestError(`${name} "${setting}" is not a size; write it like 512MB or 2GB.`);
  return bytes;
}

export function resolveLimits(options: DatabaseOptions & QueryLimits): ResolvedLimits {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (!(timeoutMs > 0))
    throw new BadRequestError('The query time limit must be a positive number of milliseconds.');
  const whole = options.memoryLimit ? bytesOf(options.memoryLimit, 'The memory limit') : undefined;
  // DuckDB's share of the analysis's limit (the database's own memory_limit) caps the query's.
  const database = whole === undefined ? Infinity : duckdbBytes(whole);
  const query = bytesOf(options.queryMemoryLimit ?? defaultMemory, 'The query memory limit');
  return {
    timeoutMs,
    memoryBytes: Math.floor(Math.min(database, query)),
    spillBytes: Math.floor(bytesOf(options.querySpillLimit ?? defaultSpill, 'The query spill limit')),
    ...(whole !== undefined && { processBytes: Math.floor(whole) }),
  };
}

/** Bytes as a person reads a limit: 1 GB, 256 MB. */
export function describeBytes(bytes: number): string {
  return bytes >= 1e9 ? `${formatNumber(bytes / 1e9, 3)} GB` : `${formatNumber(bytes / 1e6, 3)} MB`;
}

const smaller = 'aggregate with GROUP BY, filter with WHERE, or add LIMIT';

export function timeLimitExceeded(limits: ResolvedLimits): LimitExceededError {
  return new LimitExceededError(
    `The query ran longer than ${formatNumber(limits.timeoutMs / 1000, 3)} s and was stopped; it produces too many rows or too much work — ${smaller}.`,
  );
}

export function memoryLimitExceeded(limits: ResolvedLimits): LimitExceededError {
  return new LimitExceededError(
    `The query needed more than ${describeBytes(limits.memoryBytes)} of memory and was stopped; ${smaller} so that less has to be held at once.`,
  );
}

export function spillLimitExceeded(limits: ResolvedLimits): LimitExceededError {
  return new LimitExceededError(
    `The query needed more than ${describeBytes(limits.spillBytes)} of temporary disk space and was stopped; ${smaller}.`,
  );
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { AnalysisFailedError } from '../errors';
import { duckdb } from './duckdb';

export interface DatabaseOptions {
  /** DuckDB's memory limit, e.g. '2GB'. Tables beyond it spill to a private temporary directory. */
  memoryLimit?: string;
  /** Worker threads; DuckDB's default is one per core. */
  threads?: number;
}

export type Row = Record<string, unknown>;

const units: Record<string, number> = {
  b: 1,
  bytes: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** Bytes in a DuckDB memory setting such as '512MB' or '2GiB'; undefined if it is not one. */
export function parseBytes(setting: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(setting);
  const unit = units[(match?.[2] || 'b').toLowerCase()];
  return match && unit ? Number(match[1]) * unit : undefined;
}

/** Without ANALYSIS_MEMORY_LIMIT, the bytes of data an analysis holds in its own arrays before it streams. */
export const defaultDataBytes = 2 ** 30;

/**
 * DuckDB's share of the analysis's memory limit (ANALYSIS_MEMORY_LIMIT, what the whole process
 * may hold). Its memory_limit covers its buffer manager only: Node itself, the CSV reader's
 * buffers and the state of holistic aggregates such as median come on top (measured: a third of
 * the limit again on a GROUP BY over 20M rows), so the other half is theirs; the profile and the
 * effects hold their own arrays in it.
 */
const duckdbShare = 0.5;

/**
 * How an analysis honours the memory limit: DuckDB gets its share as memory_limit (beyond which it
 * spills), the analysis's arrays the rest (beyond which they stream through files on disk).
 * Without a limit DuckDB keeps its default and the arrays get defaultDataBytes.
 */
/** DuckDB's part of an analysis's memory limit (its memory_limit), in bytes. */
export const duckdbBytes = (limit: number) => Math.max(2 ** 20, Math.floor(limit * duckdbShare));

export function shareMemory(options: DatabaseOptions): { database: DatabaseOptions; dataBytes: number } {
  const limit = options.memoryLimit ? parseBytes(options.memoryLimit) : undefined;
  if (limit === undefined) return { database: options, dataBytes: defaultDataBytes };
  const duckdb = duckdbBytes(limit);
  return { database: { ...options, memoryLimit: `${duckdb} bytes` }, dataBytes: limit - duckdb };
}

/** DuckDB hands back BIGINT counts as bigint, also inside lists and maps; every count here fits a double. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  return value;
}

/**
 * One in-memory DuckDB database per analysis, with its own spill directory, so data larger
 * than memory streams through disk and nothing outlives `close()`. A connection runs one
 * query at a time; `session()` opens another on the same data to run queries side by side.
 */
export class Database {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly spillDirectory: string | undefined,
    readonly options: DatabaseOptions,
  ) {}

  static async open(options: DatabaseOptions = {}): Promise<Database> {
    const spillDirectory = await mkdtemp(join(tmpdir(), 'cascade-analysis-'));
    // Keeping rows in file order would stop a load larger than memory from spilling; nothing here depends on that order.
    const config: Record<string, string> = {
      temp_directory: spillDirectory,
      preserve_insertion_order: 'false',
    };
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.threads) config.threads = String(options.threads);
    try {
      const instance = await duckdb.DuckDBInstance.create(':memory:', config);
      return new Database(instance, await instance.connect(), spillDirectory, options);
    } catch (error) {
      await rm(spillDirectory, { recursive: true, force: true });
      throw error;
    }
  }

  /** Another connection to the same data; closing it leaves the database open. */
  async session(): Promise<Database> {
    return new Database(this.instance, await this.instance.connect(), undefined, this.options);
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Rows as objects keyed by column name, with counts as plain numbers. */
  async rows(sql: string): Promise<Row[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((row) => plain({ ...row }) as Row);
  }

  /** The single row of an aggregate query, as values in select order. */
  async values(sql: string): Promise<unknown[]> {
    const reader = await this.connection.runAndReadAll(sql);
    const [row] = reader.getRowsJS();
    return (row ?? []).map(plain);
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    if (this.spillDirectory === undefined) return;
    this.instance.closeSync();
    await rm(this.spillDirectory, { recursive: true, force: true });
  }
}

/** DuckDB running out of memory is not the data's fault: say what to change. */
function explain(error: unknown): unknown {
  if (error instanceof Error && error.message.startsWith('Out of Memory Error'))
    return new AnalysisFailedError(
      'The data did not fit in the memory the analysis may use, even spilling to disk; raise ANALYSIS_MEMORY_LIMIT or use a smaller file.',
      { cause: error },
    );
  return error;
}

/** Opens a database for the length of `work` and always closes it. */
export async function withDatabase<T>(
  options: DatabaseOptions,
  work: (db: Database) => Promise<T>,
): Promise<T> {
  const db = await Database.open(options).catch((error) => {
    throw explain(error);
  });
  try {
    return await work(db);
  } catch (error) {
    throw explain(error);
  } finally {
    await db.close();
  }
}

/** Runs `work` on a fresh connection to `db`'s data, closing it afterwards. */
export async function inSession<T>(db: Database, work: (session: Database) => Promise<T>): Promise<T> {
  const session = await db.session();
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

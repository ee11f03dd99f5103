import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBResult } from '@duckdb/node-api';
import { duckdb } from '../../data/duckdb';

const { StatementType } = duckdb;

import type { Database } from '../../data/database';
import { AnalysisError, BadRequestError, QueryRejectedError } from '../../errors';
import { type ResolvedLimits, timeLimitExceeded } from './limits';
import { explainSqlError } from './sql-errors';
import { findForbidden } from './syntax-tree';

/**
 * Closes the database to everything but the loaded table before any SQL of the person's runs:
 * no files, URLs or extensions, the query's own memory and spill limits, and then a locked
 * configuration, so no SET, RESET or PRAGMA can undo any of it.
 */
export async function lockDown(db: Database, limits: ResolvedLimits, threads?: number): Promise<void> {
  await db.run('SET enable_external_access = false');
  await db.run('SET autoinstall_known_extensions = false');
  await db.run('SET autoload_known_extensions = false');
  // Lowering the limit moves the loaded table to the spill directory as needed; what is there
  // now is the data's, so the query's spill allowance comes on top of it.
  await db.run(`SET memory_limit = '${limits.memoryBytes} bytes'`);
  const [spilled] = (await db.values('SELECT coalesce(sum(size), 0) FROM duckdb_temporary_files()')) as [
    number,
  ];
  await db.run(`SET max_temp_directory_size = '${spilled + limits.spillBytes} bytes'`);
  if (threads) await db.run(`SET threads = ${Math.floor(threads)}`);
  await db.run('SET lock_configuration = true');
}

/** Statements that read: their keyword says nothing a person needs to be told about. */
const reading = new Set(['', 'SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE', 'DESCRIBE', 'SUMMARIZE']);

/** The statement's first keyword, after comments, for telling a person what was refused. */
function firstKeyword(sql: string): string {
  return /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
}

function notReadOnly(keyword: string): QueryRejectedError {
  const which = reading.has(keyword) ? 'this statement is not one' : `${keyword} statements are not allowed`;
  return new QueryRejectedError(
    `Only one read-only SELECT (or WITH … SELECT) over the table data can run; ${which}.`,
  );
}

/**
 * Runs one person's SQL on a locked-down database. Before a statement runs: exactly one
 * statement (DuckDB's own parser splits the text), a SELECT by json_serialize_sql (which
 * serializes nothing else), nothing outside the data in its syntax tree (findForbidden), and a
 * SELECT again by the prepared statement's type. Then it runs under the time limit.
 */
export class Sandbox {
  constructor(
    private readonly connection: DuckDBConnection,
    /** The data's columns, to name them when the SQL uses one that does not exist. */
    readonly dataColumns: readonly string[],
    readonly limits: ResolvedLimits,
    /** Told as each statement starts, so a watchdog outside can time it too. */
    private readonly onStatement?: () => void,
  ) {}

  /**
   * Checks `sql`, starts it and hands the streaming result to `read`. DuckDB's interrupt may end
   * a stream early instead of failing it, so the timer's own flag decides whether time ran out.
   */
  async run<T>(sql: string, read: (result: DuckDBResult) => Promise<T>): Promise<T> {
    this.onStatement?.();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.connection.interrupt();
    }, this.limits.timeoutMs);
    try {
      const prepared = await this.check(sql);
      const value = await read(await prepared.stream());
      if (timedOut) throw timeLimitExceeded(this.limits);
      return value;
    } catch (error) {
      if (timedOut) throw timeLimitExceeded(this.limits);
      throw error instanceof AnalysisError ? error : explainSqlError(error, this.dataColumns, this.limits);
    } finally {
      clearTimeout(timer);
    }
  }

  private async check(sql: string): Promise<DuckDBPreparedStatement> {
    const keyword = firstKeyword(sql);
    // A PIVOT statement is a CREATE TYPE and a SELECT in one, so it is refused before it is counted as two.
    if (keyword === 'PIVOT' || keyword === 'UNPIVOT')
      throw new QueryRejectedError(
        `${keyword} statements are not allowed; write SELECT … FROM data ${keyword} (…) with an IN list, or aggregate with CASE.`,
      );
    const extracted = await this.connection.extractStatements(sql).catch((error: Error) => {
      // DuckDB fails without a message of its own for text with no statement at all.
      throw /Error: /.test(error.message)
        ? error
        : new BadRequestError('The SQL holds no statement; write one SELECT over the table data.');
    });
    if (extracted.count !== 1)
      throw new QueryRejectedError(
        `Send one statement at a time: the text holds ${extracted.count} statements separated by ";". Only one SELECT (or WITH … SELECT) over the table data can run.`,
      );
    const [serialized] = (
      await this.connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql])
    )
      .getRowsJS()
      .map((row) => String(row[0]));
    const tree = JSON.parse(serialized!) as { error: boolean; error_type?: string; statements?: unknown };
    if (tree.error) throw notReadOnly(keyword);
    const forbidden = findForbidden(tree.statements);
    if (forbidden) throw forbidden;
    const prepared = await extracted.prepare(0);
    if (prepared.statementType !== StatementType.SELECT) throw notReadOnly(keyword);
    return prepared;
  }
}

import {
  type AnalysisArgs,
  formatCount,
  maxQueryRows,
  QueryDataInput,
  type QueryResult,
} from '@cascade/core/contract';
import { type DatabaseOptions, shareMemory, withDatabase } from '../../data/database';
import { loadData } from '../../data/load';
import { BadRequestError } from '../../errors';
import { drawChart } from './chart';
import { type QueryLimits, resolveLimits } from './limits';
import { collectRows } from './result-rows';
import { lockDown, Sandbox } from './sandbox';
import { statementBody } from './statement-body';

export type QueryOptions = DatabaseOptions & QueryLimits;

const maxSqlChars = QueryDataInput.shape.sql.maxLength!;

export function checkedSql(sql: string): string {
  const text = sql.trim();
  if (text === '') throw new BadRequestError('The SQL is empty; write one SELECT over the table data.');
  if (text.length > maxSqlChars)
    throw new BadRequestError(
      `The SQL is ${formatCount(text.length)} characters long; at most ${formatCount(maxSqlChars)} are accepted.`,
    );
  return text;
}

/**
 * query_data in this process: loads the CSV as the table `data`, locks the database down, runs
 * the one SELECT through the sandbox's checks under the time and memory limits, keeps the
 * first maxQueryRows rows and counts the rest, and draws the chart asked for. `onStatement` is
 * told as each statement starts (the isolating parent times them).
 */
export async function queryDataInProcess(
  path: string,
  args: AnalysisArgs<'query_data'>,
  options: QueryOptions = {},
  onStatement?: () => void,
): Promise<QueryResult> {
  const sql = checkedSql(args.sql);
  const limits = resolveLimits(options);
  return withDatabase(shareMemory(options).database, async (db) => {
    const table = await loadData(db, path);
    // Locked before the SQL is even parsed: DuckDB reads IMPORT DATABASE's files while parsing.
    await lockDown(db, limits, options.threads);
    const sandbox = new Sandbox(
      db.connection,
      table.columns.map((c) => c.name),
      limits,
      onStatement,
    );
    const collected = await sandbox.run(sql, (result) => collectRows(result, maxQueryRows));
    const drawn = args.chart
      ? await drawChart(args.chart, collected, (build, maxRows) => {
          // The statement as a subquery with positional names, so duplicate or odd column names cannot clash.
          const names = collected.columns.map((_, j) => `"c${j}"`).join(', ');
          const from = `(\n${statementBody(sql)}\n) AS q(${names})`;
          return sandbox.run(build(from), (result) => collectRows(result, maxRows)).then((r) => r.rows);
        })
      : { warnings: [] };
    return {
      tool: 'query_data',
      source: table.source,
      sql,
      columns: collected.columns,
      rows: collected.rows,
      rowCount: collected.rowCount,
      truncated: collected.rowCount > collected.rows.length,
      ...(drawn.chart && { chart: drawn.chart }),
      reading: table.reading,
      warnings: [...collected.warnings, ...drawn.warnings],
    };
  });
}

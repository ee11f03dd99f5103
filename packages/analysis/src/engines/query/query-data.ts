import type { AnalysisArgs, QueryResult } from '@cascade/core/contract';
import { runIsolated } from './isolation';
import { resolveLimits } from './limits';
import { checkedSql, type QueryOptions } from './run-query';

export type { QueryLimits } from './limits';
export type { QueryOptions } from './run-query';

/**
 * query_data: read-only DuckDB SQL over one CSV file, exposed as the table `data`. The work runs
 * in a child process of its own (isolation.ts), which is stopped outright if a statement
 * outlives its time limit or the process outgrows its memory — DuckDB cannot interrupt every
 * operation, and some allocations escape its memory limit.
 */
export async function queryData(
  path: string,
  args: AnalysisArgs<'query_data'>,
  options: QueryOptions = {},
): Promise<QueryResult> {
  checkedSql(args.sql);
  return runIsolated({ path, args, options }, resolveLimits(options));
}

import type { AnalysisArgs, QueryResult } from '@cascade/core/contract';
import type { DatabaseOptions } from '../../data/database';
import { AnalysisFailedError } from '../../errors';

/** PLACEHOLDER: being written; not to be committed. */
export async function queryData(
  _path: string,
  _args: AnalysisArgs<'query_data'>,
  _options: DatabaseOptions = {},
): Promise<QueryResult> {
  throw new AnalysisFailedError('not implemented yet');
}

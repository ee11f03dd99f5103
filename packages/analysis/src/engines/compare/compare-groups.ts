import type { AnalysisArgs, CompareResult } from '@cascade/core/contract';
import type { DatabaseOptions } from '../../data/database';
import { AnalysisFailedError } from '../../errors';

/** PLACEHOLDER: being written; not to be committed. */
export async function compareGroups(
  _path: string,
  _args: AnalysisArgs<'compare_groups'>,
  _options: DatabaseOptions = {},
): Promise<CompareResult> {
  throw new AnalysisFailedError('not implemented yet');
}

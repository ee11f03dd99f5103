import type { AnalysisArgs, RegressionResult } from '@cascade/core/contract';
import type { DatabaseOptions } from '../../data/database';
import { AnalysisFailedError } from '../../errors';

/** PLACEHOLDER: being written; not to be committed. */
export async function fitRegression(
  _path: string,
  _args: AnalysisArgs<'fit_regression'>,
  _options: DatabaseOptions = {},
): Promise<RegressionResult> {
  throw new AnalysisFailedError('not implemented yet');
}

import type { AnalysisArgs, AnalysisErrorCode, QueryResult } from '@cascade/core/contract';
import {
  type AnalysisError,
  AnalysisFailedError,
  BadDataError,
  BadRequestError,
  ColumnNotFoundError,
  DataNotFoundError,
  describeFailure,
  LimitExceededError,
  QueryRejectedError,
} from '../../errors';
import { type QueryOptions, queryDataInProcess } from './run-query';

/** Both ends of the channel between isolation.ts and the query's own process. */
export interface IsolatedJob {
  path: string;
  args: AnalysisArgs<'query_data'>;
  options: QueryOptions;
}

export type ChildMessage =
  | { type: 'statement' }
  | { type: 'result'; result: QueryResult }
  | { type: 'error'; code: AnalysisErrorCode; message: string };

/** Serves one query over the IPC channel as the child process, then exits. */
export function serveAsQueryChild(): void {
  const send = (message: ChildMessage) =>
    new Promise<void>((resolve) => {
      process.send!(message, undefined, undefined, () => resolve());
    });
  // The parent gone means nobody waits for the answer.
  process.on('disconnect', () => process.exit(0));
  process.once('message', async (job: IsolatedJob) => {
    await answer(job, send, (error) => process.stderr.write(`${(error as Error)?.stack ?? error}\n`));
    process.exit(0);
  });
}

/**
 * The child's side: runs the job, telling `send` as each statement starts, then sends the
 * result or the failure's code and sentence. Only `log` sees what went wrong unexpectedly.
 */
export async function answer(
  job: IsolatedJob,
  send: (message: ChildMessage) => Promise<void>,
  log: (error: unknown) => void,
): Promise<void> {
  try {
    const result = await queryDataInProcess(job.path, job.args, job.options, () => {
      void send({ type: 'statement' });
    });
    await send({ type: 'result', result });
  } catch (error) {
    const failure = describeFailure(error);
    if (failure.code === 'AnalysisFailed') log(error);
    await send({ type: 'error', ...failure });
  }
}

const errorClasses: Record<
  Exclude<AnalysisErrorCode, 'ColumnNotFound'>,
  new (
    message: string,
  ) => AnalysisError
> = {
  BadRequest: BadRequestError,
  BadData: BadDataError,
  DataNotFound: DataNotFoundError,
  QueryRejected: QueryRejectedError,
  LimitExceeded: LimitExceededError,
  AnalysisFailed: AnalysisFailedError,
};

/** The parent's side of a failure: the same error class with the same sentence. */
export function errorFrom({ code, message }: { code: AnalysisErrorCode; message: string }): AnalysisError {
  const error = code === 'ColumnNotFound' ? new ColumnNotFoundError('', []) : new errorClasses[code](message);
  error.message = message;
  return error;
}

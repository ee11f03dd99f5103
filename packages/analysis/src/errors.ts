import type { AnalysisErrorCode } from '@cascade/core/contract';
import { CodedError } from '@cascade/core/errors';

export type { AnalysisErrorCode } from '@cascade/core/contract';

/**
 * Failures a person can act on. `code` doubles as the Step Functions error name the task
 * reports (SendTaskFailure `error`), and `message` is the one sentence shown as its cause.
 */
export abstract class AnalysisError extends CodedError<AnalysisErrorCode> {}

/** The base of the analysis errors with one code, as core's domain errors are made. */
const analysisError = <Code extends AnalysisErrorCode>(code: Code) =>
  class extends AnalysisError {
    readonly code = code;
  };

/** The request itself is wrong: a missing argument, the same column twice, a malformed URI. */
export class BadRequestError extends analysisError('BadRequest') {}

/** A column the request names is not in the data. */
export class ColumnNotFoundError extends analysisError('ColumnNotFound') {
  constructor(column: string, available: readonly string[]) {
    const shown = available.slice(0, 20).join(', ');
    const more = available.length > 20 ? `, … (${available.length} in all)` : '';
    super(`Column "${column}" is not in the data; its columns are: ${shown}${more}.`);
  }
}

/** The data cannot answer the question as asked: unreadable, empty, wrong types, no variation. */
export class BadDataError extends analysisError('BadData') {}

/** The file or S3 object named as the data does not exist. */
export class DataNotFoundError extends analysisError('DataNotFound') {}

/** The SQL was refused by the sandbox: not one read-only query, or it reaches outside its data. */
export class QueryRejectedError extends analysisError('QueryRejected') {}

/** The work went over its time, memory or size limit and was stopped. */
export class LimitExceededError extends analysisError('LimitExceeded') {}

/** The numbers could not be computed, though the input looked fine. */
export class AnalysisFailedError extends analysisError('AnalysisFailed') {}

/** The error's name and cause as the task reports them; unknown errors say nothing about internals. */
export function describeFailure(error: unknown): { code: AnalysisErrorCode; message: string } {
  if (error instanceof AnalysisError) return { code: error.code, message: error.message };
  return { code: 'AnalysisFailed', message: 'The analysis failed unexpectedly; please try again.' };
}

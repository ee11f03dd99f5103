import { analysisErrorCodes } from '@cascade/core/contract';
import { CodedError } from '@cascade/core/errors';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors';

const { BadDataError, ColumnNotFoundError, describeFailure } = errors;

describe('analysis errors', () => {
  it.each([
    [new errors.BadRequestError('bad'), 'BadRequest'],
    [new ColumnNotFoundError('age', ['id']), 'ColumnNotFound'],
    [new BadDataError('empty'), 'BadData'],
    [new errors.DataNotFoundError('gone'), 'DataNotFound'],
    [new errors.QueryRejectedError('no'), 'QueryRejected'],
    [new errors.LimitExceededError('slow'), 'LimitExceeded'],
    [new errors.AnalysisFailedError('odd'), 'AnalysisFailed'],
  ])('%o carries the contract code %s and is named after its class', (error, code) => {
    expect(error).toBeInstanceOf(CodedError);
    expect(analysisErrorCodes).toContain(code);
    expect(describeFailure(error)).toEqual({ code, message: error.message });
    expect(error.name).toBe(error.constructor.name);
  });

  it('names the columns there are when one is missing, at most twenty', () => {
    const columns = Array.from({ length: 25 }, (_, i) => `c${i}`);
    expect(new ColumnNotFoundError('age', columns).message).toBe(
      `Column "age" is not in the data; its columns are: ${columns.slice(0, 20).join(', ')}, … (25 in all).`,
    );
  });

  it('keeps the cause, and says nothing about internals for any other error', () => {
    const cause = new Error('duckdb: Out of Memory');
    expect(new BadDataError('The file is too large.', { cause }).cause).toBe(cause);
    expect(describeFailure(new TypeError('x is undefined'))).toEqual({
      code: 'AnalysisFailed',
      message: 'The analysis failed unexpectedly; please try again.',
    });
  });
});

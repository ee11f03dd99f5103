import { describe, expect, it } from 'vitest';
import { readableError } from '../../../src/agent/run/readable-error';

describe('readableError', () => {
  const lambdaCause = (errorType: string, errorMessage: string) =>
    JSON.stringify({ errorType, errorMessage, trace: [] });

  it.each([
    [
      { route: 'task' as const, error: { Error: 'States.Timeout' } },
      'The analysis took longer than its time limit and was stopped.',
    ],
    [{ error: { Error: 'States.Timeout' } }, 'A step took longer than its time limit.'],
    [
      { route: 'task' as const, error: { Error: 'States.HeartbeatTimeout' } },
      'The analysis task stopped responding and was given up.',
    ],
    [
      { route: 'task' as const, error: { Error: 'ColumnNotFound', Cause: 'The column "x" does not exist.' } },
      'The column "x" does not exist.',
    ],
    [
      {
        error: {
          Error: 'NotFoundError',
          Cause: lambdaCause('NotFoundError', 'Dataset a.csv was not found.'),
        },
      },
      'Dataset a.csv was not found.',
    ],
    [
      {
        error: {
          Error: 'TypeError',
          Cause: lambdaCause('TypeError', "Cannot read properties of undefined (reading 'x')"),
        },
      },
      'An internal step failed (TypeError); please try again.',
    ],
    [
      { error: { Error: 'Lambda.Unknown', Cause: 'The Lambda runtime crashed' } },
      'An internal step failed (Lambda.Unknown); please try again.',
    ],
    [
      { route: 'task' as const, error: { Error: 'States.TaskFailed', Cause: 'x' } },
      'An internal step failed (States.TaskFailed); please try again.',
    ],
    [
      {
        error: {
          Error: 'ModelRejectedError',
          Cause: lambdaCause(
            'ModelRejectedError',
            'No access to model anthropic.claude-3-haiku-20240307-v1:0 in region eu-west-1: request access in the Bedrock console.',
          ),
        },
      },
      'No access to model anthropic.claude-3-haiku-20240307-v1:0 in region eu-west-1: request access in the Bedrock console.',
    ],
    [
      {
        error: {
          Error: 'ModelUnavailableError',
          Cause: lambdaCause(
            'ModelUnavailableError',
            'Could not reach the model endpoint at http://127.0.0.1:11434/v1: connection refused',
          ),
        },
      },
      'Could not reach the model endpoint at http://127.0.0.1:11434/v1: connection refused',
    ],
    [{}, 'The item failed for an unknown reason.'],
  ])('%j → %s', (state, sentence) => {
    expect(readableError(state)).toBe(sentence);
  });
});

import { admin, authorizer, placeholders, routes, stepFunctions } from '@cascade/functions/definitions';
import { describe, expect, it } from 'vitest';
import {
  adminFunctionName,
  functionArn,
  lambdaContext,
  localName,
  localPlaceholders,
} from '../src/functions';

const arn = (name: string) => functionArn('us-east-1', '000000000000', 'cascade-local', name);

describe('the functions as the local cloud names and calls them', () => {
  it('names each function after its module, an index after its folder', () => {
    expect(localName(stepFunctions.RecordFailureFunctionArn)).toBe('record-failure');
    expect(localName(routes['sessions.list']!)).toBe('sessions-list');
    expect(localName(authorizer)).toBe('authorizer');
    expect(localName(admin)).toBe('admin');
    expect(adminFunctionName('cascade-local')).toBe('cascade-local-admin');
  });

  it('fills every placeholder of the definitions, each step with its own ARN', () => {
    const values = localPlaceholders(arn, 'us-east-1', '000000000000', 'cascade-local');
    expect(Object.keys(values).sort()).toEqual([...placeholders].sort());
    expect(values.ParseFunctionArn).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:cascade-local-parse',
    );
    const stepArns = Object.keys(stepFunctions).map((key) => values[key as keyof typeof values]);
    expect(new Set(stepArns).size).toBe(Object.keys(stepFunctions).length);
  });

  it("gives a handler Lambda's context: its function, memory, a request id and the time it has left", () => {
    const dispatch = stepFunctions.DispatchFunctionArn;
    const first = lambdaContext(dispatch, arn('dispatch'));
    const second = lambdaContext(dispatch, arn('dispatch'));
    expect(first).toMatchObject({
      functionName: 'cascade-local-dispatch',
      invokedFunctionArn: arn('dispatch'),
      memoryLimitInMB: '2048',
      functionVersion: '$LATEST',
    });
    expect(first.awsRequestId).not.toBe(second.awsRequestId);
    expect(first.getRemainingTimeInMillis()).toBeGreaterThan(59_000);
    expect(first.getRemainingTimeInMillis()).toBeLessThanOrEqual(60_000);
  });
});

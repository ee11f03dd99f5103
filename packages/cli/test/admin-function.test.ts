import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { describeInvokeError, invokeAdmin } from '../src/admin-function';
import type { Target } from '../src/target';

const lambda = mockClient(LambdaClient);
afterAll(() => lambda.restore());
beforeEach(() => lambda.reset());

const target: Target = {
  file: 'endpoints.prod.json',
  region: 'eu-west-1',
  websocketUrl: 'wss://x',
  userPoolId: 'eu-west-1_p',
  userPoolClientId: 'c',
  cognitoUrl: 'https://cognito-idp.eu-west-1.amazonaws.com',
  adminFunction: 'cascade-prod-AdminFunction-abc',
  key: 'eu-west-1_p/c',
};
const payload = (value: unknown) => Uint8ArrayBlobAdapter.fromString(JSON.stringify(value));
const named = (name: string) => Object.assign(new Error(name), { name });

describe('invoking the admin function', () => {
  it("sends the request to the target's function and returns its result", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: payload({ ok: true, result: { action: 'enableUser', userId: 'u', email: 'a@example.com' } }),
    });
    const result = await invokeAdmin(target, {}, { action: 'enableUser', email: 'a@example.com' });
    expect(result).toEqual({ action: 'enableUser', userId: 'u', email: 'a@example.com' });
    const [call] = lambda.commandCalls(InvokeCommand);
    expect(call!.args[0].input.FunctionName).toBe('cascade-prod-AdminFunction-abc');
    expect(JSON.parse(new TextDecoder().decode(call!.args[0].input.Payload as Uint8Array))).toEqual({
      action: 'enableUser',
      email: 'a@example.com',
    });
  });

  it("says the function's refusal, and its crash, in one sentence", async () => {
    lambda.on(InvokeCommand).resolvesOnce({
      StatusCode: 200,
      Payload: payload({
        ok: false,
        error: { code: 'NOT_FOUND', message: 'There is no user b@example.com.' },
      }),
    });
    await expect(invokeAdmin(target, {}, { action: 'listKeys', email: 'b@example.com' })).rejects.toThrow(
      /^There is no user b@example\.com\.$/,
    );
    lambda.reset();
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload({ errorType: 'Error', errorMessage: 'DynamoDB throttled' }),
    });
    await expect(invokeAdmin(target, {}, { action: 'listKeys', email: 'b@example.com' })).rejects.toThrow(
      'The admin function failed: DynamoDB throttled.',
    );
  });

  it('refuses a target whose endpoints file names no admin function, before calling AWS', async () => {
    const { adminFunction: _none, ...older } = target;
    await expect(invokeAdmin(older, {}, { action: 'revokeKey', keyId: '0123456789abcdef' })).rejects.toThrow(
      'The endpoints file endpoints.prod.json names no admin function: deploy the stage again (npm run deploy -- STAGE) to write it.',
    );
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it.each([
    [
      named('AccessDeniedException'),
      'Your AWS credentials may not invoke f: use a profile allowed lambda:InvokeFunction on it (AccessDeniedException).',
    ],
    [
      named('CredentialsProviderError'),
      'No AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) to an administrator.',
    ],
    [named('ResourceNotFoundException'), 'The admin function f does not exist: deploy the stage again.'],
    [named('ServiceException'), 'The admin function failed (ServiceException): ServiceException.'],
  ])('describes %s', (error, sentence) => {
    expect(describeInvokeError(error, 'f').message).toBe(sentence);
  });
});

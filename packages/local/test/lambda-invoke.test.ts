import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdge } from '../src/edge/router';
import type { WebSocketGateway } from '../src/gateway/websocket';

/** Lambda's Invoke through the edge, as `cascade admin` calls the admin function, with the real SDK. */
let server: Server;
let lambda: LambdaClient;
const seen: unknown[] = [];

beforeAll(async () => {
  const functions = {
    'cascade-local-admin': async (event: unknown) => {
      seen.push(event);
      return { ok: true, echo: event };
    },
    'cascade-local-broken': async () => {
      throw new TypeError('the handler broke');
    },
  };
  server = createServer(
    createEdge({
      cognito: { url: 'http://127.0.0.1:1', resendCode: async () => 'unknown' },
      // The gateway is never reached here: every request is Lambda's.
      gateway: {} as WebSocketGateway,
      backend: { dynamodb: () => undefined, s3: () => undefined, stepFunctions: {} as never, functions },
      allowedOrigins: [],
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  lambda = new LambdaClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  lambda.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const invoke = (FunctionName: string, payload: unknown) =>
  lambda.send(
    new InvokeCommand({ FunctionName, Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
  );
const decoded = (payload: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(payload));

describe('Lambda Invoke at the edge', () => {
  it("answers with the handler's result, by name or by ARN", async () => {
    const out = await invoke('cascade-local-admin', { action: 'listKeys', email: 'a@example.com' });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(decoded(out.Payload)).toEqual({ ok: true, echo: { action: 'listKeys', email: 'a@example.com' } });
    const byArn = await invoke('arn:aws:lambda:us-east-1:000000000000:function:cascade-local-admin', {
      n: 1,
    });
    expect(decoded(byArn.Payload)).toMatchObject({ echo: { n: 1 } });
  });

  it('reports a handler that throws as Lambda does: FunctionError Unhandled, with its message and type', async () => {
    const out = await invoke('cascade-local-broken', {});
    expect(out.FunctionError).toBe('Unhandled');
    expect(decoded(out.Payload)).toEqual({ errorType: 'TypeError', errorMessage: 'the handler broke' });
  });

  it('refuses an unknown function, and an asynchronous invocation, with the errors Lambda names', async () => {
    await expect(invoke('cascade-local-nope', {})).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'cascade-local-admin', InvocationType: 'Event' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    const before = seen.length;
    const notJson = await fetch(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/2015-03-31/functions/cascade-local-admin/invocations`,
      {
        method: 'POST',
        headers: {
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20261206/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=x',
        },
        body: '{not json',
      },
    );
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    expect(seen.length).toBe(before);
  });
});

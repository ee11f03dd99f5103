import { randomUUID } from 'node:crypto';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { ConnectionsRepository, type RateLimits, type ServerMessage } from '@cascade/core';
import type { APIGatewayRequestAuthorizerEvent, Context, PreSignUpTriggerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { startDynamo, type TestDynamo } from '../../../test/support/dynamo';
import { provideLinks, unlimited } from '../../../test/support/links';
import { startIssuer, type TestIssuer } from '../../../test/support/tokens';
import type { WebSocketEvent } from '../src/ws/event';

export const stateMachineArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:agent';

/**
 * What a deployed handler sees, minus AWS: real tables (dynalite), a real JWKS issuer, links
 * given through SST's own `SST_RESOURCE_*` variables, and mocked Step Functions, S3 and
 * API Gateway management APIs that record every call.
 */
async function startHandlerHarness(options: { limits?: RateLimits } = {}) {
  const dynamo: TestDynamo = await startDynamo();
  const issuer: TestIssuer = await startIssuer();
  provideLinks(dynamo, {
    Datasets: { name: 'datasets' },
    AgentStateMachine: { arn: stateMachineArn },
    Api: { managementEndpoint: 'https://abc123.execute-api.us-east-1.amazonaws.com/test' },
    Auth: { issuer: issuer.issuer, clientId: issuer.clientId },
    Directory: { userPoolId: 'us-east-1_test' },
    Agent: { provider: 'rules', maxSteps: 6 },
    RateLimits: options.limits ?? unlimited,
  });

  const api = mockClient(ApiGatewayManagementApiClient);
  const sfn = mockClient(SFNClient);
  const s3 = mockClient(S3Client);
  const reset = () => {
    api.reset();
    sfn.reset();
    s3.reset();
    api.on(PostToConnectionCommand).resolves({});
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
  };
  reset();

  return {
    dynamo,
    issuer,
    api,
    sfn,
    s3,
    /** The Connections table, for tests that sign a connection in or look one up. */
    connections: new ConnectionsRepository({
      client: dynamo.client,
      tableName: dynamo.tableNames.connections,
    }),
    reset,
    /** Every message posted to a connection, in order. */
    posted(): { connectionId: string; message: ServerMessage }[] {
      return api.commandCalls(PostToConnectionCommand).map((call) => ({
        connectionId: call.args[0].input.ConnectionId!,
        message: JSON.parse(new TextDecoder().decode(call.args[0].input.Data as Uint8Array)),
      }));
    },
    async close() {
      api.restore();
      sfn.restore();
      s3.restore();
      await issuer.close();
      await dynamo.close();
    },
  };
}

type HandlerHarness = Awaited<ReturnType<typeof startHandlerHarness>>;

/**
 * A test file's harness, registered as its hooks: started before its tests (dynalite and the
 * issuer may take seconds on a busy machine), its mocks reset before each, closed after them all.
 */
export function useHandlerHarness(options: { limits?: RateLimits } = {}): HandlerHarness {
  const harness = {} as HandlerHarness;
  beforeAll(async () => {
    Object.assign(harness, await startHandlerHarness(options));
  }, 30_000);
  beforeEach(() => harness.reset());
  afterAll(() => harness.close());
  return harness;
}

export interface Who {
  userId: string;
  tenantId?: string;
  email?: string;
}

export function messageEvent(connectionId: string, body: unknown, who: Who | null): WebSocketEvent {
  const action =
    typeof body === 'object' && body !== null && 'action' in body
      ? String((body as { action: unknown }).action)
      : '$default';
  return {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      connectionId,
      routeKey: action,
      eventType: 'MESSAGE',
      stage: 'test',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      apiId: 'abc123',
      requestId: randomUUID(),
      messageId: randomUUID(),
      connectedAt: Date.now(),
      authorizer: who
        ? {
            principalId: who.userId,
            userId: who.userId,
            tenantId: who.tenantId ?? 'acme',
            email: who.email ?? '',
          }
        : null,
    },
  };
}

export function connectEvent(connectionId: string, who: Who | null): WebSocketEvent {
  const event = messageEvent(connectionId, '', who);
  return {
    ...event,
    body: null,
    requestContext: { ...event.requestContext, routeKey: '$connect', eventType: 'CONNECT' },
  };
}

/** `$connect`'s authorizer event: a token in `?token=`, or any other query (`{ apiKey }`). */
export function authorizerEvent(
  token?: string,
  query: Record<string, string> = {},
): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/test/$connect',
    headers: {},
    multiValueHeaders: {},
    path: '',
    httpMethod: 'GET',
    pathParameters: {},
    stageVariables: {},
    resource: '',
    multiValueQueryStringParameters: {},
    queryStringParameters: { ...(token !== undefined && { token }), ...query },
    requestContext: { requestId: randomUUID() } as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

/** Cognito's pre-sign-up event for a pool whose username is the email (the username is the new user's sub). */
export function preSignUpEvent(
  email: string | undefined,
  triggerSource: PreSignUpTriggerEvent['triggerSource'] = 'PreSignUp_SignUp',
): PreSignUpTriggerEvent {
  return {
    version: '1',
    triggerSource,
    region: 'us-east-1',
    userPoolId: 'us-east-1_Pool12345',
    userName: randomUUID(),
    callerContext: { awsSdkVersion: 'aws-sdk-js-3', clientId: 'webclient' },
    request: { userAttributes: email === undefined ? {} : { email } },
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  } as PreSignUpTriggerEvent;
}

/** The parts of Lambda's context a handler's log lines carry. */
export const lambdaContext = (functionName: string, awsRequestId: string = randomUUID()) =>
  ({
    functionName,
    awsRequestId,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    functionVersion: '$LATEST',
    memoryLimitInMB: '512',
  }) as Context;

/**
 * Modules loaded afresh with this environment (the logger takes its level from it once, and
 * Powertools restores that level at every invocation), and every line the process writes after.
 */
export async function loadedWith<Modules>(
  env: Record<string, string | undefined>,
  load: () => Promise<Modules>,
) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  const modules = await load();
  vi.unstubAllEnvs();
  const written: string[] = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  /** What was written, one JSON object a line. */
  const lines = () =>
    written
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { modules, written, lines };
}

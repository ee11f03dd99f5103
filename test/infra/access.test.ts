import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import {
  AdminGetUserCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  DescribeExecutionCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ConnectionsRepository,
  defaultRateLimits,
  ExecutionsRepository,
  executionIdFor,
  fingerprint,
  ItemsRepository,
  LocksRepository,
  newSessionIdFor,
  SessionsRepository,
  sessionLockName,
  type TableKey,
  tables,
} from '@cascade/core';
import { toolDeclarations } from '@cascade/core/agent/tools';
import { turnKey } from '@cascade/core/agent/transcript';
import type { BucketPrefix } from '@cascade/core/bucket';
import {
  type Access,
  allFunctions,
  type LambdaDefinition,
  linksOf,
  type TableName,
  tablesOf,
} from '@cascade/functions/definitions';
import type { Links } from '@cascade/functions/resources';
import { tableLinks } from '@cascade/local/links';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  authorizerEvent,
  connectEvent,
  messageEvent,
  preSignUpEvent,
} from '../../packages/functions/test/harness';
import {
  type AppArns,
  bedrockModelResources,
  functionStatements,
  type Statement,
} from '../../stacks/permissions';
import { converseEvents } from '../support/converse-stream';
import { startDynamo, type TestDynamo } from '../support/dynamo';
import { memoryS3 } from '../support/s3-memory';
import { startIssuer, type TestIssuer } from '../support/tokens';
import { root } from './platform';

/**
 * Least privilege, checked against what the code really does. Each handler runs the way Lambda
 * runs it (a fresh module, so its clients are built anew) with only the links its access names:
 * SST's own `Resource` refuses any other. Every AWS call it makes is recorded (dynalite for
 * DynamoDB, mocks for the rest) and must be allowed by the IAM statements the stacks give it;
 * and everything it is given must be used by some call, so nothing is granted for nothing.
 */

const region = 'us-east-1';
const account = '123456789012';
const bucket = 'cascade-data';
const modelId = 'amazon.nova-pro-v1:0';
const stateMachineArn = `arn:aws:states:${region}:${account}:stateMachine:cascade-test-agent`;
const api = { id: 'abc123', stage: 'test' };
const alice = { userId: 'alice-sub', tenantId: 'acme', email: 'alice@example.com' };

type FunctionName = keyof typeof allFunctions & string;
interface Call {
  command: string;
  input: Record<string, unknown>;
}
interface Observation {
  calls: Call[];
  /** Links the code read. */
  read: Set<string>;
  /** Links the code asked for but was not linked to. */
  refused: Set<string>;
  /** Presigned URLs it handed out: the signer's permissions apply when they are used. */
  presigned: string[];
}

let dynamo: TestDynamo;
let issuer: TestIssuer;
const s3 = memoryS3();
const sfn = mockClient(SFNClient);
const apiGateway = mockClient(ApiGatewayManagementApiClient);
const bedrock = mockClient(BedrockRuntimeClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const userPoolId = 'us-east-1_pool';
const observations = new Map<FunctionName, Observation[]>();

// SST's link store, read by `Resource` from `sst/resource`: gated to the running function's links.
const linkStore: Record<string, unknown> = { App: { name: 'cascade', stage: 'test' } };
let linked = new Set<string>();
let current: Observation | undefined;
(globalThis as { __SST_RESOURCE_RAW__?: unknown }).__SST_RESOURCE_RAW__ = new Proxy(linkStore, {
  has(target, prop) {
    if (typeof prop !== 'string' || prop === 'App') return prop in target;
    if (!linked.has(prop)) {
      current?.refused.add(prop);
      return false;
    }
    current?.read.add(prop);
    return prop in target;
  },
});

// DynamoDB runs for real (dynalite); its calls are recorded on the way out.
const documentSend = DynamoDBDocumentClient.prototype.send;
DynamoDBDocumentClient.prototype.send = function (
  this: DynamoDBDocumentClient,
  command: never,
  ...rest: never[]
) {
  const { input } = command as { input: Record<string, unknown> };
  current?.calls.push({ command: (command as object).constructor.name, input });
  return (documentSend as (...args: unknown[]) => unknown).call(this, command, ...rest);
} as typeof documentSend;

const mockedCalls = () =>
  [s3.mock, sfn, apiGateway, bedrock, cognito].flatMap((mock) =>
    mock.calls().map((call) => {
      const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
      return { command: command.constructor.name, input: command.input };
    }),
  );

type Handler = (event: unknown) => Promise<unknown>;

/** Runs `body` as the given function's Lambda: a fresh module graph, only its links, its calls recorded. */
async function as<T>(name: FunctionName, body: (handler: Handler) => Promise<T>): Promise<T> {
  const definition: LambdaDefinition = allFunctions[name]!;
  vi.resetModules();
  for (const mock of [s3.mock, sfn, apiGateway, bedrock, cognito]) mock.resetHistory();
  linked = new Set(linksOf(definition.access));
  const observation: Observation = { calls: [], read: new Set(), refused: new Set(), presigned: [] };
  current = observation;
  try {
    const file = definition.handler.slice(0, definition.handler.lastIndexOf('.'));
    const module = (await import(join(root, `${file}.ts`))) as Record<string, Handler>;
    const handler = module[definition.handler.slice(definition.handler.lastIndexOf('.') + 1)];
    if (!handler) throw new Error(`${definition.handler} does not export its handler`);
    const result = await body(handler);
    observation.calls.push(...mockedCalls());
    observations.set(name, [...(observations.get(name) ?? []), observation]);
    return result;
  } finally {
    current = undefined;
  }
}

const connections = () =>
  new ConnectionsRepository({ client: dynamo.client, tableName: dynamo.tableNames.connections });

/** Both of alice's connections exist before each step: one live, one that API Gateway reports gone. */
async function connectAlice() {
  await connections().put({ connectionId: 'alice-1', userId: alice.userId, tenantId: alice.tenantId });
  await connections().put({ connectionId: 'gone-1', userId: alice.userId, tenantId: alice.tenantId });
}

/** A message from one of alice's connections, as API Gateway delivers it (to the API and stage of `api`). */
const message = (connectionId: string, body: unknown) => messageEvent(connectionId, body, alice);

/** What each route sends back to the connection that asked. */
const replies = () =>
  apiGateway
    .commandCalls(PostToConnectionCommand)
    .map(
      (c) =>
        JSON.parse(new TextDecoder().decode(c.args[0].input.Data as Uint8Array)) as Record<string, unknown>,
    );

/** A route's request from the live connection, then again from the gone one (its reply forgets it). */
async function route(name: FunctionName, body: unknown, expected: 'answer' | 'error' = 'answer') {
  await connectAlice();
  const answers = await as(name, async (handler) => {
    expect(await handler(message('alice-1', body))).toEqual({ statusCode: 200 });
    return replies();
  });
  // A route turns failures into protocol errors; say which links the code asked for in vain.
  const refused = [...observations.get(name)!.at(-1)!.refused];
  await connectAlice();
  await as(name, (handler) => handler(message('gone-1', body)));
  if (expected === 'answer')
    for (const answer of answers)
      expect(
        answer.action === 'error'
          ? `${name}: ${answer.code} ${answer.message}; not linked: ${refused}`
          : 'ok',
      ).toBe('ok');
  else expect(answers.map((a) => a.action)).toEqual(['error']);
  return answers;
}

beforeAll(async () => {
  dynamo = await startDynamo('access');
  issuer = await startIssuer();
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
  const links: Links = {
    ...tableLinks(dynamo.tableNames),
    Datasets: { name: bucket },
    AgentStateMachine: { arn: stateMachineArn },
    Api: { managementEndpoint: `https://${api.id}.execute-api.${region}.amazonaws.com/${api.stage}` },
    Auth: { issuer: issuer.issuer, clientId: issuer.clientId },
    Directory: { userPoolId },
    Agent: { provider: 'rules', maxSteps: 6 },
    RateLimits: defaultRateLimits,
    SignUp: { domains: ['example.com'] },
  };
  Object.assign(linkStore, links);

  const lalonde = [
    'treat,age,educ,re74,re75,re78',
    ...Array.from(
      { length: 30 },
      (_, i) => `${i % 2},${20 + i},${8 + (i % 6)},${100 * i},${90 * i},${5000 + 40 * i}`,
    ),
  ].join('\n');
  s3.put(bucket, 'samples/lalonde.csv', `${lalonde}\n`, { rows: '30', columns: '6', title: 'LaLonde' });
  s3.put(bucket, `users/${alice.userId}/mine.csv`, 'a,b\n1,2\n', { rows: '1', columns: '2' });
  // Above every engine tool's inline size (profile: 16 MB), so Dispatch leaves it to the task.
  const large = `a,b\n${'1,2\n'.repeat(4_500_000)}`;
  expect(large.length).toBeGreaterThan(toolDeclarations.profile.inlineMaxBytes);
  s3.put(bucket, `users/${alice.userId}/large.csv`, large, { rows: '4500000', columns: '2' });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
  sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
  sfn
    .on(DescribeExecutionCommand)
    .rejects(new SFNServiceException({ name: 'ExecutionDoesNotExist', $fault: 'client', $metadata: {} }));
  apiGateway.on(PostToConnectionCommand).resolves({});
  apiGateway.on(DeleteConnectionCommand).resolves({});
  cognito.on(AdminGetUserCommand, { Username: alice.email }).resolves({
    Username: alice.userId,
    Enabled: true,
    UserAttributes: [
      { Name: 'sub', Value: alice.userId },
      { Name: 'email', Value: alice.email },
      { Name: 'custom:tenantId', Value: alice.tenantId },
    ],
  });
  cognito.on(AdminUserGlobalSignOutCommand).resolves({});
  apiGateway
    .on(PostToConnectionCommand, { ConnectionId: 'gone-1' })
    .rejects(new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } }));
  bedrock.on(ConverseStreamCommand).callsFake(async () => ({
    $metadata: { httpStatusCode: 200 },
    stream: converseEvents(
      [{ toolUse: { toolUseId: 'tu1', name: 'final_answer', input: { text: 'It has 30 rows.' } } }],
      'tool_use',
    ),
  }));

  // Sign-up (CASCADE_SIGNUP=domains:…), then sign-in and connection.
  await as('trigger preSignUp', async (handler) => {
    await handler(preSignUpEvent(alice.email));
    await expect(handler(preSignUpEvent('eve@gmail.com'))).rejects.toThrow('Sign-up is open');
  });
  await as('authorizer', async (handler) => {
    const allowed = await handler(authorizerEvent(await issuer.idToken(alice.userId)));
    expect(allowed).toMatchObject({ policyDocument: { Statement: [{ Effect: 'Allow' }] } });
  });
  await as('route $connect', (handler) => handler(connectEvent('alice-1', alice)));
  await connections().put({ connectionId: 'temp-1', userId: alice.userId, tenantId: alice.tenantId });
  await as('route $disconnect', (handler) => handler(message('temp-1', '')));
  await route('route $default', 'not json', 'error');
  await route('route ping', { action: 'ping', messageId: 'p1' });

  // A question starts a run; a message whose first attempt stopped half-way resumes it.
  // Three items: a small dataset Dispatch answers itself, a large one it leaves to the analysis
  // task, and one Finish settles.
  const profile = {
    action: 'query',
    messageId: randomUUID(),
    payload: {
      content: 'profile lalonde.csv',
      items: [
        { id: 'first', input: 'profile lalonde.csv' },
        { id: 'large', input: 'profile large.csv' },
        { id: 'second', input: 'describe lalonde.csv' },
      ],
    },
  };
  const [ack] = await route('route query', profile);
  const executionA = ack!.executionId as string;
  const sessionA = ack!.sessionId as string;
  const resumed = { action: 'query', messageId: randomUUID(), payload: { content: 'describe lalonde.csv' } };
  // What the first attempt left: the session, its lock and a PENDING execution.
  const resumedSession = newSessionIdFor(alice.userId, resumed.messageId);
  const resumedExecution = executionIdFor(alice.userId, resumed.messageId);
  const table = (name: keyof TestDynamo['tableNames']) => ({
    client: dynamo.client,
    tableName: dynamo.tableNames[name],
  });
  await new SessionsRepository(table('sessions')).create({
    sessionId: resumedSession,
    userId: alice.userId,
    tenantId: alice.tenantId,
    title: 'describe',
  });
  await new LocksRepository(table('locks')).acquire(sessionLockName(resumedSession), resumedExecution, 3600);
  await new ExecutionsRepository(table('executions')).create({
    executionId: resumedExecution,
    messageId: resumed.messageId,
    userId: alice.userId,
    tenantId: alice.tenantId,
    sessionId: resumedSession,
    totalItems: 1,
    startedAt: new Date().toISOString(),
    requestHash: fingerprint({ sessionId: null, payload: resumed.payload }),
    request: { content: resumed.payload.content, maxConcurrency: 10 },
  });
  await route('route query', resumed);

  // The reads.
  await route('route sessions.list', { action: 'sessions.list' });
  await route('route session.history', { action: 'session.history', payload: { sessionId: sessionA } });
  await route('route execution.get', { action: 'execution.get', payload: { executionId: executionA } });
  await route('route execution.trace', {
    action: 'execution.trace',
    payload: { executionId: executionA, itemId: 'first' },
  });
  await route('route executions.list', {
    action: 'executions.list',
    payload: { limit: 5, status: 'RUNNING' },
  });
  await route('route datasets.list', { action: 'datasets.list' });
  await route('route locks.list', { action: 'locks.list' });
  await route('route connections.list', { action: 'connections.list' });

  // A personal API key: made, let in at the handshake, listed, revoked (closing what it opened).
  const [minted] = await route('route key.create', { action: 'key.create', payload: { name: 'ci' } });
  const keyId = (minted!.key as { keyId: string }).keyId;
  await as('authorizer', async (handler) => {
    const allowed = await handler(authorizerEvent(undefined, { apiKey: minted!.secret as string }));
    expect(allowed).toMatchObject({ policyDocument: { Statement: [{ Effect: 'Allow' }] } });
  });
  await route('route keys.list', { action: 'keys.list' });
  await connections().put({
    connectionId: 'key-1',
    userId: alice.userId,
    tenantId: alice.tenantId,
    via: 'apiKey',
    keyId,
  });
  await route('route key.revoke', { action: 'key.revoke', payload: { keyId } });
  const [upload] = await route('route dataset.upload', {
    action: 'dataset.upload',
    payload: { name: 'new.csv', sizeBytes: 120 },
  });
  observations.get('route dataset.upload')![0]!.presigned.push(upload!.url as string);

  const items = new ItemsRepository({ client: dynamo.client, tableName: dynamo.tableNames.items });
  const stateOf = (itemId: string) => ({
    executionId: executionA,
    sessionId: sessionA,
    ...alice,
    itemId,
    turn: 0,
  });
  expect((await items.list(executionA)).map((i) => i.itemId)).toEqual(['first', 'large', 'second']);
  const step = (name: FunctionName, state: object) =>
    as(name, async (handler) => {
      await connectAlice();
      return (await handler(state)) as Record<string, unknown>;
    });

  // A small dataset: parse, model, Dispatch runs the engine itself and keeps the result in results/,
  // then the model answers.
  const parsedSmall = await step('step ParseFunctionArn', stateOf('first'));
  const decidedSmall = await step('step InvokeModelFunctionArn', parsedSmall);
  const inline = await step('step DispatchFunctionArn', decidedSmall);
  expect(inline.route).toBe('inline');
  const inlineTurn = (await items.get(executionA, 'first'))!.turns![turnKey(0, 'tool')];
  expect(inlineTurn).toMatchObject({ kind: 'tool', name: 'profile', ok: true });
  const inlineResult = (inlineTurn as { resultUri: string }).resultUri.replace(`s3://${bucket}/`, '');
  expect(inlineResult).toMatch(/^results\//);
  expect(s3.json<{ rows: number }>(bucket, inlineResult)).toMatchObject({ rows: 30 });
  const appendedSmall = await step('step AppendFunctionArn', inline);
  const answeredSmall = await step('step InvokeModelFunctionArn', appendedSmall);
  const finishingSmall = await step('step DispatchFunctionArn', answeredSmall);
  expect((await step('step AppendFunctionArn', finishingSmall)).done).toBe(true);

  // A dataset above the inline size: parse, model, Dispatch writes a job for the task to jobs/, the
  // task's result, model, answer.
  const parsed = await step('step ParseFunctionArn', stateOf('large'));
  const decided = await step('step InvokeModelFunctionArn', parsed);
  const dispatched = await step('step DispatchFunctionArn', decided);
  expect(dispatched.route).toBe('task');
  const job = s3.json<{ resultUri: string; tool: string }>(
    bucket,
    (dispatched.job as { uri: string }).uri.replace(`s3://${bucket}/`, ''),
  )!;
  s3.put(
    bucket,
    job.resultUri.replace(`s3://${bucket}/`, ''),
    // As the analysis task writes it: the tool's result, plus its chat output.
    JSON.stringify({ rows: 30, columns: [], output: { text: 'profile' } }),
  );
  const appended = await step('step AppendFunctionArn', {
    ...dispatched,
    taskResult: { resultUri: job.resultUri },
  });
  const answered = await step('step InvokeModelFunctionArn', appended);
  const finishing = await step('step DispatchFunctionArn', answered);
  const done = await step('step AppendFunctionArn', finishing);
  expect(done.done).toBe(true);
  await step('step FinishFunctionArn', {
    executionId: executionA,
    sessionId: sessionA,
    ...alice,
    items: [{ id: 'first' }, { id: 'large' }],
    options: { maxConcurrency: 10 },
  });

  // A second run: the model is Bedrock's, an item fails for good, and the run stops on AWS.
  const second = {
    action: 'query',
    messageId: randomUUID(),
    payload: {
      content: 'describe lalonde.csv',
      // Named, so the query route checks it exists (the user's uploads, then the samples).
      datasetId: 'lalonde.csv',
      items: [
        { id: 'b1', input: 'describe lalonde.csv' },
        { id: 'b2', input: 'profile lalonde.csv' },
      ],
    },
  };
  const [ackB] = await route('route query', second);
  const executionB = ackB!.executionId as string;
  const itemB = (await items.list(executionB)).find((i) => i.itemId === 'b1');
  const stateB = {
    executionId: executionB,
    sessionId: ackB!.sessionId,
    ...alice,
    itemId: itemB!.itemId,
    turn: 0,
  };
  linkStore.Agent = { provider: 'bedrock', modelId, maxSteps: 6, maxOutputTokens: 4096 };
  const parsedB = await step('step ParseFunctionArn', stateB);
  await step('step InvokeModelFunctionArn', parsedB);
  linkStore.Agent = { provider: 'rules', maxSteps: 6 };
  // An item written before items carried their message (a run in flight across a deploy): Parse
  // reads what the message said from the run.
  await items.createBatch(executionB, [{ itemId: 'b0', index: 2, input: 'describe lalonde.csv' }]);
  await step('step ParseFunctionArn', { ...stateB, itemId: 'b0' });
  await step('step RecordFailureFunctionArn', { ...parsedB, error: { Error: 'Boom', Cause: 'it broke' } });
  await as('executionEnded', async (handler) => {
    await connectAlice();
    return handler({ detail: { name: executionB, status: 'FAILED', error: 'States.Timeout' } });
  });

  // A third run, cancelled by the user.
  const third = { action: 'query', messageId: randomUUID(), payload: { content: 'profile lalonde.csv' } };
  const [ackC] = await route('route query', third);
  await route('route execution.cancel', {
    action: 'execution.cancel',
    payload: { executionId: ackC!.executionId },
  });

  // Ending access, last: from here on alice's tokens are refused.
  await route('route signout.everywhere', { action: 'signout.everywhere' });
  const [again] = await route('route key.create', { action: 'key.create' });
  await as('admin', async (handler) => {
    expect(await handler({ action: 'listKeys', email: alice.email })).toMatchObject({ ok: true });
    await connectAlice();
    expect(await handler({ action: 'disableUser', email: alice.email })).toMatchObject({ ok: true });
    expect(await handler({ action: 'enableUser', email: alice.email })).toMatchObject({ ok: true });
    const keyId = (again!.key as { keyId: string }).keyId;
    expect(await handler({ action: 'revokeKey', keyId })).toMatchObject({ ok: true });
  });
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  DynamoDBDocumentClient.prototype.send = documentSend;
  await issuer?.close();
  await dynamo?.close();
});

// ---------------------------------------------------------------------------------------------
// From calls to IAM.

const tableArn = (physical: string) => `arn:aws:dynamodb:${region}:${account}:table/${physical}`;
const arns = (): AppArns<string> => ({
  tables: Object.fromEntries(
    (Object.entries(dynamo.tableNames) as [TableKey, string][]).map(([key, physical]) => [
      tables[key].name,
      tableArn(physical),
    ]),
  ) as Record<TableName, string>,
  bucket: `arn:aws:s3:::${bucket}`,
  stateMachine: stateMachineArn,
  executions: stateMachineArn.replace(':stateMachine:', ':execution:'),
  api: `arn:aws:execute-api:${region}:${account}:${api.id}`,
  userPool: `arn:aws:cognito-idp:${region}:${account}:userpool/${userPoolId}`,
  model: bedrockModelResources(
    modelId,
    (p) =>
      `arn:aws:${p.service}:${p.region === 'this' ? region : '*'}:${p.account === 'this' ? account : ''}:${p.resource}`,
  ),
});

interface Need {
  action: string;
  resource: string;
}

/** The IAM action and resource each SDK call needs. */
function needs(call: Call): Need[] {
  const input = call.input as Record<string, string> & { RequestItems?: Record<string, unknown> };
  const object = () => `arn:aws:s3:::${input.Bucket}/${input.Key}`;
  const dynamodb = (action: string) => [
    { action: `dynamodb:${action}`, resource: tableArn(input.TableName!) },
  ];
  switch (call.command) {
    case 'GetCommand':
      return dynamodb('GetItem');
    case 'PutCommand':
      return dynamodb('PutItem');
    case 'UpdateCommand':
      return dynamodb('UpdateItem');
    case 'DeleteCommand':
      return dynamodb('DeleteItem');
    case 'QueryCommand':
      return [
        {
          action: 'dynamodb:Query',
          resource: tableArn(input.TableName!) + (input.IndexName ? `/index/${input.IndexName}` : ''),
        },
      ];
    case 'BatchWriteCommand':
      return Object.keys(input.RequestItems!).map((table) => ({
        action: 'dynamodb:BatchWriteItem',
        resource: tableArn(table),
      }));
    case 'GetObjectCommand':
      return [{ action: 's3:GetObject', resource: object() }];
    // A missing key answers 404 (which the catalog relies on) only with ListBucket; else 403.
    case 'HeadObjectCommand':
      return [
        { action: 's3:GetObject', resource: object() },
        { action: 's3:ListBucket', resource: `arn:aws:s3:::${input.Bucket}` },
      ];
    case 'PutObjectCommand':
      return [{ action: 's3:PutObject', resource: object() }];
    case 'ListObjectsV2Command':
      return [{ action: 's3:ListBucket', resource: `arn:aws:s3:::${input.Bucket}` }];
    case 'StartExecutionCommand':
      return [{ action: 'states:StartExecution', resource: input.stateMachineArn! }];
    case 'DescribeExecutionCommand':
      return [{ action: 'states:DescribeExecution', resource: input.executionArn! }];
    case 'StopExecutionCommand':
      return [{ action: 'states:StopExecution', resource: input.executionArn! }];
    case 'PostToConnectionCommand':
      return [
        {
          action: 'execute-api:ManageConnections',
          resource: `arn:aws:execute-api:${region}:${account}:${api.id}/${api.stage}/POST/@connections/${input.ConnectionId}`,
        },
      ];
    case 'DeleteConnectionCommand':
      return [
        {
          action: 'execute-api:ManageConnections',
          resource: `arn:aws:execute-api:${region}:${account}:${api.id}/${api.stage}/DELETE/@connections/${input.ConnectionId}`,
        },
      ];
    case 'AdminGetUserCommand':
    case 'AdminUserGlobalSignOutCommand':
      return [
        {
          action: `cognito-idp:${call.command.replace(/Command$/, '')}`,
          resource: `arn:aws:cognito-idp:${region}:${account}:userpool/${input.UserPoolId}`,
        },
      ];
    case 'ConverseStreamCommand':
      return [
        {
          action: 'bedrock:InvokeModelWithResponseStream',
          resource: `arn:aws:bedrock:${region}::foundation-model/${input.modelId}`,
        },
      ];
    default:
      throw new Error(`The audit does not know which permission ${call.command} needs`);
  }
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
const allows = (statements: Statement[], need: Need) =>
  statements.some(
    (s) =>
      !s.conditions &&
      s.actions.some((a) => glob(a).test(need.action)) &&
      s.resources.some((r) => glob(r).test(need.resource)),
  );

/** What a function was seen doing, in the vocabulary of its declared access. */
function observedAccess(seen: Observation[]): Access {
  const calls = seen.flatMap((o) => o.calls);
  const all = calls.flatMap(needs);
  const names = arns();
  const tableOf = (resource: string) =>
    (Object.entries(names.tables).find(([, arn]) => resource === arn || resource.startsWith(`${arn}/`)) ??
      [])[0] as TableName | undefined;
  const tables: Partial<Record<TableName, 'read' | 'write'>> = {};
  for (const need of all.filter((n) => n.action.startsWith('dynamodb:'))) {
    const table = tableOf(need.resource)!;
    const writes = !['dynamodb:GetItem', 'dynamodb:Query'].includes(need.action);
    tables[table] = writes || tables[table] === 'write' ? 'write' : 'read';
  }
  const prefixes = (action: string) =>
    [
      ...new Set(
        [
          ...all.filter((n) => n.action === action).map((n) => n.resource),
          ...(action === 's3:PutObject'
            ? seen.flatMap((o) => o.presigned.map((url) => `arn:aws:s3:::${bucket}${new URL(url).pathname}`))
            : []),
        ].map(
          (resource) => `${resource.replace(`arn:aws:s3:::${bucket}/`, '').split('/')[0]}/` as BucketPrefix,
        ),
      ),
    ].sort();
  const read = prefixes('s3:GetObject');
  const write = prefixes('s3:PutObject');
  const list = all.some((n) => n.action === 's3:ListBucket');
  const operations = (['start', 'describe', 'stop'] as const).filter((op) =>
    all.some(
      (n) =>
        n.action ===
        `states:${{ start: 'StartExecution', describe: 'DescribeExecution', stop: 'StopExecution' }[op]}`,
    ),
  );
  const refs = new Set(seen.flatMap((o) => [...o.read]));
  const cognitoOperations = (['find', 'signOut'] as const).filter((op) =>
    all.some(
      (n) => n.action === `cognito-idp:${{ find: 'AdminGetUser', signOut: 'AdminUserGlobalSignOut' }[op]}`,
    ),
  );
  return {
    ...(Object.keys(tables).length > 0 && { tables }),
    ...((list || read.length > 0 || write.length > 0) && {
      datasets: {
        ...(list && { list: true as const }),
        ...(read.length > 0 && { read }),
        ...(write.length > 0 && { write }),
      },
    }),
    ...(operations.length > 0 && { stateMachine: operations }),
    ...(all.some((n) => n.resource.includes('/POST/@connections/')) && { notify: true as const }),
    ...(all.some((n) => n.resource.includes('/DELETE/@connections/')) && { disconnect: true as const }),
    ...(cognitoOperations.length > 0 && { cognito: cognitoOperations }),
    ...(refs.has('Auth') && { auth: true as const }),
    ...(refs.has('Agent') && {
      agent: all.some((n) => n.action.startsWith('bedrock:InvokeModel'))
        ? ('model' as const)
        : ('config' as const),
    }),
    ...(refs.has('SignUp') && { signUp: true as const }),
  };
}

/** The declared access in the same shape: notify's Connections folded in, prefixes sorted. */
function declaredAccess(access: Access): Access {
  const { datasets, notify, auth, agent, stateMachine, signUp, disconnect, cognito } = access;
  const tables = tablesOf(access);
  return {
    ...(Object.keys(tables).length > 0 && { tables }),
    ...(datasets && {
      datasets: {
        ...(datasets.list && { list: true as const }),
        ...(datasets.read && { read: [...datasets.read].sort() }),
        ...(datasets.write && { write: [...datasets.write].sort() }),
      },
    }),
    ...(stateMachine && {
      stateMachine: (['start', 'describe', 'stop'] as const).filter((op) => stateMachine.includes(op)),
    }),
    ...(notify && { notify }),
    ...(disconnect && { disconnect }),
    ...(cognito && { cognito: (['find', 'signOut'] as const).filter((op) => cognito.includes(op)) }),
    ...(auth && { auth }),
    ...(agent && { agent }),
    ...(signUp && { signUp }),
  };
}

describe.each(Object.keys(allFunctions) as FunctionName[])('%s', (name) => {
  const definition = allFunctions[name]!;

  it('ran with only its links, and uses each of them', () => {
    const seen = observations.get(name) ?? [];
    expect(seen.length, `${name} was never run by the audit`).toBeGreaterThan(0);
    expect([...new Set(seen.flatMap((o) => [...o.refused]))]).toEqual([]);
    // Used: read through `Resource`, or reached by its AWS calls (a result's S3 pointer names the bucket).
    const used = new Set<string>(seen.flatMap((o) => [...o.read]));
    const observed = observedAccess(seen);
    for (const table of Object.keys(observed.tables ?? {})) used.add(table);
    if (observed.datasets) used.add('Datasets');
    expect([...used].sort()).toEqual(linksOf(definition.access));
  });

  it('is allowed every AWS call it made', () => {
    const statements = functionStatements(definition.access, arns(), (arn, suffix) => `${arn}${suffix}`);
    const seen = observations.get(name) ?? [];
    const denied = seen
      .flatMap((o) => [
        ...o.calls.flatMap(needs),
        ...o.presigned.map((url) => ({
          action: 's3:PutObject',
          resource: `arn:aws:s3:::${bucket}${new URL(url).pathname}`,
        })),
      ])
      .filter((need) => !allows(statements, need));
    expect(denied).toEqual([]);
  });

  it('is given nothing it did not use', () => {
    expect(observedAccess(observations.get(name) ?? [])).toEqual(declaredAccess(definition.access));
  });
});

import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { clientActions, defaultRateLimits, renderStateMachine, tables } from '@cascade/core';
import aslValidator from 'asl-validator';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import definition from '../../../statemachines/agent.asl.json';
import { startLocalStackBackend } from '../src/backends/localstack';
import { functionArn, localPlaceholders } from '../src/functions';
import { handler as launcher } from '../src/localstack/launcher';
import { functionsOf, provisionLocalStack, withEcsLauncher } from '../src/localstack/provision';
import { remoteHandler } from '../src/localstack/remote';

const root = resolve(import.meta.dirname, '../../..');
const arn = (name: string) => functionArn('us-east-1', '000000000000', 'cascade-local', name);

describe('LocalStack mode', () => {
  it('swaps RunAnalysis for the launcher Lambda, keeping the token, the job pointer and the limits; the rest is the same file', () => {
    const rendered = renderStateMachine(
      definition,
      localPlaceholders(arn, 'us-east-1', '000000000000', 'cascade-local'),
    );
    const swapped = withEcsLauncher(rendered, arn('ecs-launcher')) as typeof rendered;
    const run = swapped.States.ProcessItems.ItemProcessor.States.RunAnalysis as unknown as Record<
      string,
      unknown
    >;
    expect(run).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: arn('ecs-launcher'),
        Payload: {
          environment: [
            { Name: 'TASK_TOKEN', 'Value.$': '$$.Task.Token' },
            { Name: 'JOB_URI', 'Value.$': '$.job.uri' },
            { Name: 'ANALYSIS_MEMORY_LIMIT', 'Value.$': '$.job.memoryLimit' },
          ],
        },
      },
      HeartbeatSeconds: 300,
      TimeoutSeconds: 900,
      ResultSelector: { 'resultUri.$': '$.resultUri' },
      Next: 'Append',
    });
    const { RunAnalysis: _a, ...others } = swapped.States.ProcessItems.ItemProcessor.States;
    const { RunAnalysis: _b, ...originals } = rendered.States.ProcessItems.ItemProcessor.States;
    expect(others).toEqual(originals);
    expect(aslValidator(swapped).errors).toEqual([]);
  });

  it('deploys every handler module, and each one exists', () => {
    const functions = functionsOf(root);
    for (const fn of functions) expect(existsSync(fn.entry), fn.entry).toBe(true);
    const names = functions.map((f) => f.name);
    for (const action of clientActions) expect(names).toContain(action.replace(/\./g, '-'));
    expect(names).toEqual(
      expect.arrayContaining([
        'authorizer',
        'connect',
        'disconnect',
        'default',
        'parse',
        'finish',
        'execution-ended',
        'ecs-launcher',
      ]),
    );
  });

  it('provisions tables, bucket, roles, functions with their links and the state machine', async () => {
    const dynamo = mockClient(DynamoDBClient);
    const s3 = mockClient(S3Client);
    const iam = mockClient(IAMClient);
    const lambda = mockClient(LambdaClient);
    const sfn = mockClient(SFNClient);
    const events = mockClient(EventBridgeClient);
    try {
      dynamo.on(ListTablesCommand).resolves({ TableNames: [] });
      dynamo.on(CreateTableCommand).resolves({});
      s3.onAnyCommand().resolves({});
      iam.on(GetRoleCommand).rejects(new Error('NoSuchEntity'));
      iam
        .on(CreateRoleCommand)
        .callsFake(async (input) => ({ Role: { Arn: `arn:aws:iam::000000000000:role/${input.RoleName}` } }));
      const deployed = new Set<string>();
      lambda.on(GetFunctionCommand).callsFake(async ({ FunctionName }) => {
        if (!deployed.has(FunctionName))
          throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
        return { Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } };
      });
      lambda.on(CreateFunctionCommand).callsFake(async ({ FunctionName }) => {
        deployed.add(FunctionName);
        return {};
      });
      sfn.on(CreateStateMachineCommand).resolves({});
      events.onAnyCommand().resolves({});
      const tableNames = Object.fromEntries(
        Object.entries(tables).map(([k, t]) => [k, `cascade-local-${t.name}`]),
      ) as never;
      const result = await provisionLocalStack({
        endpoint: 'http://127.0.0.1:4566',
        region: 'us-east-1',
        root,
        prefix: 'cascade-local',
        bucket: 'cascade-local-data',
        userPoolId: 'us-east-1_local',
        tableNames,
        localCloudUrl: 'http://127.0.0.1:4567',
        stage: 'local',
        auth: { issuer: 'http://127.0.0.1:4567/local_pool', clientId: 'client' },
        agent: { provider: 'rules', maxSteps: 6 },
        rateLimits: defaultRateLimits,
        log: () => undefined,
      });
      expect(result.stateMachineArn).toBe(
        'arn:aws:states:us-east-1:000000000000:stateMachine:cascade-local-agent',
      );
      expect(dynamo.commandCalls(CreateTableCommand)).toHaveLength(Object.keys(tables).length);
      expect(s3.commandCalls(CreateBucketCommand)[0]!.args[0].input.Bucket).toBe('cascade-local-data');
      expect(s3.commandCalls(PutBucketCorsCommand)).toHaveLength(1);
      const created = lambda.commandCalls(CreateFunctionCommand).map((c) => c.args[0].input);
      expect(created.map((f) => f.FunctionName)).toContain('cascade-local-query');
      const query = created.find((f) => f.FunctionName === 'cascade-local-query')!;
      expect(query).toMatchObject({ Runtime: 'nodejs20.x', Handler: 'index.handler' });
      expect(JSON.parse(query.Environment!.Variables!.SST_RESOURCE_Api!)).toEqual({
        managementEndpoint: 'http://127.0.0.1:4567/local',
      });
      expect(JSON.parse(query.Environment!.Variables!.SST_RESOURCE_Sessions!)).toEqual({
        name: 'cascade-local-Sessions',
      });
      expect(query.Environment!.Variables!.CASCADE_TASKS_URL).toBe('http://127.0.0.1:4567/_cascade/tasks');
      expect(query.Code!.ZipFile!.byteLength).toBeGreaterThan(1000);
      const machine = JSON.parse(sfn.commandCalls(CreateStateMachineCommand)[0]!.args[0].input.definition!);
      expect(machine.States.ProcessItems.ItemProcessor.States.RunAnalysis.Parameters.FunctionName).toBe(
        arn('ecs-launcher'),
      );
      expect(JSON.stringify(machine)).not.toContain('${');
      expect(events.commandCalls(PutRuleCommand)).toHaveLength(1);
      expect(events.commandCalls(PutTargetsCommand)[0]!.args[0].input.Targets?.[0]?.Arn).toBe(
        arn('execution-ended'),
      );
    } finally {
      for (const mock of [dynamo, s3, iam, lambda, sfn, events]) mock.restore();
    }
  }, 120_000);

  it('refuses to start, saying how to start LocalStack, when LocalStack does not answer', async () => {
    const error = await startLocalStackBackend({} as never, 'http://127.0.0.1:9').catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /^LocalStack does not answer at http:\/\/127\.0\.0\.1:9\. Start it with `docker compose up` in localstack\//,
    );
  });
});

describe('remoteHandler', () => {
  const lambda = new LambdaClient({ region: 'us-east-1' });
  const mock = mockClient(lambda);
  afterEach(() => mock.reset());
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

  it('passes the event and returns what the function returned', async () => {
    mock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode({ statusCode: 200 }) as never });
    expect(await remoteHandler(lambda, 'f')({ a: 1 })).toEqual({ statusCode: 200 });
    expect(
      JSON.parse(
        new TextDecoder().decode(mock.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array),
      ),
    ).toEqual({ a: 1 });
  });

  it('turns a function error into an Error named after its errorType, so "Unauthorized" still means 401', async () => {
    mock.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({ errorType: 'Error', errorMessage: 'Unauthorized' }) as never,
    });
    await expect(remoteHandler(lambda, 'authorizer')({})).rejects.toThrow(/^Unauthorized$/);
  });
});

describe('the ECS launcher Lambda', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  it('asks the task runner to start the task with the container environment', async () => {
    const received: unknown[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ url: req.url, method: req.method, body: JSON.parse(body) });
        res.writeHead(202).end('{}');
      });
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    process.env.CASCADE_TASKS_URL = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/_cascade/tasks`;
    await launcher({
      environment: [
        { Name: 'TASK_TOKEN', Value: 't' },
        { Name: 'JOB_URI', Value: 's3://b/jobs/1.json' },
      ],
    });
    expect(received).toEqual([
      {
        url: '/_cascade/tasks',
        method: 'POST',
        body: { environment: { TASK_TOKEN: 't', JOB_URI: 's3://b/jobs/1.json' } },
      },
    ]);
    delete process.env.CASCADE_TASKS_URL;
    await expect(launcher({ environment: [] })).rejects.toThrow('CASCADE_TASKS_URL is not set');
  });
});

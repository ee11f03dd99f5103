import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient, UpdateStateMachineCommand } from '@aws-sdk/client-sfn';
import { renderStateMachine } from '@cascade/core';
import { allFunctions, moduleOf, preSignUp, timeoutSecondsOf } from '@cascade/functions/definitions';
import { ensureTables } from '../emulators/dynamodb';
import { seedSamples } from '../emulators/s3';
import { functionArn, localName, localPlaceholders } from '../functions';
import { type LocalResources, linkVariables, localLinks } from '../links';
import { bundleFunction } from './bundle';

/** Where to provision, and what the functions are linked to (the state machine's ARN and the API's endpoint are derived). */
export interface LocalStackTarget extends Omit<LocalResources, 'stateMachineArn' | 'managementEndpoint'> {
  /** LocalStack's edge, e.g. http://127.0.0.1:4566. */
  endpoint: string;
  region: string;
  root: string;
  prefix: string;
  /** Where LocalStack's Lambdas reach the local cloud (gateway management API, JWKS, task runner). */
  localCloudUrl: string;
  stage: string;
  log: (line: string) => void;
}

/** LocalStack's account id. */
export const localStackAccount = '000000000000';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * The Lambda functions of the app, with the timeouts the stacks deploy (kept below their Tasks'):
 * every one of @cascade/functions/definitions but the sign-up trigger (Cognito is the local
 * cloud's, not LocalStack's), and the launcher standing in for ECS.
 */
export function functionsOf(root: string): { name: string; entry: string; timeout: number }[] {
  return [
    ...Object.values(allFunctions)
      .filter((fn) => fn !== preSignUp)
      .map((fn) => ({
        name: localName(fn),
        entry: join(root, `packages/functions/src/${moduleOf(fn)}.ts`),
        timeout: timeoutSecondsOf(fn),
      })),
    { name: 'ecs-launcher', entry: join(root, 'packages/local/src/localstack/launcher.ts'), timeout: 30 },
  ];
}

/**
 * LocalStack's free tier has no ECS: RunAnalysis becomes a `.waitForTaskToken` Lambda call to
 * the launcher, with the same container environment (TASK_TOKEN and JOB_URI), timeouts and
 * heartbeat. Everything else in the definition is untouched.
 */
export function withEcsLauncher(
  definition: Record<string, unknown>,
  launcherArn: string,
): Record<string, unknown> {
  const copy = structuredClone(definition) as {
    States: { ProcessItems: { ItemProcessor: { States: Record<string, Record<string, unknown>> } } };
  };
  const states = copy.States.ProcessItems.ItemProcessor.States;
  const run = states.RunAnalysis!;
  const overrides = (run.Parameters as { Overrides: { ContainerOverrides: { Environment: unknown[] }[] } })
    .Overrides;
  states.RunAnalysis = {
    ...run,
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: {
      FunctionName: launcherArn,
      Payload: { environment: overrides.ContainerOverrides[0]!.Environment },
    },
    Retry: [
      {
        ErrorEquals: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException'],
        IntervalSeconds: 1,
        MaxAttempts: 3,
        BackoffRate: 2,
      },
    ],
  };
  return copy as unknown as Record<string, unknown>;
}

async function ensureRole(iam: IAMClient, name: string, service: string): Promise<string> {
  const existing = await iam.send(new GetRoleCommand({ RoleName: name })).catch(() => undefined);
  if (existing?.Role?.Arn) return existing.Role.Arn;
  const created = await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  return created.Role!.Arn!;
}

async function waitActive(lambda: LambdaClient, name: string) {
  for (let attempt = 0; attempt < 120; attempt++) {
    const state = (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration;
    if (state?.State === 'Active' && state.LastUpdateStatus !== 'InProgress') return;
    if (state?.State === 'Failed')
      throw new Error(`LocalStack could not create ${name}: ${state.StateReason}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${name} did not become active in LocalStack within a minute`);
}

/**
 * The init of LocalStack mode: the tables, the bucket (CORS, samples), the Lambdas from their
 * esbuild bundles and the state machine from the same ASL file, all in LocalStack. Run again,
 * it updates what exists. Returns the state machine's ARN and the function names.
 */
export async function provisionLocalStack(
  target: LocalStackTarget,
): Promise<{ stateMachineArn: string; functionName: (name: string) => string }> {
  const config = { endpoint: target.endpoint, region: target.region, credentials };
  const arn = (name: string) => functionArn(target.region, localStackAccount, target.prefix, name);
  const functionName = (name: string) => `${target.prefix}-${name}`;
  const stateMachineArn = `arn:aws:states:${target.region}:${localStackAccount}:stateMachine:${target.prefix}-agent`;

  target.log('LocalStack: tables');
  await ensureTables(target.endpoint, target.tableNames);
  target.log('LocalStack: bucket and samples');
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: target.bucket })).catch((error: Error) => {
    if (!/BucketAlready/.test(error.name)) throw error;
  });
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: target.bucket,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedMethods: ['PUT', 'GET'],
            AllowedOrigins: ['*'],
            AllowedHeaders: ['*'],
            ExposeHeaders: ['ETag'],
          },
        ],
      },
    }),
  );
  s3.destroy();
  await seedSamples(target.endpoint, target.bucket, join(target.root, 'packages/analysis/datasets'));

  const iam = new IAMClient(config);
  const lambdaRole = await ensureRole(iam, `${target.prefix}-lambda`, 'lambda.amazonaws.com');
  const machineRole = await ensureRole(iam, `${target.prefix}-agent`, 'states.amazonaws.com');
  iam.destroy();

  const links = localLinks({
    ...target,
    stateMachineArn,
    managementEndpoint: `${target.localCloudUrl}/${target.stage}`,
  });
  const environment: Record<string, string> = {
    ...linkVariables(links, { name: 'cascade', stage: 'localstack' }),
    CASCADE_TASKS_URL: `${target.localCloudUrl}/_cascade/tasks`,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // LocalStack's Lambda sets AWS_EXECUTION_ENV, which turns Powertools' tracer on, but records no
    // X-Ray traces here: off, the tracer leaves the clients alone (functions' observability.ts).
    POWERTOOLS_TRACE_ENABLED: 'false',
    // Nor does anything there turn the metrics' EMF lines into CloudWatch metrics: keep them out of its logs.
    POWERTOOLS_METRICS_DISABLED: 'true',
  };

  const lambda = new LambdaClient(config);
  for (const fn of functionsOf(target.root)) {
    target.log(`LocalStack: function ${functionName(fn.name)}`);
    const { zip } = await bundleFunction(fn.entry);
    const settings = {
      Runtime: 'nodejs20.x' as const,
      Handler: 'index.handler',
      Role: lambdaRole,
      Timeout: fn.timeout,
      MemorySize: 512,
      Environment: { Variables: environment },
    };
    const exists = await lambda
      .send(new GetFunctionCommand({ FunctionName: functionName(fn.name) }))
      .catch(() => undefined);
    if (exists) {
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: functionName(fn.name), ZipFile: zip }));
      await waitActive(lambda, functionName(fn.name));
      await lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: functionName(fn.name), ...settings }),
      );
    } else {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: functionName(fn.name),
          Code: { ZipFile: zip },
          ...settings,
        }),
      );
    }
    await waitActive(lambda, functionName(fn.name));
  }
  lambda.destroy();

  target.log('LocalStack: state machine');
  const definition = JSON.parse(readFileSync(join(target.root, 'statemachines/agent.asl.json'), 'utf8'));
  const rendered = withEcsLauncher(
    renderStateMachine(definition, localPlaceholders(arn, target.region, localStackAccount, target.prefix)),
    arn('ecs-launcher'),
  );
  const sfn = new SFNClient(config);
  const created = await sfn
    .send(
      new CreateStateMachineCommand({
        name: `${target.prefix}-agent`,
        definition: JSON.stringify(rendered),
        roleArn: machineRole,
        type: 'STANDARD',
      }),
    )
    .catch((error: Error) => {
      if (error.name !== 'StateMachineAlreadyExists') throw error;
      return undefined;
    });
  if (!created)
    await sfn.send(
      new UpdateStateMachineCommand({
        stateMachineArn,
        definition: JSON.stringify(rendered),
        roleArn: machineRole,
      }),
    );
  sfn.destroy();

  // Runs that end without reaching Finish are settled by execution-ended, as on AWS.
  const events = new EventBridgeClient(config);
  await events.send(
    new PutRuleCommand({
      Name: `${target.prefix}-execution-ended`,
      EventPattern: JSON.stringify({
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [stateMachineArn] },
      }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: `${target.prefix}-execution-ended`,
      Targets: [{ Id: 'execution-ended', Arn: arn('execution-ended') }],
    }),
  );
  events.destroy();
  return { stateMachineArn, functionName };
}

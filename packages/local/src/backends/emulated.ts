import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderStateMachine } from '@cascade/core';
import { startDynamo } from '../emulators/dynamodb';
import { seedSamples, startS3 } from '../emulators/s3';
import { TaskTokens } from '../engine';
import { adminFunctionName, functionArn, loadHandlers, localPlaceholders } from '../functions';
import { localLinks, provideLinks } from '../links';
import { StepFunctionsService } from '../stepfunctions/service';
import type { Backend, BackendContext } from './types';

export const account = '000000000000';

/**
 * The default back end: dynalite and s3rver served by the edge, the Step Functions API over
 * aws-local-stepfunctions, and the handlers running in this process. They reach the emulators
 * through the edge (AWS_ENDPOINT_URL) and their resources through SST links, as on AWS.
 */
export async function startEmulatedBackend(context: BackendContext): Promise<Backend> {
  const arn = (name: string) => functionArn(context.region, account, context.prefix, name);
  // Loading the handler modules (the AWS SDK, mostly) overlaps with the emulators starting.
  const handlersLoaded = loadHandlers(arn);
  handlersLoaded.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  const [dynamo, s3] = await Promise.all([
    startDynamo({ directory: join(context.dataDirectory, 'dynamodb'), prefix: context.prefix }),
    startS3({ directory: join(context.dataDirectory, 's3'), bucket: context.bucket }),
  ]);
  const stateMachineArn = `arn:aws:states:${context.region}:${account}:stateMachine:${context.prefix}-agent`;

  process.env.AWS_ENDPOINT_URL = context.edgeUrl;
  provideLinks(
    localLinks({
      ...context,
      tableNames: dynamo.tableNames,
      stateMachineArn,
      managementEndpoint: `${context.edgeUrl}/${context.stage}`,
    }),
    { name: 'cascade', stage: context.stage },
  );

  const tokens = new TaskTokens();
  const tasks = context.tasks((token, error, cause) => {
    tokens.fail(token, error, cause);
  });
  const handlers = await handlersLoaded;
  const definition = JSON.parse(readFileSync(join(context.root, 'statemachines/agent.asl.json'), 'utf8'));
  const stepFunctions = new StepFunctionsService({
    stateMachineArn,
    roleArn: `arn:aws:iam::${account}:role/${context.prefix}-agent`,
    definition: renderStateMachine(
      definition,
      localPlaceholders(arn, context.region, account, context.prefix),
    ),
    lambdas: handlers.lambdas,
    ecs: tasks.run,
    tokens,
    meter: context.meter,
    dataFile: join(context.dataDirectory, 'stepfunctions', 'executions.json'),
    // What EventBridge does on AWS: a run that ended without Finish is settled by execution-ended.
    onExecutionEnded: async (execution) => {
      await handlers.executionEnded({
        detail: {
          name: execution.name,
          status: execution.status,
          error: execution.error ?? null,
          cause: execution.cause ?? null,
        },
      });
    },
  });

  return {
    edge: {
      dynamodb: dynamo.handle,
      s3: s3.handle,
      stepFunctions,
      functions: { [adminFunctionName(context.prefix)]: handlers.admin },
    },
    gateway: handlers.gateway,
    stateMachineArn,
    tableNames: dynamo.tableNames,
    stepFunctions,
    runningTasks: () => tasks.running,
    async ready() {
      await dynamo.createTables(context.edgeUrl);
      const samples = await seedSamples(
        context.edgeUrl,
        context.bucket,
        join(context.root, 'packages/analysis/datasets'),
      );
      if (samples.length === 0) context.log('No sample datasets found under packages/analysis/datasets.');
      const recovered = await stepFunctions.recover();
      if (recovered.length > 0)
        context.log(`${recovered.length} run(s) left from the last start were ended as ABORTED.`);
    },
    async close() {
      await stepFunctions.stopAll();
      tasks.stopAll();
      await dynamo.close();
    },
  };
}

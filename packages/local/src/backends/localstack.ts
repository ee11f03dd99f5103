import { LambdaClient } from '@aws-sdk/client-lambda';
import { SendTaskFailureCommand, SFNClient } from '@aws-sdk/client-sfn';
import { type TableKey, tables } from '@cascade/core';
import { authorizer, type LambdaDefinition, routes } from '@cascade/functions/definitions';
import { localName } from '../functions';
import type { GatewayHandlers } from '../gateway/websocket';
import { provisionLocalStack } from '../localstack/provision';
import { remoteHandler } from '../localstack/remote';
import type { Backend, BackendContext } from './types';

/**
 * LocalStack mode: DynamoDB, S3, Lambda and Step Functions are LocalStack's; the local cloud
 * keeps what LocalStack's free tier lacks — Cognito, the WebSocket gateway and the ECS task
 * runner. The gateway invokes the route Lambdas deployed in LocalStack, and the edge passes
 * every other AWS call to LocalStack.
 */
export async function startLocalStackBackend(context: BackendContext, endpoint: string): Promise<Backend> {
  const answering = await fetch(`${endpoint}/_localstack/health`, { signal: AbortSignal.timeout(3000) }).then(
    (r) => r.ok,
    () => false,
  );
  if (!answering) {
    throw new Error(
      `LocalStack does not answer at ${endpoint}. Start it with \`docker compose up\` in localstack/ (see localstack/README.md).`,
    );
  }
  const tableNames = Object.fromEntries(
    Object.entries(tables).map(([key, t]) => [key, `${context.prefix}-${t.name}`]),
  ) as Record<TableKey, string>;
  const config = {
    endpoint,
    region: context.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const { stateMachineArn, functionName } = await provisionLocalStack({
    ...context,
    endpoint,
    tableNames,
    localCloudUrl: context.edgeUrl,
  });

  const lambda = new LambdaClient(config);
  const remote = (fn: LambdaDefinition) => remoteHandler(lambda, functionName(localName(fn)));
  const gateway: GatewayHandlers = {
    authorizer: remote(authorizer),
    routes: Object.fromEntries(Object.entries(routes).map(([key, fn]) => [key, remote(fn)])),
  };

  const sfn = new SFNClient(config);
  const tasks = context.tasks(async (token, error, cause) => {
    await sfn.send(new SendTaskFailureCommand({ taskToken: token, error, cause }));
  });
  return {
    edge: { upstream: endpoint },
    gateway,
    startTask: async (environment) => {
      await tasks.run({ parameters: {}, environment });
    },
    stateMachineArn,
    tableNames,
    runningTasks: () => tasks.running,
    ready: async () => undefined,
    async close() {
      tasks.stopAll();
      lambda.destroy();
      sfn.destroy();
    },
  };
}

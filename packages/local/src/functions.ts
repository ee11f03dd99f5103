import { randomUUID } from 'node:crypto';
import { clientActions, routeModule } from '@cascade/core';
import type { Context } from 'aws-lambda';
import type { LocalFunction } from './engine';
import type { GatewayHandlers, RouteHandler } from './gateway/websocket';

/** The function names the local cloud gives each handler; ARNs are built from them. */
export const stepFunctionNames = {
  ParseFunctionArn: 'parse',
  InvokeModelFunctionArn: 'invoke',
  DispatchFunctionArn: 'dispatch',
  AppendFunctionArn: 'append',
  RecordFailureFunctionArn: 'record-failure',
  FinishFunctionArn: 'finish',
} as const;

/**
 * Every placeholder of the state machine, filled for an emulated account: the Lambda ARNs the
 * local bindings recognise and stand-ins for the ECS resources the task runner ignores.
 */
export function localPlaceholders(
  arn: (name: string) => string,
  region: string,
  account: string,
  prefix: string,
) {
  return {
    ...Object.fromEntries(
      Object.entries(stepFunctionNames).map(([placeholder, name]) => [placeholder, arn(name)]),
    ),
    ClusterArn: `arn:aws:ecs:${region}:${account}:cluster/${prefix}`,
    AnalysisTaskDefinitionFamily: `${prefix}-analysis`,
    AnalysisContainerName: 'analysis',
    Subnets: ['subnet-local'],
    SecurityGroups: ['sg-local'],
    AssignPublicIp: 'DISABLED',
  };
}

/** The administrators' function, by the name `cascade admin` invokes (endpoints.json's `adminFunction`). */
export const adminFunctionName = (prefix: string) => `${prefix}-admin`;

export const functionArn = (region: string, account: string, prefix: string, name: string) =>
  `arn:aws:lambda:${region}:${account}:function:${prefix}-${name}`;

/**
 * A handler invoked as Lambda invokes it, with a context beside the event: the function's name
 * and ARN and a fresh request id, which its log lines carry. Nothing here ends a slow call, so
 * the time left is Lambda's longest (15 minutes).
 */
function invokedAs(
  arn: string,
  handler: (event: never, context: Context) => Promise<unknown>,
): LocalFunction {
  const functionName = arn.slice(arn.lastIndexOf(':') + 1);
  return (event) => {
    const deadline = Date.now() + 15 * 60_000;
    return handler(event as never, {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: arn,
      memoryLimitInMB: '512',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    });
  };
}

/** The state machine's step handlers by the ARN each placeholder is filled with. */
export async function stepHandlers(arn: (name: string) => string): Promise<Record<string, LocalFunction>> {
  const sfn = await import('@cascade/functions/sfn');
  const handlers: Record<string, LocalFunction> = {
    [arn(stepFunctionNames.ParseFunctionArn)]: sfn.parse as LocalFunction,
    [arn(stepFunctionNames.InvokeModelFunctionArn)]: sfn.invoke as LocalFunction,
    [arn(stepFunctionNames.DispatchFunctionArn)]: sfn.dispatch as LocalFunction,
    [arn(stepFunctionNames.AppendFunctionArn)]: sfn.append as LocalFunction,
    [arn(stepFunctionNames.RecordFailureFunctionArn)]: sfn.recordFailure as LocalFunction,
    [arn(stepFunctionNames.FinishFunctionArn)]: sfn.finish as LocalFunction,
  };
  return Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [name, invokedAs(name, handler)]),
  );
}

/**
 * Loads the Lambda handler modules. This may run before the links are in the environment: the
 * handlers read them lazily, on first use.
 */
export async function loadHandlers(arn: (name: string) => string) {
  const sfn = await import('@cascade/functions/sfn');
  const ws = (name: string) =>
    import(`@cascade/functions/ws/${name}`).then((m: { handler: RouteHandler }) =>
      invokedAs(arn(name), m.handler),
    );
  const lambdas = await stepHandlers(arn);
  const routes: GatewayHandlers['routes'] = {
    $connect: await ws('connect'),
    $disconnect: await ws('disconnect'),
    $default: await ws('default'),
  };
  // One route per protocol action, each in the module named after it (sessions.list → ws/sessions-list).
  for (const action of clientActions) routes[action] = await ws(routeModule(action));
  const gateway: GatewayHandlers = { authorizer: await ws('authorizer'), routes };
  const { handler: admin } = await import('@cascade/functions/admin');
  return {
    lambdas,
    gateway,
    executionEnded: invokedAs(arn('execution-ended'), sfn.executionEnded),
    admin: invokedAs(arn('admin'), admin),
  };
}

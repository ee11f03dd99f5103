import { randomUUID } from 'node:crypto';
import type { PlaceholderValue } from '@cascade/core';
import {
  admin,
  authorizer,
  executionEnded,
  type LambdaDefinition,
  moduleOf,
  type Placeholder,
  routes,
  stepFunctions,
  timeoutSecondsOf,
} from '@cascade/functions/definitions';
import type { Context } from 'aws-lambda';
import type { LocalFunction } from './engine';
import type { GatewayHandlers, RouteHandler } from './gateway/websocket';

/**
 * The functions of @cascade/functions/definitions as the local cloud runs them: named, given ARNs
 * and, in this process, called the way Lambda calls them. Nothing here lists a step or a route.
 */

/** A function's local name (`<prefix>-<name>`): its module's file, or its folder for an `index`. */
export function localName(fn: LambdaDefinition): string {
  const parts = moduleOf(fn).split('/');
  const file = parts.at(-1)!;
  return file === 'index' ? parts.at(-2)! : file;
}

/** The administrators' function, by the name `cascade admin` invokes (endpoints.json's `adminFunction`). */
export const adminFunctionName = (prefix: string) => `${prefix}-${localName(admin)}`;

export const functionArn = (region: string, account: string, prefix: string, name: string) =>
  `arn:aws:lambda:${region}:${account}:function:${prefix}-${name}`;

/**
 * Every placeholder of the state machine, filled for an emulated account: the steps' Lambda ARNs
 * and stand-ins for the ECS resources the task runner ignores.
 */
export function localPlaceholders(
  arn: (name: string) => string,
  region: string,
  account: string,
  prefix: string,
): Record<Placeholder, PlaceholderValue> {
  return {
    ...(Object.fromEntries(
      Object.entries(stepFunctions).map(([placeholder, fn]) => [placeholder, arn(localName(fn))]),
    ) as Record<keyof typeof stepFunctions, string>),
    ClusterArn: `arn:aws:ecs:${region}:${account}:cluster/${prefix}`,
    AnalysisTaskDefinitionFamily: `${prefix}-analysis`,
    AnalysisContainerName: 'analysis',
    Subnets: ['subnet-local'],
    SecurityGroups: ['sg-local'],
    AssignPublicIp: 'DISABLED',
  };
}

/** What Lambda hands a handler beside its event, for one invocation of `fn` under `arn`. */
export function lambdaContext(fn: LambdaDefinition, arn: string): Context {
  const deadline = Date.now() + timeoutSecondsOf(fn) * 1000;
  const functionName = arn.split(':').at(-1)!;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: arn,
    memoryLimitInMB: String(Number.parseInt(fn.memory, 10)),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${functionName}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type Handler = (event: never, context: Context) => Promise<unknown>;

/**
 * Loads `fn`'s handler module and calls it as Lambda would, with a context of its own per call.
 * This may run before the links are in the environment: the handlers read them lazily.
 */
async function load(fn: LambdaDefinition, arn: string, module: Promise<{ handler: Handler }>) {
  const { handler } = await module;
  return ((event: unknown) => handler(event as never, lambdaContext(fn, arn))) as LocalFunction &
    RouteHandler;
}

const step = (fn: LambdaDefinition, arn: (name: string) => string) =>
  load(fn, arn(localName(fn)), import(`@cascade/functions/sfn/${localName(fn)}`));

const route = (fn: LambdaDefinition, arn: (name: string) => string) =>
  load(fn, arn(localName(fn)), import(`@cascade/functions/ws/${localName(fn)}`));

/** The state machine's step handlers by the ARN each placeholder is filled with. */
export async function stepHandlers(arn: (name: string) => string): Promise<Record<string, LocalFunction>> {
  const steps = Object.values(stepFunctions);
  const handlers = await Promise.all(steps.map((fn) => step(fn, arn)));
  return Object.fromEntries(steps.map((fn, i) => [arn(localName(fn)), handlers[i]!]));
}

/** Every handler the local cloud runs in this process: the steps, the routes, execution-ended and admin. */
export async function loadHandlers(arn: (name: string) => string) {
  const lambdas = await stepHandlers(arn);
  const entries = Object.entries(routes);
  const loaded = await Promise.all(entries.map(([, fn]) => route(fn, arn)));
  const gateway: GatewayHandlers = {
    authorizer: await route(authorizer, arn),
    routes: Object.fromEntries(entries.map(([key], i) => [key, loaded[i]!])),
  };
  return {
    lambdas,
    gateway,
    executionEnded: await step(executionEnded, arn),
    admin: await load(admin, arn(localName(admin)), import('@cascade/functions/admin')),
  };
}

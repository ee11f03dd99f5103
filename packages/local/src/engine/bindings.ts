import type { TaskTokens } from './task-tokens';
import { TaskError } from './task-tokens';

/** A Lambda handler as the local engine calls it: event in, result out. */
export type LocalFunction = (event: unknown) => Promise<unknown>;

export interface EcsRunRequest {
  /** The RunTask parameters as the state evaluated them (cluster, task definition, network). */
  parameters: Record<string, unknown>;
  /** The container's environment, TASK_TOKEN included. */
  environment: Record<string, string>;
}

/** Starts an analysis task; the returned function stops it. */
export type EcsRunner = (request: EcsRunRequest) => Promise<{ stop(): void }>;

export interface BindingOptions {
  /** Functions by ARN (what `${…FunctionArn}` was rendered to) or by name. */
  lambdas: Record<string, LocalFunction>;
  ecs?: EcsRunner;
  tokens: TaskTokens;
  executionArn: string;
  /**
   * Runs a Lambda call once the function has capacity (the local Step Functions service's bound
   * on concurrent steps). A state's TimeoutSeconds then counts from the moment the call starts,
   * not while it waits: on AWS a throttled invocation is retried, and each attempt has its own
   * time. The engine must then be given `withoutLambdaTimeouts(definition)`.
   */
  invoke?: <T>(call: () => Promise<T>) => Promise<T>;
}

type StateDefinition = Record<string, unknown> & { Type?: string; Resource?: string };
type Handler = (input: unknown) => Promise<unknown>;

const lambdaInvoke = 'arn:aws:states:::lambda:invoke';
const ecsWithToken = 'arn:aws:states:::ecs:runTask.waitForTaskToken';

/** Every Task state of a definition, nested Map and Parallel states included, by name. */
export function taskStates(definition: {
  States?: Record<string, StateDefinition>;
}): Map<string, StateDefinition> {
  const found = new Map<string, StateDefinition>();
  const walk = (states: Record<string, StateDefinition> | undefined) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      if (state.Type === 'Task') {
        if (found.has(name))
          throw new Error(`Task state names must be unique for local binding; "${name}" repeats`);
        found.set(name, state);
      }
      const processor = (state.ItemProcessor ?? state.Iterator) as
        | { States?: Record<string, StateDefinition> }
        | undefined;
      walk(processor?.States);
      for (const branch of (state.Branches as { States?: Record<string, StateDefinition> }[] | undefined) ??
        [])
        walk(branch.States);
    }
  };
  walk(definition.States);
  return found;
}

/** A Lambda failure as Step Functions reports it: the error type as name, AWS's JSON as cause. */
function lambdaError(error: unknown): TaskError {
  const errorType = error instanceof Error && error.name ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  return new TaskError(errorType, JSON.stringify({ errorType, errorMessage, trace: [] }));
}

/** JSON in and out, as across a real Lambda boundary: nothing that would not survive the wire. */
const wire = <T>(value: T): T => (value === undefined ? (null as T) : JSON.parse(JSON.stringify(value)));

function invokeLocal(
  lambdas: Record<string, LocalFunction>,
  functionName: string,
  payload: unknown,
): Promise<unknown> {
  const fn = lambdas[functionName] ?? lambdas[functionName.split(':').at(-1) ?? ''];
  if (!fn) throw new TaskError('Lambda.ResourceNotFoundException', `Function not found: ${functionName}`);
  return fn(wire(payload)).then(wire, (error: unknown) => {
    throw lambdaError(error);
  });
}

/** aws-local-stepfunctions' time limit for a Task state that sets none. */
const engineDefaultTimeoutSeconds = 60;
/** In effect no limit: 23 days, the longest a Node timer waits (a longer one fires at once). */
const noTimeoutSeconds = 2_000_000;

/**
 * The definition as the engine runs it when Lambda calls wait for capacity (`invoke`): Lambda
 * Task states get no time limit from the engine, whose timer would count the wait; the bindings
 * enforce each state's own limit from the moment its call starts.
 */
export function withoutLambdaTimeouts<D extends { States?: Record<string, StateDefinition> }>(
  definition: D,
): D {
  const copy = structuredClone(definition);
  for (const state of taskStates(copy).values())
    if (isLambdaTask(state.Resource ?? '')) state.TimeoutSeconds = noTimeoutSeconds;
  return copy;
}

const isLambdaTask = (resource: string) => resource === lambdaInvoke || /^arn:aws:lambda:/.test(resource);

/** Runs a Lambda call through `invoke`, with the state's time limit counted from its start. */
function invokeInTime(options: BindingOptions, state: StateDefinition, call: () => Promise<unknown>) {
  const invoke = options.invoke;
  if (!invoke) return call();
  const seconds =
    typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : engineDefaultTimeoutSeconds;
  return new Promise<unknown>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    // A call that runs out of time goes on to its end (as a Lambda does) and keeps its slot meanwhile.
    invoke(() => {
      timer = setTimeout(() => reject(new TaskError('States.Timeout', 'States.Timeout')), seconds * 1000);
      return call();
    })
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

/**
 * The engine's `taskResourceLocalHandlers` for one execution: Lambda tasks call the handler
 * modules in-process, with AWS's error shape; `ecs:runTask.waitForTaskToken` starts the
 * analysis task with a fresh task token and waits for the task to report through it.
 */
export function localTaskHandlers(
  definition: { States?: Record<string, StateDefinition> },
  options: BindingOptions,
): Record<string, Handler> {
  const handlers: Record<string, Handler> = {};
  for (const [name, state] of taskStates(definition)) {
    const resource = state.Resource ?? '';
    if (resource === lambdaInvoke) {
      handlers[name] = async (input) => {
        const { FunctionName, Payload } = input as { FunctionName: string; Payload: unknown };
        return {
          StatusCode: 200,
          ExecutedVersion: '$LATEST',
          Payload: await invokeInTime(options, state, () =>
            invokeLocal(options.lambdas, FunctionName, Payload),
          ),
        };
      };
    } else if (/^arn:aws:lambda:/.test(resource)) {
      handlers[name] = (input) =>
        invokeInTime(options, state, () => invokeLocal(options.lambdas, resource, input));
    } else if (resource === ecsWithToken) {
      handlers[name] = (input) => runWithToken(state, input as Record<string, unknown>, options);
    } else {
      throw new Error(`State "${name}" uses ${resource}, which the local engine does not run`);
    }
  }
  return handlers;
}

interface ContainerOverride {
  Name?: string;
  Environment?: { Name: string; Value: string }[];
}

async function runWithToken(
  state: StateDefinition,
  parameters: Record<string, unknown>,
  options: BindingOptions,
) {
  if (!options.ecs) throw new TaskError('ECS.AmazonECSException', 'No task runner is configured');
  let stop: (() => void) | undefined;
  const { token, result } = options.tokens.issue({
    executionArn: options.executionArn,
    ...(typeof state.HeartbeatSeconds === 'number' && { heartbeatSeconds: state.HeartbeatSeconds }),
    ...(typeof state.TimeoutSeconds === 'number' && { timeoutSeconds: state.TimeoutSeconds }),
    cancel: () => stop?.(),
  });
  const overrides =
    (parameters.Overrides as { ContainerOverrides?: ContainerOverride[] } | undefined)?.ContainerOverrides ??
    [];
  const environment: Record<string, string> = {};
  for (const variable of overrides.flatMap((o) => o.Environment ?? []))
    environment[variable.Name] = variable.Value;
  // The engine cannot produce $$.Task.Token; the fresh token replaces its placeholder here.
  environment.TASK_TOKEN = token;
  try {
    ({ stop } = await options.ecs({ parameters, environment }));
  } catch (error) {
    options.tokens.fail(token, 'ECS.AmazonECSException', (error as Error).message);
  }
  return result;
}

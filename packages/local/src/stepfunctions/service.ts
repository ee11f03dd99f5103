import type { RequestMeter } from '../meter';
import '../engine/polyfill';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { executionArn } from '@cascade/core';
import { integerSetting } from '@cascade/core/agent-settings';
import { StateMachine } from 'aws-local-stepfunctions';
import {
  ConcurrencyLimit,
  type EcsRunner,
  type LocalFunction,
  localTaskHandlers,
  type TaskTokens,
  type TokenAnswer,
  withoutLambdaTimeouts,
} from '../engine';
import { type HistoryEvent, toHistory } from './history';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
}

/** An error the Step Functions API answers with: `__type` names it, as the SDK expects. */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export interface StepFunctionsOptions {
  stateMachineArn: string;
  roleArn: string;
  /** The definition with its placeholders filled. */
  definition: Record<string, unknown>;
  lambdas: Record<string, LocalFunction>;
  ecs: EcsRunner;
  tokens: TaskTokens;
  /** Where executions are kept between restarts; in memory only when absent. */
  dataFile?: string;
  /** Told when an execution ends other than by succeeding — what EventBridge tells AWS handlers. */
  onExecutionEnded?: (execution: ExecutionRecord) => Promise<void>;
  /** How many ended executions to keep. */
  retain?: number;
  /** Counts state transitions, Lambda invocations and task starts (the bench's per-item figures). */
  meter?: RequestMeter;
  /**
   * How many step invocations (the Lambda tasks of all executions together) run at once; the
   * rest wait their turn. Default: stepConcurrencyFor(process.env).
   */
  stepConcurrency?: number;
}

/**
 * On AWS each step runs in a Lambda environment of its own, so runs never slow the WebSocket
 * routes. Here they share one event loop with the gateway, the route handlers and the emulators:
 * unbounded, a hundred runs' steps put every route's DynamoDB call behind thousands of theirs
 * (bench/load.bench.ts: a query sent while they ran waited 3–15 s for its ack; with two steps at
 * a time, about 0.2 s, and the runs took about as long in all). The offline planner's steps
 * keep the CPU busy, so two at a time suffice on a 2-core machine; a model provider's steps
 * mostly wait on the network, so more may wait at once. CASCADE_STEP_CONCURRENCY overrides.
 * (AWS bounds Lambda concurrency too: reserved concurrency.)
 */
export function stepConcurrencyFor(env: NodeJS.ProcessEnv): number {
  const fallback = (env.CASCADE_AGENT_PROVIDER || 'rules') === 'rules' ? 2 : 16;
  // A value that cannot work stops the start with a sentence naming the variable.
  return integerSetting(env, 'CASCADE_STEP_CONCURRENCY', fallback, 1, 1000);
}

interface Running {
  abort(): void;
  aborted: boolean;
  done: Promise<void>;
}

const seconds = (ms: number) => ms / 1000;
const namePattern = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * The Step Functions API (AWS JSON protocol) over aws-local-stepfunctions running the agent
 * definition. StartExecution is idempotent by name, StopExecution aborts the run and stops its
 * tasks, and the task-token calls settle `.waitForTaskToken` states.
 */
export class StepFunctionsService {
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly histories = new Map<string, HistoryEvent[]>();
  private readonly running = new Map<string, Running>();
  private readonly machine: StateMachine;
  private readonly name: string;
  private readonly created = Date.now();
  private saving: Promise<void> = Promise.resolve();
  /** Lambda calls under way: an aborted execution's current step still runs to its end. */
  private readonly calls = new Set<Promise<unknown>>();
  /** Step invocations of all executions share this bound (see stepConcurrencyFor). */
  readonly stepLimit: ConcurrencyLimit;

  constructor(private readonly options: StepFunctionsOptions) {
    // Not validated here (asl-validator costs ~200 ms per construction): the agent definition is
    // validated by test/statemachine/definition.test.ts, and by Step Functions itself on deploy.
    // Steps wait for a slot of the bound; their time limits count from their start (bindings).
    this.machine = new StateMachine(withoutLambdaTimeouts(options.definition as never) as never, {
      validationOptions: { noValidate: true },
    });
    this.stepLimit = new ConcurrencyLimit(options.stepConcurrency ?? stepConcurrencyFor(process.env));
    this.name = options.stateMachineArn.split(':').at(-1)!;
    if (options.dataFile && existsSync(options.dataFile)) {
      for (const record of JSON.parse(readFileSync(options.dataFile, 'utf8')) as ExecutionRecord[]) {
        this.executions.set(record.executionArn, record);
      }
    }
  }

  /** Executions the last process left running cannot resume: they end as ABORTED, and are reported. */
  async recover(): Promise<ExecutionRecord[]> {
    const orphans = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    for (const execution of orphans) {
      this.close(execution, 'ABORTED', {
        error: 'States.Aborted',
        cause: 'The local cloud stopped while this execution was running.',
      });
      await this.report(execution);
    }
    await this.save();
    return orphans;
  }

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case 'StartExecution':
        return this.start(input);
      case 'DescribeExecution':
        return this.describe(this.find(input.executionArn));
      case 'ListExecutions':
        return this.list(input);
      case 'GetExecutionHistory':
        return this.history(input);
      case 'StopExecution':
        return this.stop(this.find(input.executionArn), input);
      case 'SendTaskSuccess':
        return this.answer(
          this.options.tokens.succeed(String(input.taskToken), this.parseJson(input.output, 'InvalidOutput')),
        );
      case 'SendTaskFailure':
        return this.answer(
          this.options.tokens.fail(
            String(input.taskToken),
            String(input.error ?? 'TaskFailed'),
            String(input.cause ?? ''),
          ),
        );
      case 'SendTaskHeartbeat':
        return this.answer(this.options.tokens.heartbeat(String(input.taskToken)));
      case 'DescribeStateMachine':
        this.checkStateMachine(input.stateMachineArn);
        return {
          stateMachineArn: this.options.stateMachineArn,
          name: this.name,
          status: 'ACTIVE',
          definition: JSON.stringify(this.options.definition),
          roleArn: this.options.roleArn,
          type: 'STANDARD',
          creationDate: seconds(this.created),
        };
      case 'ListStateMachines':
        return {
          stateMachines: [
            {
              stateMachineArn: this.options.stateMachineArn,
              name: this.name,
              type: 'STANDARD',
              creationDate: seconds(this.created),
            },
          ],
        };
      default:
        throw new ServiceError(
          'UnknownOperationException',
          `The local Step Functions endpoint does not implement ${operation}.`,
        );
    }
  }

  /** Waits for every running execution, and every Lambda call still under way, to end. */
  async settled(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
    while (this.calls.size > 0) await Promise.allSettled([...this.calls]);
  }

  /** Stops every running execution, as on shutdown. */
  async stopAll(): Promise<void> {
    for (const execution of this.executions.values()) {
      if (execution.status === 'RUNNING')
        await this.stop(execution, { cause: 'The local cloud is shutting down.' });
    }
    await this.settled();
  }

  private parseJson(text: unknown, errorType: string): unknown {
    try {
      return JSON.parse(String(text));
    } catch {
      throw new ServiceError(errorType, 'The value is not valid JSON.');
    }
  }

  private answer(result: TokenAnswer) {
    if (result === 'ok') return {};
    throw new ServiceError(result, result === 'InvalidToken' ? 'Invalid Token' : 'Task Timed Out');
  }

  private checkStateMachine(arn: unknown) {
    if (arn !== this.options.stateMachineArn) {
      throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    }
  }

  private find(arn: unknown): ExecutionRecord {
    const execution = this.executions.get(String(arn));
    if (!execution)
      throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return execution;
  }

  private start(input: Record<string, unknown>) {
    this.checkStateMachine(input.stateMachineArn);
    const name = input.name === undefined ? randomUUID() : String(input.name);
    if (!namePattern.test(name)) throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
    const text = input.input === undefined ? '{}' : String(input.input);
    const parsed = this.parseJson(text, 'InvalidExecutionInput');
    const arn = executionArn(this.options.stateMachineArn, name);
    const existing = this.executions.get(arn);
    if (existing) {
      // AWS: the same name and input while it runs is the same start; anything else is a conflict.
      if (existing.status === 'RUNNING' && existing.input === text) {
        return { executionArn: arn, startDate: seconds(existing.startDate) };
      }
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const execution: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: this.options.stateMachineArn,
      name,
      status: 'RUNNING',
      input: text,
      startDate: Date.now(),
    };
    this.executions.set(arn, execution);
    this.histories.set(arn, []);
    this.run(execution, parsed);
    void this.save();
    return { executionArn: arn, startDate: seconds(execution.startDate) };
  }

  /**
   * How one execution's steps run: each waits for a slot of the shared bound, and one whose
   * execution was stopped while it waited never starts, as on AWS a stopped execution invokes
   * nothing more. Every call is tracked until it ends, so shutdown can wait for it.
   */
  private invokerFor(state: { aborted: boolean }) {
    return <T>(call: () => Promise<T>): Promise<T> => {
      const running = this.stepLimit.run(async () => {
        if (state.aborted) throw new Error('The execution was stopped before this step started.');
        this.options.meter?.count('lambda:Invoke');
        return call();
      });
      this.calls.add(running);
      const forget = () => this.calls.delete(running);
      running.then(forget, forget);
      return running;
    };
  }

  private run(execution: ExecutionRecord, input: unknown) {
    const state: Running = { abort: () => undefined, aborted: false, done: Promise.resolve() };
    const handlers = localTaskHandlers(this.options.definition as never, {
      lambdas: this.options.lambdas,
      invoke: this.invokerFor(state),
      ecs: (request) => {
        this.options.meter?.count('ecs:RunTask');
        return this.options.ecs(request);
      },
      tokens: this.options.tokens,
      executionArn: execution.executionArn,
    });
    const run = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: execution.executionArn,
          Name: execution.name,
          Input: input,
          StartTime: new Date(execution.startDate).toISOString(),
          RoleArn: this.options.roleArn,
        },
        StateMachine: { Id: this.options.stateMachineArn, Name: this.name },
        // The engine cannot mint tokens; the task binding replaces this one with a real token.
        Task: { Token: 'LOCAL_ENGINE_TOKEN' },
      } as never,
    });
    const history = this.histories.get(execution.executionArn)!;
    const record = (async () => {
      for await (const event of run.eventLogs) {
        const mapped = toHistory(event as never);
        if (mapped?.type.endsWith('StateEntered')) this.options.meter?.count('states:StateTransition');
        if (mapped) {
          const id = history.length + 1;
          history.push({
            id,
            previousEventId: id - 1,
            timestamp: seconds(event.timestamp),
            type: mapped.type,
            ...mapped.details,
          });
        }
      }
    })().catch(() => undefined);
    state.abort = run.abort;
    state.done = run.result
      .then(
        (output) => {
          if (!state.aborted) this.close(execution, 'SUCCEEDED', { output: JSON.stringify(output ?? null) });
        },
        (error: Error) => {
          if (state.aborted) return;
          const timedOut = error.name === 'ExecutionTimeoutError';
          const cause = (error.cause as Error | undefined)?.message ?? error.message;
          this.close(execution, timedOut ? 'TIMED_OUT' : 'FAILED', {
            error: (error.cause as Error | undefined)?.name ?? error.name,
            cause,
          });
        },
      )
      .then(async () => {
        this.running.delete(execution.executionArn);
        await record;
        // A stopped execution was reported by stop() already.
        if (!state.aborted) await this.report(execution);
        await this.save();
      });
    this.running.set(execution.executionArn, state);
  }

  private close(execution: ExecutionRecord, status: ExecutionStatus, fields: Partial<ExecutionRecord>) {
    Object.assign(execution, fields, { status, stopDate: Date.now() });
  }

  private async report(execution: ExecutionRecord) {
    if (execution.status === 'SUCCEEDED' || !this.options.onExecutionEnded) return;
    await this.options.onExecutionEnded(execution).catch((error: unknown) => {
      console.error(
        `Could not settle execution ${execution.name} after it ended ${execution.status}:`,
        error,
      );
    });
  }

  private async stop(execution: ExecutionRecord, input: Record<string, unknown>) {
    const running = this.running.get(execution.executionArn);
    if (execution.status === 'RUNNING') {
      this.close(execution, 'ABORTED', {
        ...(input.error !== undefined && { error: String(input.error) }),
        ...(input.cause !== undefined && { cause: String(input.cause) }),
      });
      if (running) {
        running.aborted = true;
        running.abort();
      }
      this.options.tokens.stopExecution(execution.executionArn);
      await this.report(execution);
      await this.save();
    }
    return { stopDate: seconds(execution.stopDate ?? Date.now()) };
  }

  private describe(execution: ExecutionRecord) {
    return {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: seconds(execution.startDate),
      ...(execution.stopDate !== undefined && { stopDate: seconds(execution.stopDate) }),
      input: execution.input,
      ...(execution.output !== undefined && { output: execution.output }),
      ...(execution.error !== undefined && { error: execution.error }),
      ...(execution.cause !== undefined && { cause: execution.cause }),
    };
  }

  private page<T>(items: T[], input: Record<string, unknown>, max = 100) {
    const size = Math.min(Number(input.maxResults) || max, 1000);
    const start = input.nextToken === undefined ? 0 : Number.parseInt(String(input.nextToken), 10);
    if (!Number.isInteger(start) || start < 0) throw new ServiceError('InvalidToken', 'Invalid Token');
    const slice = items.slice(start, start + size);
    return { slice, nextToken: start + size < items.length ? String(start + size) : undefined };
  }

  private list(input: Record<string, unknown>) {
    this.checkStateMachine(input.stateMachineArn);
    const all = this.newestFirst().filter((e) => !input.statusFilter || e.status === input.statusFilter);
    const { slice, nextToken } = this.page(all, input);
    return {
      executions: slice.map((e) => ({
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: seconds(e.startDate),
        ...(e.stopDate !== undefined && { stopDate: seconds(e.stopDate) }),
      })),
      ...(nextToken && { nextToken }),
    };
  }

  /** Newest first; of executions started in the same millisecond, the one started last comes first. */
  private newestFirst(): ExecutionRecord[] {
    // The map keeps start order, and sort is stable: reversed, equal start dates stay latest first.
    return [...this.executions.values()].reverse().sort((a, b) => b.startDate - a.startDate);
  }

  private history(input: Record<string, unknown>) {
    const execution = this.find(input.executionArn);
    const events = [...(this.histories.get(execution.executionArn) ?? [])];
    if (input.reverseOrder) events.reverse();
    const { slice, nextToken } = this.page(events, input);
    return { events: slice, ...(nextToken && { nextToken }) };
  }

  /** Writes the executions file; writes are queued so two never interleave. */
  private save(): Promise<void> {
    const file = this.options.dataFile;
    if (!file) return Promise.resolve();
    this.saving = this.saving.then(async () => {
      const retain = this.options.retain ?? 1000;
      // Oldest first, so that loading them again restores the start order.
      const kept = this.newestFirst().slice(0, retain).reverse();
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(kept));
    });
    return this.saving;
  }
}

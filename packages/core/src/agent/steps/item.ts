import type { ItemOutput } from '../../protocol/server';
import type { ExecutionRecord } from '../../repositories/executions';
import { type ItemRecord, isItemFinished } from '../../repositories/items';
import { runEvents } from '../run/events';
import {
  answeredByOf,
  callsOf,
  type Decision,
  orderedTurns,
  type Timed,
  type ToolCall,
  type Turn,
  turnKey,
} from '../run/transcript';
import type { AgentDeps } from './deps';
import type { ItemState } from './state';

/** What the steps share about the item they work on: reading it, timing it, and finishing it once. */

export type ModelTurn = Extract<Turn, { kind: 'model' }>;

export async function loadItem(deps: AgentDeps, state: ItemState): Promise<ItemRecord> {
  const item = await deps.items.get(state.executionId, state.itemId);
  if (!item) throw new Error(`Item ${state.itemId} of execution ${state.executionId} does not exist`);
  return item;
}

export async function loadExecution(deps: AgentDeps, executionId: string): Promise<ExecutionRecord> {
  const execution = await deps.executions.get(executionId);
  if (!execution) throw new Error(`Execution ${executionId} does not exist`);
  return execution;
}

function elapsed(deps: AgentDeps, item: ItemRecord): number {
  const started = item.startedAt ? Date.parse(item.startedAt) : Number.NaN;
  return Number.isNaN(started) ? 0 : Math.max(0, (deps.now ?? Date.now)() - started);
}

/** Finishes an item once and, only for the call that finished it, counts it and reports progress. */
export async function finishItem(
  deps: AgentDeps,
  state: ItemState,
  item: ItemRecord,
  outcome:
    | { output: ItemOutput }
    | { error: string; failedIn?: string; inTask?: boolean; failedStep?: Timed },
): Promise<void> {
  const durationMs = elapsed(deps, item);
  // Who answered, from the transcript: Finish and Catch have no model of their own.
  const answeredBy = answeredByOf(orderedTurns(item.turns));
  const won =
    'output' in outcome
      ? await deps.items.markSucceeded(state.executionId, state.itemId, {
          durationMs,
          output: outcome.output,
          ...(answeredBy && { answeredBy }),
        })
      : await deps.items.markFailed(state.executionId, state.itemId, {
          durationMs,
          error: outcome.error,
          ...(answeredBy && { answeredBy }),
          ...(outcome.failedIn && { failedIn: outcome.failedIn }),
          ...(outcome.inTask && { inTask: true }),
          ...(outcome.failedStep && { failedStep: outcome.failedStep }),
        });
  if (!won) return;
  const failed = 'error' in outcome;
  const counts = await deps.executions.countFinishedItem(state.executionId, failed ? 'failed' : 'succeeded');
  await runEvents(deps.notifier, state).progress(counts, {
    id: state.itemId,
    status: failed ? 'FAILED' : 'SUCCEEDED',
    durationMs,
    ...(failed && { error: outcome.error }),
  });
}

export const now = (deps: AgentDeps) => (deps.now ?? Date.now)();

/** Times a step for the run's trace: when it began, and (on `timed()`) how long it has taken. */
export function stopwatch(deps: AgentDeps) {
  const startedMs = now(deps);
  return {
    startedMs,
    timed: (): Timed => ({ startedAt: new Date(startedMs).toISOString(), durationMs: now(deps) - startedMs }),
  };
}

/**
 * A task's part of the trace: from Dispatch writing its job to Append reading its result, split
 * into the wait before the task began (ECS placement, image pull, start-up) and its own run, as
 * the task reported them.
 */
export function taskTiming(state: ItemState, endMs: number): Timed & { queueMs?: number; runMs?: number } {
  const dispatchedAt = state.job?.dispatchedAt;
  const { startedAt, finishedAt } = state.taskResult ?? {};
  if (dispatchedAt === undefined) return {};
  return {
    startedAt: new Date(dispatchedAt).toISOString(),
    durationMs: endMs - dispatchedAt,
    ...(startedAt !== undefined && { queueMs: Math.max(0, startedAt - dispatchedAt) }),
    ...(startedAt !== undefined &&
      finishedAt !== undefined && { runMs: Math.max(0, finishedAt - startedAt) }),
  };
}

/** The call Dispatch is on: the `state.call`-th of the turn's reply. */
export function currentCall(decision: Decision, state: ItemState): ToolCall {
  const calls = callsOf(decision);
  const call = calls[state.call ?? 0];
  if (!call) throw new Error(`Turn ${state.turn} has no tool call ${state.call ?? 0}`);
  return call;
}

export function modelTurn(item: ItemRecord, turn: number): ModelTurn {
  const recorded = item.turns?.[turnKey(turn, 'model')];
  if (recorded?.kind !== 'model')
    throw new Error(`Item ${item.itemId} has no model decision for turn ${turn}`);
  return recorded;
}

/** Inline outputs above this size stay in S3 and are read back when the item finishes. */
export const inlineOutputBytes = 32 * 1024;

/** Marks every unfinished item of a run as failed with `reason`, counting each once. */
export async function settleUnfinished(
  deps: AgentDeps,
  run: Omit<ItemState, 'itemId' | 'turn'>,
  reason: string,
): Promise<ItemRecord[]> {
  const items = await deps.items.list(run.executionId);
  for (const item of items.filter((i) => !isItemFinished(i))) {
    await finishItem(deps, { ...run, itemId: item.itemId, turn: 0 }, item, { error: reason });
  }
  return deps.items.list(run.executionId);
}

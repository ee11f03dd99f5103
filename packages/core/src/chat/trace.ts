import { callsOf, orderedTurns, type Turn, toolTurnKey, turnKey } from '../agent/run/transcript';
import { NotFoundError } from '../errors';
import type { ServerMessageOf, TraceStep } from '../protocol/server';
import type { ItemRecord } from '../repositories/items';
import type { Caller, ChatDeps } from './deps';

/**
 * An item's path through the agent's graph, from what its steps recorded: Parse, each model call,
 * each tool run (in Dispatch, or as the Fargate task), and where it failed. `full` adds what each
 * tool was asked and what came of each step; without it the steps fit a batch's `execution`.
 */

const inputChars = 300;

/** Text cut to `chars` characters with an ellipsis: a question or a tool's input, recognisable. */
export function shortened(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}

function timing(step: { startedAt?: string; durationMs?: number }) {
  return {
    ...(step.startedAt && { startedAt: step.startedAt }),
    ...(step.durationMs !== undefined && { durationMs: step.durationMs }),
  };
}

/** How often each step was started again after a start that did not finish (`attempts`). */
export function retriesOf(item: Pick<ItemRecord, 'attempts'>): Map<string, number> {
  const starts = new Map<string, number>();
  for (const key of item.attempts ?? []) starts.set(key, (starts.get(key) ?? 0) + 1);
  return new Map([...starts].filter(([, n]) => n > 1).map(([key, n]) => [key, n - 1]));
}

export function itemSteps(item: ItemRecord, full: boolean): TraceStep[] {
  const steps: TraceStep[] = [];
  if (item.status === 'PENDING') return steps;
  const retried = retriesOf(item);
  const retries = (key: string) => (retried.has(key) ? { retries: retried.get(key)! } : {});
  const parsing = !item.request && item.status === 'RUNNING';
  steps.push({
    node: 'Parse',
    outcome: parsing ? 'running' : item.failedIn === 'parse' ? 'failed' : 'ok',
    ...timing(item.parsed ?? {}),
    ...retries('parse'),
    ...(full && item.request && { detail: item.request.intent }),
  });
  const turns = orderedTurns(item.turns);
  const tools = new Map(
    turns.flatMap((t) => (t.kind === 'tool' ? [[`${t.turn}:${t.toolUseId}`, t] as const] : [])),
  );
  for (const turn of turns) {
    if (turn.kind !== 'model') continue;
    const { decision } = turn;
    steps.push({
      node: 'Model',
      outcome: 'ok',
      turn: turn.turn,
      ...timing(turn),
      ...retries(turnKey(turn.turn, 'model')),
      ...(turn.provider && { provider: turn.provider }),
      ...(decision.model && { model: decision.model }),
      ...(decision.usage && {
        inputTokens: decision.usage.inputTokens,
        outputTokens: decision.usage.outputTokens,
      }),
      ...(full && {
        detail:
          decision.kind === 'final'
            ? 'answered'
            : `called ${callsOf(decision)
                .map((c) => c.name)
                .join(', ')}`,
      }),
    });
    if (decision.kind !== 'tool') continue;
    for (const [index, call] of callsOf(decision).entries()) {
      const run = tools.get(`${turn.turn}:${call.toolUseId}`) as Extract<Turn, { kind: 'tool' }> | undefined;
      const step: TraceStep = {
        node: run?.where === 'task' ? 'Analysis' : 'Dispatch',
        outcome: !run ? 'running' : run.ok ? 'ok' : 'failed',
        turn: turn.turn,
        tool: call.name,
        ...(run && timing(run)),
        ...retries(toolTurnKey(turn.turn, index)),
        ...(run?.queueMs !== undefined && { queueMs: run.queueMs }),
        ...(run?.runMs !== undefined && { runMs: run.runMs }),
        ...(full && { input: shortened(JSON.stringify(call.input ?? {}), inputChars) }),
        ...(full && run && !run.ok && { detail: shortened(run.observation, inputChars) }),
      };
      steps.push(step);
      if (!run) break;
    }
  }
  // A model call in flight has not recorded itself yet: the item is at `model` with every call of
  // the last reply answered (a final answer on its way through Dispatch and Append is not one).
  const lastModel = turns.filter((t) => t.kind === 'model').at(-1);
  if (
    item.status === 'RUNNING' &&
    item.step === 'model' &&
    lastModel?.decision.kind !== 'final' &&
    !steps.some((s) => s.outcome === 'running')
  )
    steps.push({ node: 'Model', outcome: 'running' });
  if (item.failedIn !== undefined && item.failedIn !== 'parse') {
    const last = steps.at(-1);
    if (last?.outcome === 'running') {
      last.outcome = 'failed';
      if (item.failedInTask) last.node = 'Analysis';
      Object.assign(last, timing(item.failedStep ?? {}));
    }
    steps.push({
      node: 'Failure',
      outcome: 'failed',
      ...(item.completedAt && { startedAt: item.completedAt }),
      ...(full ? { detail: `in ${item.failedIn}: ${item.error ?? 'failed'}` } : { tool: item.failedIn }),
    });
  }
  return steps;
}

/** One of the caller's items, step by step, with what each tool was asked. */
export async function traceItem(
  deps: Pick<ChatDeps, 'executions' | 'items'>,
  caller: Caller,
  request: { executionId: string; itemId: string },
  messageId?: string,
): Promise<ServerMessageOf<'trace'>> {
  const execution = await deps.executions.getOwned(request.executionId, caller.userId);
  const item = await deps.items.get(request.executionId, request.itemId);
  if (!item) throw new NotFoundError(`Run ${request.executionId} has no item ${request.itemId}.`);
  return {
    action: 'trace',
    ...(messageId !== undefined && { messageId }),
    executionId: execution.executionId,
    sessionId: execution.sessionId,
    itemId: item.itemId,
    input: item.input,
    status: item.status,
    ...(item.startedAt && { startedAt: item.startedAt }),
    ...(item.durationMs !== undefined && { durationMs: item.durationMs }),
    ...(item.error && { error: item.error }),
    steps: itemSteps(item, true),
  };
}

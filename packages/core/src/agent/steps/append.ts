import type { AnalysisResult } from '../../contract';
import { getJson } from '../../data/s3-json';
import type { ItemOutput } from '../../protocol/server';
import { isItemFinished } from '../../repositories/items';
import { runEvents } from '../run/events';
import { callsOf, orderedTurns, type Turn, toolTurnKey } from '../run/transcript';
import { isEngineTool } from '../tools/declarations';
import { observationOf } from '../tools/observations';
import type { AgentDeps } from './deps';
import { currentCall, finishItem, inlineOutputBytes, loadItem, modelTurn, now, taskTiming } from './item';
import type { ItemState } from './state';

/** The analysis task's result document at `resultUri`: the tool's JSON result plus its chat output. */
type ResultDocument = Record<string, unknown> & { output?: ItemOutput };

/** The observation of a task's result; the tool the model called says what kind of result it is. */
function observe(tool: string, result: Record<string, unknown>): string {
  return JSON.stringify(
    observationOf({ reading: [], warnings: [], ...result, tool } as unknown as AnalysisResult),
  );
}

/** The tables and charts of the analyses an item ran, for its final output. */
async function analysisArtifacts(
  deps: AgentDeps,
  turns: Turn[],
): Promise<Pick<ItemOutput, 'tables' | 'charts'>> {
  const tables: NonNullable<ItemOutput['tables']> = [];
  const charts: NonNullable<ItemOutput['charts']> = [];
  for (const turn of turns) {
    if (turn.kind !== 'tool' || !turn.ok || !isEngineTool(turn.name)) continue;
    const output =
      turn.output ??
      (turn.resultUri ? (await getJson<ResultDocument>(deps.s3, turn.resultUri)).output : undefined);
    tables.push(...(output?.tables ?? []));
    charts.push(...(output?.charts ?? []));
  }
  return { ...(tables.length && { tables }), ...(charts.length && { charts }) };
}

/**
 * Append: store the analysis result as an observation, finish the item on a final answer or
 * when its step budget is spent, otherwise send it round to the model again.
 */
export async function append(deps: AgentDeps, state: ItemState): Promise<ItemState> {
  const events = runEvents(deps.notifier, state);
  const index = state.call ?? 0;
  const toolKey = toolTurnKey(state.turn, index);
  // After a tool run inside Dispatch its result is in the item already, and the state says what
  // follows (another call, or the next turn): the item is read only to write a task's result,
  // to finish, or when the state does not say (a state from before `calls` existed).
  const lastTurn = index + 1 >= (state.calls ?? 0) && state.turn + 1 >= deps.maxSteps;
  const item = state.route === 'task' || !state.calls || lastTurn ? await loadItem(deps, state) : undefined;
  const decision = item && modelTurn(item, state.turn).decision;
  const calls = decision ? (decision.kind === 'final' ? 0 : callsOf(decision).length) : state.calls!;

  if (
    item &&
    decision?.kind === 'tool' &&
    state.route === 'task' &&
    state.taskResult &&
    !item.turns?.[toolKey]
  ) {
    const call = currentCall(decision, state);
    const { output, ...result } = await getJson<ResultDocument>(deps.s3, state.taskResult.resultUri);
    const small = output && JSON.stringify(output).length <= inlineOutputBytes;
    await deps.items.putTurn(state.executionId, state.itemId, toolKey, {
      kind: 'tool',
      turn: state.turn,
      toolUseId: call.toolUseId,
      name: call.name,
      ok: true,
      observation: observe(call.name, result),
      resultUri: state.taskResult.resultUri,
      ...(small && { output }),
      where: 'task',
      ...taskTiming(state, now(deps)),
    });
    await events.step(state.itemId, call.name, 'succeeded');
  }

  await events.step(state.itemId, 'append', 'started');
  const next: ItemState = { ...state, turn: state.turn + 1, done: false };
  delete next.route;
  delete next.job;
  delete next.taskResult;
  delete next.call;
  delete next.calls;

  // More calls in the same reply: each gets its result before the model is asked again.
  if (index + 1 < calls) {
    await events.step(state.itemId, 'append', 'succeeded');
    return { ...next, turn: state.turn, call: index + 1, calls };
  }

  if (item && decision?.kind === 'final') {
    if (!isItemFinished(item)) {
      const artifacts = await analysisArtifacts(deps, orderedTurns(item.turns));
      await finishItem(deps, state, item, { output: { text: decision.text, ...artifacts } });
    }
    await events.step(state.itemId, 'append', 'succeeded', 'answered');
    return { ...next, turn: state.turn, done: true };
  }
  if (item && next.turn >= deps.maxSteps) {
    const error = `The agent did not reach an answer within ${deps.maxSteps} steps.`;
    await finishItem(deps, state, item, { error });
    await events.step(state.itemId, 'append', 'failed', error);
    return { ...next, done: true };
  }
  await events.step(state.itemId, 'append', 'succeeded');
  return next;
}

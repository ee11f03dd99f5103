import { runEvents } from '../run/events';
import { callsOf, type Decision, orderedTurns, turnKey } from '../run/transcript';
import type { AgentDeps } from './deps';
import { sessionHistory, trimHistory } from './history';
import { loadItem, stopwatch } from './item';
import type { ItemState } from './state';

/** InvokeModel: ask the provider for the next step. A retry reuses the decision already recorded. */
export async function invokeModel(deps: AgentDeps, state: ItemState): Promise<ItemState> {
  const item = await loadItem(deps, state);
  const key = turnKey(state.turn, 'model');
  const recorded = item.turns?.[key];
  if (recorded?.kind === 'model') return { ...state, ...callCount(recorded.decision) };
  const events = runEvents(deps.notifier, state);
  await events.step(state.itemId, 'model', 'started');
  await deps.items.markRunning(state.executionId, state.itemId, 'model', key);
  const stream = events.deltas(state.itemId, state.turn, deps.deltaIntervalMs ?? 100);
  const clock = stopwatch(deps);
  let decision: Decision;
  try {
    decision = await deps.provider.decide({
      request: item.request ?? { text: item.input, intent: 'refusal' },
      history: deps.provider.readsHistory === false ? [] : trimHistory(await sessionHistory(deps, state)),
      turns: orderedTurns(item.turns),
      turn: state.turn,
      maxSteps: deps.maxSteps,
      onText: stream.write,
      signal: AbortSignal.timeout(deps.modelTimeoutMs ?? 270_000),
    });
  } finally {
    await stream.flush();
  }
  await deps.items.putTurn(state.executionId, state.itemId, key, {
    kind: 'model',
    turn: state.turn,
    decision,
    provider: deps.provider.name,
    ...clock.timed(),
  });
  await events.step(state.itemId, 'model', 'succeeded', describeDecision(decision));
  return { ...state, ...callCount(decision) };
}

/** What the next steps need to know of a decision without reading the item: 0 calls is the answer. */
function callCount(decision: Decision): Pick<ItemState, 'calls'> {
  if (decision.kind === 'final') return { calls: 0 };
  const calls = callsOf(decision).length;
  return calls > 0 ? { calls } : {};
}

function describeDecision(decision: Decision): string {
  return decision.kind === 'final'
    ? 'writes the answer'
    : `calls ${callsOf(decision)
        .map((c) => c.name)
        .join(', ')}`;
}

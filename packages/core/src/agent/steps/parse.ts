import { isItemFinished } from '../../repositories/items';
import { parseRequest } from '../request/parse';
import { runEvents } from '../run/events';
import { datasetNames, datasetSchema } from '../tools/inline';
import type { AgentDeps } from './deps';
import { sessionHistory } from './history';
import { loadExecution, loadItem, stopwatch } from './item';
import type { ItemState } from './state';

/** Twenty questions and their answers: longer chains of follow-ups than people write. */
const parseHistoryMessages = 40;

/** Parse: what is this item asking, about which dataset and columns? */
export async function parseItem(deps: AgentDeps, state: ItemState): Promise<ItemState> {
  const events = runEvents(deps.notifier, state);
  const item = await loadItem(deps, state);
  if (isItemFinished(item)) return { ...state, done: true };
  // What the message said around this item came with it; an item written before it did reads the run.
  const message = item.message ?? (await loadExecution(deps, state.executionId)).request;
  await events.step(state.itemId, 'parse', 'started');
  const clock = stopwatch(deps);
  await deps.items.markRunning(state.executionId, state.itemId, 'parse', 'parse');
  const [history, datasets] = await Promise.all([
    // Parse reads the conversation further back than a model's context: a follow-up's chain is replayed from its start.
    sessionHistory(deps, state, parseHistoryMessages),
    datasetNames(deps.datasets, state.userId),
  ]);
  const request = await parseRequest({
    content: message.content ?? item.input,
    input: item.input,
    ...(message.datasetId && { datasetId: message.datasetId }),
    datasets,
    history,
    schemaOf: (datasetId) => datasetSchema(deps.datasets, state.userId, datasetId),
  });
  await deps.items.saveRequest(state.executionId, state.itemId, request, clock.timed());
  const detail = request.datasetId ? `${request.intent} · ${request.datasetId}` : request.intent;
  await events.step(state.itemId, 'parse', 'succeeded', detail);
  return { ...state, turn: 0, done: false };
}

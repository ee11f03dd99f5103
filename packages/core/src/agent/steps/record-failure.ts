import { logger } from '../../logger';
import { type ItemRecord, isItemFinished } from '../../repositories/items';
import { runEvents } from '../run/events';
import { readableError } from '../run/readable-error';
import { callsOf, textArgument, turnKey } from '../run/transcript';
import { aboutDataset } from '../tools/engine';
import type { AgentDeps } from './deps';
import { finishItem, loadItem, now, taskTiming } from './item';
import type { ItemState } from './state';

/** The Catch of every item step: the item fails with a readable reason; the batch goes on. */
export async function recordFailure(deps: AgentDeps, state: ItemState): Promise<ItemState> {
  logger.warn('item failed', { executionId: state.executionId, itemId: state.itemId, cause: state.error });
  const item = await loadItem(deps, state);
  // The task's sentence about unreadable data says "the file": name the dataset it was given.
  const datasetId =
    state.route === 'task' && state.error?.Error === 'BadData' ? calledDataset(item, state) : undefined;
  const error = datasetId ? aboutDataset(datasetId, readableError(state)) : readableError(state);
  if (!isItemFinished(item)) {
    await runEvents(deps.notifier, state).step(state.itemId, item.step ?? 'parse', 'failed', error);
    // A Catch after RunAnalysis still carries Dispatch's route: the task is what failed.
    await finishItem(deps, state, item, {
      error,
      failedIn: item.step ?? 'parse',
      ...(state.route === 'task' && { inTask: true, failedStep: taskTiming(state, now(deps)) }),
    });
  }
  return {
    executionId: state.executionId,
    sessionId: state.sessionId,
    userId: state.userId,
    tenantId: state.tenantId,
    itemId: state.itemId,
    turn: state.turn,
    done: true,
  };
}

/** The dataset the item's current tool call names, if it names one. */
function calledDataset(item: ItemRecord, state: ItemState): string | undefined {
  const recorded = item.turns?.[turnKey(state.turn, 'model')];
  const call = recorded?.kind === 'model' ? callsOf(recorded.decision)[state.call ?? 0] : undefined;
  return textArgument(call, 'datasetId');
}

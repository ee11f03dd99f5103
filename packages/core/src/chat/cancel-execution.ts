import { logger } from '../logger';
import type { ExecutionMessage } from '../protocol/server';
import { isFinal } from '../repositories/executions';
import { isItemFinished } from '../repositories/items';
import { concludeExecution } from './conclude';
import type { Caller, ChatDeps } from './deps';
import { executionMessage } from './views';

/**
 * Stops the user's run: stops the state machine (which kills a running analysis task), marks
 * the execution ABORTED, frees the session and tells every connection. An execution that has
 * already ended keeps its final status.
 */
export async function cancelExecution(
  deps: ChatDeps,
  caller: Caller,
  executionId: string,
  messageId?: string,
): Promise<ExecutionMessage> {
  const execution = await deps.executions.getOwned(executionId, caller.userId);
  if (isFinal(execution.status)) {
    return executionMessage(execution, await deps.items.list(executionId), messageId);
  }
  await deps.orchestrator.stop(executionId, 'Cancelled by the user');
  const items = await deps.items.list(executionId);
  const finished = items.filter(isItemFinished).length;
  const summary = `Cancelled after ${finished} of ${execution.totalItems} ${execution.totalItems === 1 ? 'item' : 'items'} finished.`;
  const { announced, execution: ended } = await concludeExecution(deps, executionId, 'ABORTED', summary);
  logger.info('cancel requested', { executionId, announced });
  return executionMessage(ended, await deps.items.list(executionId), messageId);
}

import { logger } from '../logger';
import type { Notifier } from '../notifier/notifier';
import type { ItemStatus, StepStatus } from '../protocol/codes';
import type { ItemCounts } from '../repositories/executions';

export interface RunRef {
  executionId: string;
  sessionId: string;
  userId: string;
}

/**
 * The live events of a run, sent to every connection of its user. Events are a courtesy: a
 * failure to deliver one is logged and never fails the step (execution.get has the truth).
 */
export function runEvents(notifier: Notifier, run: RunRef) {
  const base = { executionId: run.executionId, sessionId: run.sessionId };
  const send = async (message: Parameters<Notifier['toUser']>[1]) => {
    try {
      await notifier.toUser(run.userId, message);
    } catch (error) {
      logger.warn('could not send a run event', {
        executionId: run.executionId,
        action: message.action,
        error,
      });
    }
  };
  return {
    step(itemId: string, step: string, status: StepStatus, detail?: string) {
      return send({ action: 'step', ...base, itemId, step, status, ...(detail && { detail }) });
    },
    progress(
      counts: ItemCounts,
      item: { id: string; status: ItemStatus; durationMs: number; error?: string },
    ) {
      const percent =
        counts.totalItems === 0 ? 100 : Math.round((1000 * counts.completedItems) / counts.totalItems) / 10;
      return send({
        action: 'progress',
        ...base,
        completed: counts.completedItems,
        failed: counts.failedItems,
        total: counts.totalItems,
        percent: Math.min(100, percent),
        item,
      });
    },
  };
}

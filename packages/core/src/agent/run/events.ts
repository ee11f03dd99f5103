import { logger } from '../../logger';
import type { Notifier } from '../../notifier/notifier';
import type { ItemStatus, StepStatus } from '../../protocol/codes';
import type { ItemCounts } from '../../repositories/executions';

/** Characters per delta message: well inside API Gateway's 32 KB frames even as UTF-8 escapes. */
const deltaChars = 4_000;

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
    /**
     * The answer's text as the model writes it, sent at most every `intervalMs` and in pieces
     * that fit one WebSocket message. `flush` sends what is left and waits for every send.
     */
    deltas(itemId: string, turn: number, intervalMs: number) {
      let pending = '';
      let timer: ReturnType<typeof setTimeout> | undefined;
      let sending = Promise.resolve();
      const sendPending = () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        if (!pending) return;
        const text = pending;
        pending = '';
        sending = sending.then(async () => {
          for (let at = 0; at < text.length; at += deltaChars)
            await send({ action: 'delta', ...base, itemId, turn, text: text.slice(at, at + deltaChars) });
        });
      };
      return {
        write(delta: string) {
          pending += delta;
          timer ??= setTimeout(sendPending, intervalMs);
        },
        async flush() {
          sendPending();
          await sending;
        },
      };
    },
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

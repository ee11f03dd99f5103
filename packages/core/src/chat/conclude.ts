import { responseMessageIdFor, sessionLockName } from '../ids';
import { logger } from '../logger';
import type { ExecutionRecord, FinalStatus } from '../repositories/executions';
import type { ChatDeps } from './deps';
import { responseMessage } from './views';

export interface Conclusion {
  /** True for the one caller that ended the execution and announced it. */
  announced: boolean;
  execution: ExecutionRecord;
}

/**
 * Ends an execution once: sets the final status, stores the summary as the session's assistant
 * message, frees the session and the user's run and sends `response` to every connection of the user. Whoever loses
 * the race (a retry, a cancel against Finish) changes nothing and sends nothing; a retry of the
 * winner completes the idempotent bookkeeping without announcing twice.
 */
export async function concludeExecution(
  deps: Pick<ChatDeps, 'executions' | 'items' | 'messages' | 'sessions' | 'locks' | 'limits' | 'notifier'>,
  executionId: string,
  status: FinalStatus,
  summary: string,
): Promise<Conclusion> {
  const { won, execution } = await deps.executions.finish(executionId, status, summary);
  if (!execution) throw new Error(`Execution ${executionId} disappeared while ending`);
  if (!won && (execution.status !== status || execution.summary !== summary)) {
    return { announced: false, execution };
  }
  await deps.messages.append({
    sessionId: execution.sessionId,
    messageId: responseMessageIdFor(executionId),
    role: 'assistant',
    content: summary,
    createdAt: execution.completedAt!,
    executionId,
  });
  await deps.sessions.recordExecutionStatus(execution.sessionId, executionId, status);
  await deps.locks.release(sessionLockName(execution.sessionId), executionId);
  await deps.limits.releaseRun(execution.userId, executionId);
  if (won) {
    const items = await deps.items.list(executionId);
    const delivery = await deps.notifier.toUser(
      execution.userId,
      // A response has no TIMED_OUT: to the client, a run that ran out of time failed.
      responseMessage(execution, items, status === 'TIMED_OUT' ? 'FAILED' : status, summary),
    );
    logger.info('execution ended', { executionId, status, ...delivery });
  }
  return { announced: won, execution };
}

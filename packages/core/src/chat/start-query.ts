import { ConflictError } from '../errors';
import { executionIdFor, fingerprint, newSessionIdFor, sessionLockName } from '../ids';
import { logger } from '../logger';
import type { ClientRequest } from '../protocol/client';
import type { ServerMessage, ServerMessageOf } from '../protocol/server';
import { type ExecutionRecord, isFinal } from '../repositories/executions';
import type { NewItem } from '../repositories/items';
import { concludeExecution } from './conclude';
import { type Caller, type ChatDeps, runPolicy } from './deps';
import { responseMessage, titleFrom } from './views';

type QueryRequest = ClientRequest<'query'>;

/** Sends a message to the connection that asked. */
export type Reply = (message: ServerMessage) => Promise<unknown>;

/** A message without `items` is one item, with the content as its input. */
export const singleItemId = '1';

function itemsOf(request: QueryRequest): NewItem[] {
  const { content, datasetId } = request.payload;
  const items = request.payload.items ?? [{ id: singleItemId, input: content }];
  return items.map((item, index) => ({
    itemId: item.id,
    index,
    input: item.input,
    message: { ...(item.input !== content && { content }), ...(datasetId && { datasetId }) },
  }));
}

/** What a question touches: everything of the chat's but access control. */
export type QueryDeps = Omit<ChatDeps, 'revocations' | 'apiKeys' | 'directory'>;

/**
 * Accepts a question and starts its run: opens or continues the session, takes the session's
 * lock, records the execution and its items, stores the user's message and starts the state
 * machine with name = executionId. The `ack` goes out before the run starts, so it precedes every
 * event of the run. Every step is keyed by ids derived from (user, messageId), so a repeated
 * message finds the first execution and starts nothing new, and one that failed half-way through
 * is completed by its retry. Returns the executionId.
 */
export async function startQuery(
  deps: QueryDeps,
  caller: Caller,
  request: QueryRequest,
  reply: Reply,
): Promise<string> {
  const executionId = executionIdFor(caller.userId, request.messageId);
  const requestHash = fingerprint({ sessionId: request.sessionId ?? null, payload: request.payload });

  const existing = await deps.executions.get(executionId);
  if (existing) {
    if (existing.requestHash !== requestHash) {
      throw new ConflictError(
        'That messageId was already used for a different message; send it with a new messageId.',
        { field: 'messageId' },
      );
    }
    if (existing.status === 'PENDING') return launch(deps, existing, request, reply, true);
    return replay(deps, existing, reply);
  }

  // A repeated message (above) is not a new question: only new ones count towards the limits.
  await deps.limits.query(caller.userId);
  const sessionId = request.sessionId ?? newSessionIdFor(caller.userId, request.messageId);
  if (request.sessionId) await deps.sessions.getOwned(sessionId, caller.userId);
  // A dataset the caller cannot see is NOT_FOUND before anything is written (no session, no run).
  if (request.payload.datasetId) await deps.datasets.locate(caller.userId, request.payload.datasetId);

  await deps.limits.claimRun(caller.userId, executionId);
  const lock = await deps.locks
    .acquire(sessionLockName(sessionId), executionId, runPolicy.sessionLockSeconds)
    .catch(async (error: unknown) => {
      await deps.limits.releaseRun(caller.userId, executionId);
      throw error;
    });
  if (!lock.acquired) {
    await deps.limits.releaseRun(caller.userId, executionId);
    throw new ConflictError(
      'A run is already in progress in this session; wait for it to end or cancel it.',
      {
        executionId: lock.holder.owner,
      },
    );
  }

  let execution: ExecutionRecord;
  try {
    if (!request.sessionId) {
      await deps.sessions.create({
        sessionId,
        userId: caller.userId,
        tenantId: caller.tenantId,
        title: titleFrom(request.payload.content),
      });
    }
    const created = await deps.executions.create({
      executionId,
      messageId: request.messageId,
      userId: caller.userId,
      tenantId: caller.tenantId,
      sessionId,
      totalItems: itemsOf(request).length,
      startedAt: new Date().toISOString(),
      requestHash,
      request: {
        content: request.payload.content,
        ...(request.payload.datasetId && { datasetId: request.payload.datasetId }),
        maxConcurrency: request.payload.options?.maxConcurrency ?? runPolicy.defaultMaxConcurrency,
      },
    });
    // A concurrent copy of this very message got there first; it carries on, we only answer.
    if (!created.created) return replay(deps, created.execution, reply);
    execution = created.execution;
  } catch (error) {
    await deps.locks.release(sessionLockName(sessionId), executionId);
    await deps.limits.releaseRun(caller.userId, executionId);
    throw error;
  }
  return launch(deps, execution, request, reply, false);
}

/** Writes the items and the user's message, acknowledges, then starts the state machine. */
async function launch(
  deps: QueryDeps,
  execution: ExecutionRecord,
  request: QueryRequest,
  reply: Reply,
  resuming: boolean,
): Promise<string> {
  const { executionId, sessionId } = execution;
  try {
    // A retry must not rewrite the items of a run that already started.
    const started = resuming && (await deps.orchestrator.exists(executionId));
    if (started) {
      await reply(ackFor(execution));
    } else {
      const items = itemsOf(request);
      // Three tables, no order among them: written at once, one round trip instead of three.
      await allWritten([
        deps.items.createBatch(executionId, items),
        deps.messages.append({
          sessionId,
          messageId: request.messageId,
          role: 'user',
          content: request.payload.content,
          createdAt: execution.startedAt,
          executionId,
        }),
        deps.sessions.recordExecution(sessionId, executionId, 'RUNNING'),
      ]);
      await reply(ackFor(execution));
      await deps.orchestrator.start({
        executionId,
        sessionId,
        userId: execution.userId,
        tenantId: execution.tenantId,
        items: items.map((item) => ({ id: item.itemId })),
        options: { maxConcurrency: execution.request.maxConcurrency },
      });
    }
    await deps.executions.markRunning(executionId);
  } catch (error) {
    logger.error('could not start the run', { executionId, error });
    // Leave a consistent story: the execution FAILED, its response sent, the session free.
    await concludeExecution(
      deps,
      executionId,
      'FAILED',
      'The run could not be started. Please send the message again.',
    ).catch((cleanupError: unknown) => {
      logger.error('could not record the failed start', { executionId, error: cleanupError });
    });
    throw error;
  }
  return executionId;
}

/** Waits for every write to settle (none is left in flight behind a failure), then throws the first failure. */
async function allWritten(writes: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(writes)).find((write) => write.status === 'rejected');
  if (failed) throw failed.reason;
}

function ackFor(execution: ExecutionRecord): ServerMessageOf<'ack'> {
  return {
    action: 'ack',
    messageId: execution.messageId,
    executionId: execution.executionId,
    sessionId: execution.sessionId,
    totalItems: execution.totalItems,
  };
}

/** A repeated messageId: the first execution's ack again and, if it has ended, its final response. */
async function replay(deps: QueryDeps, execution: ExecutionRecord, reply: Reply): Promise<string> {
  await reply(ackFor(execution));
  if (isFinal(execution.status)) {
    const status = execution.status === 'TIMED_OUT' ? 'FAILED' : execution.status;
    const items = await deps.items.list(execution.executionId);
    await reply(responseMessage(execution, items, status, execution.summary ?? ''));
  }
  return execution.executionId;
}

import type { ExecutionStatus } from '../protocol/codes';
import type { ServerMessageOf } from '../protocol/server';
import type { PageRequest } from '../repositories/dynamo';
import type { Caller, ChatDeps } from './deps';
import { executionMessage, executionsMessage, historyEntry, sessionSummary, statesShownAs } from './views';

/** The complete state of one of the caller's executions, for a client that reconnects. */
export async function getExecution(
  deps: Pick<ChatDeps, 'executions' | 'items'>,
  caller: Caller,
  executionId: string,
  messageId?: string,
): Promise<ServerMessageOf<'execution'>> {
  const execution = await deps.executions.getOwned(executionId, caller.userId);
  return executionMessage(execution, await deps.items.list(executionId), messageId);
}

/** One page of the caller's executions, newest first, optionally only those of one status. */
export async function listExecutions(
  deps: Pick<ChatDeps, 'executions'>,
  caller: Caller,
  page: PageRequest & { status?: ExecutionStatus },
  messageId?: string,
): Promise<ServerMessageOf<'executions'>> {
  const { status, ...paging } = page;
  const states = status === undefined ? undefined : statesShownAs(status);
  const { items, cursor } = await deps.executions.listByUser(caller.userId, paging, states);
  return executionsMessage(items, cursor, messageId);
}

export async function listSessions(
  deps: Pick<ChatDeps, 'sessions'>,
  caller: Caller,
  page: PageRequest,
  messageId?: string,
): Promise<ServerMessageOf<'sessions'>> {
  const { items, cursor } = await deps.sessions.listByUser(caller.userId, page);
  return {
    action: 'sessions',
    ...(messageId !== undefined && { messageId }),
    sessions: items.map(sessionSummary),
    ...(cursor && { cursor }),
  };
}

/** One page of a session's conversation, oldest first; the cursor leads to older messages. */
export async function sessionHistory(
  deps: Pick<ChatDeps, 'sessions' | 'messages'>,
  caller: Caller,
  sessionId: string,
  page: PageRequest,
  messageId?: string,
): Promise<ServerMessageOf<'history'>> {
  await deps.sessions.getOwned(sessionId, caller.userId);
  const { items, cursor } = await deps.messages.pageNewestFirst(sessionId, page);
  return {
    action: 'history',
    ...(messageId !== undefined && { messageId }),
    sessionId,
    messages: items.reverse().map(historyEntry),
    ...(cursor && { cursor }),
  };
}

export async function listDatasets(
  deps: Pick<ChatDeps, 'datasets'>,
  caller: Caller,
  messageId?: string,
): Promise<ServerMessageOf<'datasets'>> {
  return {
    action: 'datasets',
    ...(messageId !== undefined && { messageId }),
    datasets: await deps.datasets.list(caller.userId),
  };
}

/** Where the caller may upload a CSV or Parquet file as a dataset of their own. */
export async function createUpload(
  deps: Pick<ChatDeps, 'datasets'>,
  caller: Caller,
  upload: { name: string; sizeBytes: number },
  messageId?: string,
): Promise<ServerMessageOf<'upload'>> {
  const target = await deps.datasets.uploadUrl(caller.userId, upload.name, upload.sizeBytes);
  return {
    action: 'upload',
    ...(messageId !== undefined && { messageId }),
    datasetId: target.datasetId,
    url: target.url,
    method: 'PUT',
    headers: target.headers,
    expiresAt: target.expiresAt,
  };
}

import type { QueryItem, ServerMessage, ServerMessageOf } from '@cascade/core/protocol';
import { useCallback, useMemo, useReducer, useRef } from 'react';
import { type ConnectionStatus, RequestRefused, type SendResult } from '../net/connection';
import { type ChatState, chatReducer, initialChatState, type PendingQuery } from './chat';
import { chatRequests, queryMessage } from './requests';
import { useCatchUp, useRunsStartedElsewhere, useSessionListRefresh, useWholeRuns } from './sync';
import { uploadRefusal } from './upload';
import { useConnection } from './useConnection';
import { sessionFromHash, useSessionInUrl } from './useSessionInUrl';

export interface QueryInput {
  content: string;
  items?: QueryItem[];
  datasetId?: string;
}

export interface Chat {
  state: ChatState;
  status: ConnectionStatus;
  send(query: QueryInput): SendResult;
  openSession(sessionId?: string): void;
  /** The next page of older sessions, if there is one. */
  loadOlderSessions(): void;
  /** The next page of the open session's earlier messages, if there is one. */
  loadEarlierMessages(): void;
  cancelRun(executionId: string): void;
  /** Asks for a run's whole state again (its trace and cost); the answer lands in `state.runs`. */
  refreshRun(executionId: string): Promise<void>;
  /** One item's full trace: every step with what its tool was asked. */
  traceItem(executionId: string, itemId: string): Promise<ServerMessageOf<'trace'>>;
  upload(file: File): Promise<string>;
  /** Ends every sign-in of this user's, on every device; rejects with the server's sentence. */
  signOutEverywhere(): Promise<void>;
  dismissNotice(): void;
}

/**
 * The conversation with the server: one connection, the state reducer, the hooks that keep the
 * state in step with the server, and what the person can do.
 */
export function useChat(websocketUrl: string, token: (renew?: boolean) => Promise<string>): Chat {
  const [state, dispatch] = useReducer(chatReducer, initialChatState, (s) => ({
    ...s,
    activeSessionId: sessionFromHash(),
    historyLoading: sessionFromHash() !== undefined,
  }));
  const stateRef = useRef(state);
  stateRef.current = state;
  const onMessage = useCallback((message: ServerMessage) => dispatch({ type: 'server', message }), []);
  const { connection, status } = useConnection(websocketUrl, token, onMessage);
  const requests = useMemo(() => chatRequests(connection, dispatch), [connection]);

  useCatchUp(status, stateRef, requests, connection);
  useWholeRuns(state, status, requests);
  useRunsStartedElsewhere(state, status, requests);
  useSessionListRefresh(state.sessionChanges, connection, requests);

  const openSession = useCallback(
    (sessionId?: string) => {
      dispatch({ type: 'sessionOpened', sessionId });
      if (sessionId) requests.history(sessionId);
    },
    [requests],
  );
  useSessionInUrl(state.activeSessionId, openSession);

  const loadOlderSessions = useCallback(() => {
    const { sessionsCursor, loadingOlderSessions } = stateRef.current;
    if (!sessionsCursor || loadingOlderSessions) return;
    dispatch({ type: 'pageRequested', of: 'sessions' });
    requests.olderSessions(sessionsCursor);
  }, [requests]);

  const loadEarlierMessages = useCallback(() => {
    const { activeSessionId, historyCursor, loadingEarlier } = stateRef.current;
    if (!activeSessionId || !historyCursor || loadingEarlier) return;
    dispatch({ type: 'pageRequested', of: 'history' });
    requests.earlierHistory(activeSessionId, historyCursor);
  }, [requests]);

  const send = useCallback(
    (input: QueryInput): SendResult => {
      const query: PendingQuery = {
        messageId: crypto.randomUUID(),
        content: input.content,
        items: input.items ?? [{ id: '1', input: input.content }],
        batch: input.items !== undefined,
        ...(input.datasetId && { datasetId: input.datasetId }),
        ...(stateRef.current.activeSessionId && { sessionId: stateRef.current.activeSessionId }),
      };
      // Not a request: its ack and refusal reach the reducer, which holds the question until then.
      const result = connection.send(queryMessage(query));
      if (result.ok) dispatch({ type: 'querySent', query, at: new Date().toISOString() });
      return result;
    },
    [connection],
  );

  const refreshRun = useCallback(
    async (executionId: string) => {
      const answer = await connection.request('execution.get', { executionId });
      dispatch({ type: 'server', message: answer });
    },
    [connection],
  );

  const traceItem = useCallback(
    (executionId: string, itemId: string) => connection.request('execution.trace', { executionId, itemId }),
    [connection],
  );

  const upload = useCallback(
    async (file: File): Promise<string> => {
      const answer = await connection
        .request('dataset.upload', { name: file.name, sizeBytes: file.size })
        .catch((error: unknown) => {
          throw error instanceof RequestRefused ? new Error(uploadRefusal(file.name, error.answer)) : error;
        });
      const put = await fetch(answer.url, {
        method: answer.method,
        headers: answer.headers,
        body: file,
      }).catch(() => undefined);
      if (!put?.ok)
        throw new Error(`The upload of ${file.name} failed${put ? ` (HTTP ${put.status})` : ''}. Try again.`);
      requests.datasets();
      return answer.datasetId;
    },
    [connection, requests],
  );

  const signOutEverywhere = useCallback(async () => {
    await connection.request('signout.everywhere');
  }, [connection]);

  const dismissNotice = useCallback(() => dispatch({ type: 'notice' }), []);

  return {
    state,
    status,
    send,
    openSession,
    loadOlderSessions,
    loadEarlierMessages,
    cancelRun: requests.cancel,
    refreshRun,
    traceItem,
    upload,
    signOutEverywhere,
    dismissNotice,
  };
}

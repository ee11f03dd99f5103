import type { ClientMessage, QueryItem, ServerMessage, ServerMessageOf } from '@cascade/core/protocol';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Connection, type ConnectionStatus, type SendResult } from '../net/connection';
import {
  type ChatState,
  chatReducer,
  detailsRequestId,
  earlierHistoryId,
  historyId,
  initialChatState,
  olderSessionsId,
  type PendingQuery,
  runEnded,
} from './chat';
import { uploadRefusal } from './upload';

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

/** How many past runs of a session are fetched in full (outputs, charts) when it opens. */
const runsFetchedPerSession = 20;

const sessionFromHash = () => /^#\/session\/([0-9a-f-]{36})$/i.exec(location.hash)?.[1];

/**
 * The conversation with the server: one connection, the state reducer, and what to ask after
 * (re)connecting — the session list, the datasets, the open session's history and the full
 * state of every run still in flight, so nothing is lost while the network was away.
 */
export function useChat(websocketUrl: string, token: (renew?: boolean) => Promise<string>): Chat {
  const [state, dispatch] = useReducer(chatReducer, initialChatState, (s) => ({
    ...s,
    activeSessionId: sessionFromHash(),
    historyLoading: sessionFromHash() !== undefined,
  }));
  const [status, setStatus] = useState<ConnectionStatus>({ state: 'connecting', attempt: 0 });
  const stateRef = useRef(state);
  stateRef.current = state;
  const requested = useRef(new Set<string>());
  const historyAsked = useRef(new Set<string>());

  const connection = useMemo(
    () =>
      new Connection({
        url: websocketUrl,
        token,
        onMessage: (message: ServerMessage) => dispatch({ type: 'server', message }),
        onStatus: setStatus,
      }),
    [websocketUrl, token],
  );

  const ask = useCallback((message: ClientMessage) => connection.send(message), [connection]);

  useEffect(() => {
    connection.start();
    const online = () => connection.retryNow();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      connection.stop();
    };
  }, [connection]);

  // After every (re)connect: catch up with the server's state.
  useEffect(() => {
    if (status.state !== 'open') return;
    const current = stateRef.current;
    ask({ action: 'sessions.list', messageId: 'sessions' });
    ask({ action: 'datasets.list', messageId: 'datasets' });
    if (current.activeSessionId) ask(historyRequest(current.activeSessionId));
    // A page asked for just before the connection dropped is asked for again.
    if (current.loadingOlderSessions && current.sessionsCursor)
      ask(olderSessionsRequest(current.sessionsCursor));
    if (current.loadingEarlier && current.activeSessionId && current.historyCursor)
      ask(earlierHistoryRequest(current.activeSessionId, current.historyCursor));
    for (const run of Object.values(current.runs))
      if (!runEnded(run.status)) ask({ action: 'execution.get', payload: { executionId: run.executionId } });
    // A question sent just before the connection dropped: the same messageId never starts a second run.
    for (const query of Object.values(current.pending)) ask(queryMessage(query));
    requested.current.clear();
  }, [status, ask]);

  // Runs named in the open session's history are fetched in full once.
  useEffect(() => {
    if (status.state !== 'open') return;
    const ids = state.turns
      .map((t) => t.executionId)
      .filter((id): id is string => id !== undefined && !state.runs[id] && !requested.current.has(id));
    for (const executionId of [...new Set(ids)].slice(-runsFetchedPerSession)) {
      requested.current.add(executionId);
      ask({ action: 'execution.get', payload: { executionId } });
    }
  }, [state.turns, state.runs, status, ask]);

  // A run first seen through a live event (the page was reloaded mid-run, or another tab started
  // it) is fetched whole once: its total, its items in order and their questions.
  useEffect(() => {
    if (status.state !== 'open') return;
    for (const run of Object.values(state.runs)) {
      if (run.whole || requested.current.has(run.executionId)) continue;
      requested.current.add(run.executionId);
      ask({ action: 'execution.get', payload: { executionId: run.executionId } });
    }
  }, [state.runs, status, ask]);

  // A run of the open session that started in another tab: load the question that started it.
  useEffect(() => {
    const sessionId = state.activeSessionId;
    if (status.state !== 'open' || !sessionId) return;
    const known = new Set(state.turns.map((t) => t.executionId));
    const stranger = Object.values(state.runs).find(
      (run) => run.sessionId === sessionId && !known.has(run.executionId),
    );
    const pendingHere = Object.values(state.pending).some((q) => q.sessionId === sessionId);
    if (stranger && !pendingHere && !historyAsked.current.has(stranger.executionId)) {
      historyAsked.current.add(stranger.executionId);
      ask(historyRequest(sessionId));
    }
  }, [state.runs, state.turns, state.pending, state.activeSessionId, status, ask]);

  // The session list changes when a run starts (new session, new title) and when it ends (status);
  // snapshots of a session's past runs change nothing there.
  const { sessionChanges } = state;
  useEffect(() => {
    if (sessionChanges > 0 && connection.isOpen) ask({ action: 'sessions.list', messageId: 'sessions' });
  }, [sessionChanges, connection, ask]);

  // The open session lives in the URL, so a reload comes back to it and Back returns to the one before.
  useEffect(() => {
    const hash = state.activeSessionId ? `#/session/${state.activeSessionId}` : '';
    if (location.hash !== hash) history.pushState(null, '', `${location.pathname}${location.search}${hash}`);
  }, [state.activeSessionId]);

  const openSession = useCallback(
    (sessionId?: string) => {
      dispatch({ type: 'sessionOpened', sessionId });
      if (sessionId) ask(historyRequest(sessionId));
    },
    [ask],
  );

  // Back and Forward move between the sessions the URL has named.
  useEffect(() => {
    const follow = () => {
      const sessionId = sessionFromHash();
      if (sessionId !== stateRef.current.activeSessionId) openSession(sessionId);
    };
    window.addEventListener('popstate', follow);
    return () => window.removeEventListener('popstate', follow);
  }, [openSession]);

  const loadOlderSessions = useCallback(() => {
    const { sessionsCursor, loadingOlderSessions } = stateRef.current;
    if (!sessionsCursor || loadingOlderSessions) return;
    const result = ask(olderSessionsRequest(sessionsCursor));
    dispatch(result.ok ? { type: 'pageRequested', of: 'sessions' } : { type: 'notice', text: result.reason });
  }, [ask]);

  const loadEarlierMessages = useCallback(() => {
    const { activeSessionId, historyCursor, loadingEarlier } = stateRef.current;
    if (!activeSessionId || !historyCursor || loadingEarlier) return;
    const result = ask(earlierHistoryRequest(activeSessionId, historyCursor));
    dispatch(result.ok ? { type: 'pageRequested', of: 'history' } : { type: 'notice', text: result.reason });
  }, [ask]);

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
      const message = queryMessage(query);
      const result = connection.send(message);
      if (result.ok) dispatch({ type: 'querySent', query, at: new Date().toISOString() });
      return result;
    },
    [connection],
  );

  const cancelRun = useCallback(
    (executionId: string) => {
      const result = ask({
        action: 'execution.cancel',
        messageId: crypto.randomUUID(),
        payload: { executionId },
      });
      if (!result.ok) dispatch({ type: 'notice', text: result.reason });
    },
    [ask],
  );

  const refreshRun = useCallback(
    async (executionId: string) => {
      const answer = await connection.request({
        action: 'execution.get',
        messageId: detailsRequestId(),
        payload: { executionId },
      });
      if (answer.action === 'error') throw new Error(answer.message);
    },
    [connection],
  );

  const traceItem = useCallback(
    async (executionId: string, itemId: string) => {
      const answer = await connection.request({
        action: 'execution.trace',
        messageId: detailsRequestId(),
        payload: { executionId, itemId },
      });
      if (answer.action === 'error') throw new Error(answer.message);
      if (answer.action !== 'trace') throw new Error('The server answered the trace request unexpectedly.');
      return answer;
    },
    [connection],
  );

  const upload = useCallback(
    async (file: File): Promise<string> => {
      const answer = await connection.request({
        action: 'dataset.upload',
        messageId: crypto.randomUUID(),
        payload: { name: file.name, sizeBytes: file.size },
      });
      if (answer.action === 'error') throw new Error(uploadRefusal(file.name, answer));
      if (answer.action !== 'upload') throw new Error('The server answered the upload request unexpectedly.');
      const put = await fetch(answer.url, {
        method: answer.method,
        headers: answer.headers,
        body: file,
      }).catch(() => undefined);
      if (!put?.ok)
        throw new Error(`The upload of ${file.name} failed${put ? ` (HTTP ${put.status})` : ''}. Try again.`);
      ask({ action: 'datasets.list', messageId: 'datasets' });
      return answer.datasetId;
    },
    [connection, ask],
  );

  const signOutEverywhere = useCallback(async () => {
    const answer = await connection.request({ action: 'signout.everywhere', messageId: crypto.randomUUID() });
    if (answer.action === 'error') throw new Error(answer.message);
    if (answer.action !== 'signedOut') throw new Error('The server answered the sign-out unexpectedly.');
  }, [connection]);

  const dismissNotice = useCallback(() => dispatch({ type: 'notice' }), []);

  return {
    state,
    status,
    send,
    openSession,
    loadOlderSessions,
    loadEarlierMessages,
    cancelRun,
    refreshRun,
    traceItem,
    upload,
    signOutEverywhere,
    dismissNotice,
  };
}

const olderSessionsRequest = (cursor: string): ClientMessage => ({
  action: 'sessions.list',
  messageId: olderSessionsId,
  payload: { cursor },
});

const historyRequest = (sessionId: string): ClientMessage => ({
  action: 'session.history',
  messageId: historyId(sessionId),
  payload: { sessionId },
});

const earlierHistoryRequest = (sessionId: string, cursor: string): ClientMessage => ({
  action: 'session.history',
  messageId: earlierHistoryId,
  payload: { sessionId, cursor },
});

function queryMessage(query: PendingQuery): ClientMessage {
  return {
    action: 'query',
    messageId: query.messageId,
    ...(query.sessionId && { sessionId: query.sessionId }),
    payload: {
      content: query.content,
      ...(query.batch && { items: query.items }),
      ...(query.datasetId && { datasetId: query.datasetId }),
    },
  };
}

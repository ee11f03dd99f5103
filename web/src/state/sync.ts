import type { MutableRefObject } from 'react';
import { useCallback, useEffect, useRef } from 'react';
import type { Connection, ConnectionStatus } from '../net/connection';
import { type ChatState, runEnded } from './chat';
import { type ChatRequests, queryMessage } from './requests';

/** How many past runs of a session are fetched in full (outputs, charts) when it opens. */
const runsFetchedPerSession = 20;

/**
 * After every (re)connect, catches up with the server: the session list, the datasets, the open
 * session's history, a page asked for just before the connection dropped, the full state of every
 * run still in flight, and every question not yet acknowledged — so nothing is lost while away.
 */
export function useCatchUp(
  status: ConnectionStatus,
  stateRef: MutableRefObject<ChatState>,
  requests: ChatRequests,
  connection: Connection,
): void {
  useEffect(() => {
    if (status.state !== 'open') return;
    const current = stateRef.current;
    requests.sessions();
    requests.datasets();
    if (current.activeSessionId) requests.history(current.activeSessionId);
    if (current.loadingOlderSessions && current.sessionsCursor)
      requests.olderSessions(current.sessionsCursor);
    if (current.loadingEarlier && current.activeSessionId && current.historyCursor)
      requests.earlierHistory(current.activeSessionId, current.historyCursor);
    for (const run of Object.values(current.runs)) if (!runEnded(run.status)) requests.run(run.executionId);
    // The same messageId never starts a second run.
    for (const query of Object.values(current.pending)) connection.send(queryMessage(query));
  }, [status, stateRef, requests, connection]);
}

/**
 * Fetches each run whole once per connection: the runs named in the open session's history (the
 * latest few), and a run first seen through a live event (the page was reloaded mid-run, or
 * another tab started it) — its total, its items in order and their questions.
 */
export function useWholeRuns(state: ChatState, status: ConnectionStatus, requests: ChatRequests): void {
  const requested = useRef(new Set<string>());
  const fetchOnce = useCallback(
    (executionId: string) => {
      if (requested.current.has(executionId)) return;
      requested.current.add(executionId);
      requests.run(executionId);
    },
    [requests],
  );

  // A new connection may have missed anything: every run may be asked for again.
  useEffect(() => {
    if (status.state === 'open') requested.current.clear();
  }, [status]);

  useEffect(() => {
    if (status.state !== 'open') return;
    const ids = state.turns
      .map((t) => t.executionId)
      .filter((id): id is string => id !== undefined && !state.runs[id] && !requested.current.has(id));
    for (const executionId of [...new Set(ids)].slice(-runsFetchedPerSession)) fetchOnce(executionId);
  }, [state.turns, state.runs, status, fetchOnce]);

  useEffect(() => {
    if (status.state !== 'open') return;
    for (const run of Object.values(state.runs)) if (!run.whole) fetchOnce(run.executionId);
  }, [state.runs, status, fetchOnce]);
}

/** A run of the open session that started in another tab: loads the question that started it. */
export function useRunsStartedElsewhere(
  state: ChatState,
  status: ConnectionStatus,
  requests: ChatRequests,
): void {
  const historyAsked = useRef(new Set<string>());
  const { runs, turns, pending, activeSessionId } = state;
  useEffect(() => {
    if (status.state !== 'open' || !activeSessionId) return;
    const known = new Set(turns.map((t) => t.executionId));
    const stranger = Object.values(runs).find(
      (run) => run.sessionId === activeSessionId && !known.has(run.executionId),
    );
    const pendingHere = Object.values(pending).some((q) => q.sessionId === activeSessionId);
    if (stranger && !pendingHere && !historyAsked.current.has(stranger.executionId)) {
      historyAsked.current.add(stranger.executionId);
      requests.history(activeSessionId);
    }
  }, [runs, turns, pending, activeSessionId, status, requests]);
}

/**
 * Lists the sessions again when what this client saw changes one: a run starts (new session, new
 * title) or ends (status). Snapshots of a session's past runs change nothing there.
 */
export function useSessionListRefresh(
  sessionChanges: number,
  connection: Connection,
  requests: ChatRequests,
): void {
  useEffect(() => {
    if (sessionChanges > 0 && connection.isOpen) requests.sessions();
  }, [sessionChanges, connection, requests]);
}

import type { ClientMessage, ServerMessage } from '@cascade/core/protocol';
import type { Dispatch } from 'react';
import { type Connection, RequestRefused, RequestUnanswered } from '../net/connection';
import type { ChatAction, Page, PendingQuery } from './chat';

/**
 * The requests the chat makes in the background. Each hands its answer to the reducer with what
 * it was asked for (which page, which session): the answer comes back to its own request, so no
 * messageId has to say so. A failure becomes a notice, except a closed connection's: the catch-up
 * after reconnecting asks again.
 */
export interface ChatRequests {
  sessions(): void;
  olderSessions(cursor: string): void;
  history(sessionId: string): void;
  earlierHistory(sessionId: string, cursor: string): void;
  datasets(): void;
  /** A run's whole state (`execution.get`); it lands in `state.runs`. */
  run(executionId: string): void;
  cancel(executionId: string): void;
}

export function chatRequests(connection: Connection, dispatch: Dispatch<ChatAction>): ChatRequests {
  const notice = unlessClosed((text) => dispatch({ type: 'notice', text }));
  const pageFailed = (of: Page) => unlessClosed((reason) => dispatch({ type: 'pageFailed', of, reason }));
  const server = (message: ServerMessage) => dispatch({ type: 'server', message });
  return {
    sessions: () =>
      void connection
        .request('sessions.list')
        .then((answer) => dispatch({ type: 'sessionsListed', answer, older: false }), notice),
    olderSessions: (cursor) =>
      void connection
        .request('sessions.list', { cursor })
        .then((answer) => dispatch({ type: 'sessionsListed', answer, older: true }), pageFailed('sessions')),
    history: (sessionId) =>
      void connection.request('session.history', { sessionId }).then(
        (answer) => dispatch({ type: 'historyLoaded', answer, earlier: false }),
        (error: unknown) =>
          error instanceof RequestRefused
            ? dispatch({ type: 'historyRefused', sessionId, error: error.answer })
            : notice(error),
      ),
    earlierHistory: (sessionId, cursor) =>
      void connection
        .request('session.history', { sessionId, cursor })
        .then((answer) => dispatch({ type: 'historyLoaded', answer, earlier: true }), pageFailed('history')),
    datasets: () => void connection.request('datasets.list').then(server, notice),
    run: (executionId) => void connection.request('execution.get', { executionId }).then(server, notice),
    cancel: (executionId) =>
      void connection.request('execution.cancel', { executionId }).then(server, notice),
  };
}

/** Passes a failure's sentence on, unless the connection closed: the catch-up asks again. */
const unlessClosed = (say: (sentence: string) => void) => (error: unknown) => {
  if (error instanceof RequestUnanswered && error.reason === 'closed') return;
  say(error instanceof Error ? error.message : String(error));
};

/** A question as the server takes it; the same messageId resent never starts a second run. */
export function queryMessage(query: PendingQuery): ClientMessage {
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

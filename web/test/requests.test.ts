import type { ServerMessageOf } from '@cascade/core/protocol';
import { describe, expect, it, vi } from 'vitest';
import { type Connection, RequestRefused, RequestUnanswered } from '../src/net/connection';
import type { ChatAction } from '../src/state/chat';
import { type ChatRequests, chatRequests } from '../src/state/requests';

/** The chat's requests over a connection whose every request settles as `outcome` does. */
async function ask(outcome: () => Promise<unknown>, call: (requests: ChatRequests) => void) {
  const request = vi.fn(outcome);
  const actions: ChatAction[] = [];
  call(chatRequests({ request } as unknown as Connection, (action) => actions.push(action)));
  // The answer settles in microtasks after the request: a macrotask runs only once they all have.
  await new Promise((resolve) => setTimeout(resolve, 0));
  return { request, actions };
}

const refused: ServerMessageOf<'error'> = { action: 'error', code: 'NOT_FOUND', message: 'Not found.' };

describe("the chat's requests", () => {
  it('hand an older page to the reducer as the older page, with the cursor they asked for', async () => {
    const page: ServerMessageOf<'sessions'> = { action: 'sessions', sessions: [] };
    const { request, actions } = await ask(
      async () => page,
      (requests) => requests.olderSessions('page2'),
    );
    expect(request).toHaveBeenCalledWith('sessions.list', { cursor: 'page2' });
    expect(actions).toEqual([{ type: 'sessionsListed', answer: page, older: true }]);
  });

  it('hand a refused history to the reducer with the session it was for', async () => {
    const { actions } = await ask(
      async () => Promise.reject(new RequestRefused(refused)),
      (requests) => requests.history('s1'),
    );
    expect(actions).toEqual([{ type: 'historyRefused', sessionId: 's1', error: refused }]);
  });

  it('end a page that timed out with its reason, and show a failed fetch as a notice', async () => {
    const timeout = () =>
      Promise.reject(new RequestUnanswered('timeout', 'The server did not answer in time.'));
    const page = await ask(timeout, (requests) => requests.earlierHistory('s1', 'older1'));
    expect(page.actions).toEqual([
      { type: 'pageFailed', of: 'history', reason: 'The server did not answer in time.' },
    ]);
    const run = await ask(
      async () => Promise.reject(new RequestRefused(refused)),
      (requests) => requests.run('e1'),
    );
    expect(run.actions).toEqual([{ type: 'notice', text: 'Not found.' }]);
  });

  it('say nothing when the connection closed first: the catch-up after reconnecting asks again', async () => {
    const closed = () => Promise.reject(new RequestUnanswered('closed', 'closed'));
    for (const call of [
      (r: ChatRequests) => r.olderSessions('page2'),
      (r: ChatRequests) => r.datasets(),
      (r: ChatRequests) => r.cancel('e1'),
    ]) {
      const { request, actions } = await ask(closed, call);
      expect(request).toHaveBeenCalledOnce();
      expect(actions).toEqual([]);
    }
  });
});

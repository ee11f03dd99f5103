import type { ServerMessage } from '@cascade/core/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config';
import {
  backoffDelay,
  Connection,
  type ConnectionStatus,
  maxFrameBytes,
  RequestRefused,
  RequestUnanswered,
} from '../src/net/connection';

/** A WebSocket double: records what is sent; the test opens, closes and answers it. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(text);
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
  receive(message: unknown) {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }
}

function connect(tokens: string[]) {
  const statuses: ConnectionStatus[] = [];
  const messages: ServerMessage[] = [];
  let n = 0;
  const connection = new Connection({
    url: 'ws://127.0.0.1:1/local',
    token: async () => tokens[Math.min(n++, tokens.length - 1)]!,
    onMessage: (m) => messages.push(m),
    onStatus: (s) => statuses.push(s),
    answerTimeoutMs: 1000,
    createSocket: (url) => new FakeSocket(url) as unknown as WebSocket,
    random: () => 1,
  });
  return { connection, statuses, messages };
}

/** A started connection whose first socket has opened. */
async function opened() {
  const connected = connect(['t']);
  connected.connection.start();
  await vi.advanceTimersByTimeAsync(0);
  const socket = FakeSocket.all[0]!;
  socket.open();
  /** The messageId of the `n`th message sent on the socket. */
  const sentId = (n: number) => (JSON.parse(socket.sent[n]!) as { messageId: string }).messageId;
  return { ...connected, socket, sentId };
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('the connection', () => {
  it('connects with the ID token in the query string and hands on valid server messages only', async () => {
    const { connection, statuses, messages } = connect(['tok en']);
    connection.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe('ws://127.0.0.1:1/local?token=tok%20en');
    socket.open();
    expect(statuses.at(-1)).toEqual({ state: 'open' });
    socket.receive({ action: 'pong', messageId: 'x' });
    socket.receive({ action: 'nonsense' });
    socket.receive('not json');
    expect(messages).toEqual([{ action: 'pong', messageId: 'x' }]);
    connection.stop();
  });

  it('refuses, before sending, a message over 32 KB (one API Gateway frame)', async () => {
    const { connection, socket } = await opened();
    const items = Array.from({ length: 20 }, (_, i) => ({ id: `i${i}`, input: 'x'.repeat(2000) }));
    const result = connection.send({
      action: 'query',
      messageId: crypto.randomUUID(),
      payload: { content: 'big', items },
    });
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.reason).toContain(`at most ${maxFrameBytes / 1024} KB`);
    expect(socket.sent).toEqual([]);
    connection.stop();
  });

  it('says it is not connected instead of sending into a closed socket', () => {
    const { connection } = connect(['t']);
    expect(connection.send({ action: 'ping' })).toEqual({
      ok: false,
      reason: 'Not connected to the server right now; reconnecting…',
    });
  });

  it('reconnects with growing delays, asking for a fresh token each time', async () => {
    const { connection, statuses } = connect(['first', 'second', 'third']);
    connection.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.drop();
    expect(statuses.at(-1)).toMatchObject({ state: 'waiting', attempt: 1 });
    await vi.advanceTimersByTimeAsync(499);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all[1]!.url).toContain('token=second');
    FakeSocket.all[1]!.drop(); // the handshake failed: wait longer
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeSocket.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all[2]!.url).toContain('token=third');
    FakeSocket.all[2]!.open();
    expect(statuses.at(-1)).toEqual({ state: 'open' });
    connection.stop();
    expect(statuses.at(-1)).toEqual({ state: 'closed' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(3);
  });

  it('asks for a renewed token only after a handshake the server refused', async () => {
    const renewals: boolean[] = [];
    const connection = new Connection({
      url: 'ws://127.0.0.1:1/local',
      token: async (renew) => {
        renewals.push(Boolean(renew));
        return 't';
      },
      onMessage: () => undefined,
      onStatus: () => undefined,
      createSocket: (url) => new FakeSocket(url) as unknown as WebSocket,
      random: () => 1,
    });
    connection.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.drop(); // an open connection the server closed (signed out elsewhere)
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.all[1]!.drop(); // then the handshake refused: the token may be revoked
    await vi.advanceTimersByTimeAsync(1000);
    FakeSocket.all[2]!.open();
    FakeSocket.all[2]!.drop();
    await vi.advanceTimersByTimeAsync(500);
    expect(renewals).toEqual([false, false, true, false]);
    connection.stop();
  });

  it('never opens two sockets when stopped and started again at once (React StrictMode)', async () => {
    const { connection } = connect(['t']);
    connection.start();
    connection.stop();
    connection.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all).toHaveLength(1);
    connection.stop();
  });

  it('backs off exponentially up to 15 s, with jitter', () => {
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(4000);
    expect(backoffDelay(20, () => 1)).toBe(15_000);
    expect(backoffDelay(20, () => 0)).toBe(7500);
  });
});

describe('a request', () => {
  it('sends the action with a fresh messageId and resolves with the answer that echoes it', async () => {
    const { connection, socket, sentId, messages } = await opened();
    const answer = connection.request('sessions.list', { cursor: 'page2' });
    expect(JSON.parse(socket.sent[0]!)).toEqual({
      action: 'sessions.list',
      messageId: sentId(0),
      payload: { cursor: 'page2' },
    });
    socket.receive({ action: 'pong', messageId: 'other' });
    socket.receive({ action: 'sessions', messageId: sentId(0), sessions: [] });
    await expect(answer).resolves.toEqual({ action: 'sessions', messageId: sentId(0), sessions: [] });
    // The answer went to its request only; the live stream saw the other message.
    expect(messages).toEqual([{ action: 'pong', messageId: 'other' }]);
    connection.stop();
  });

  it('rejects with the error frame that answers it, which reaches nobody else', async () => {
    const { connection, socket, sentId, messages } = await opened();
    const answer = connection.request('execution.trace', { executionId: 'e1', itemId: 'z' });
    socket.receive({
      action: 'error',
      messageId: sentId(0),
      code: 'NOT_FOUND',
      message: 'Run e1 has no item z.',
    });
    const error = await answer.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestRefused);
    expect(error).toMatchObject({ message: 'Run e1 has no item z.', answer: { code: 'NOT_FOUND' } });
    expect(messages).toEqual([]);
    connection.stop();
  });

  it('rejects an answer of the wrong kind', async () => {
    const { connection, socket, sentId } = await opened();
    const answer = connection.request('datasets.list');
    socket.receive({ action: 'pong', messageId: sentId(0) });
    await expect(answer).rejects.toThrow('The server answered with pong instead of datasets.');
    connection.stop();
  });

  it('gives up after the timeout, and a late answer then goes to the live stream', async () => {
    const { connection, socket, sentId, messages } = await opened();
    const answer = connection.request('datasets.list');
    const settled = answer.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(999);
    socket.receive({ action: 'pong', messageId: 'tick' });
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled).toMatchObject({
      reason: 'timeout',
      message: 'The server did not answer in time. Try again.',
    });
    socket.receive({ action: 'datasets', messageId: sentId(0), datasets: [] });
    expect(messages.map((m) => m.action)).toEqual(['pong', 'datasets']);
    connection.stop();
  });

  it('is rejected when its connection closes first, and never answered by the next one', async () => {
    const { connection, socket, sentId, messages } = await opened();
    const answer = connection.request('execution.get', { executionId: 'e1' });
    const settled = answer.catch((e: unknown) => e);
    socket.drop();
    const error = await settled;
    expect(error).toBeInstanceOf(RequestUnanswered);
    expect(error).toMatchObject({ reason: 'closed' });
    // The next socket carries no answer for it, and no timer is left waiting.
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.all[1]!.open();
    FakeSocket.all[1]!.receive({ action: 'pong', messageId: sentId(0) });
    // A stray answer is a live message like any other, not the settled request's.
    expect(messages).toEqual([{ action: 'pong', messageId: sentId(0) }]);
    expect(vi.getTimerCount()).toBe(1); // the keep-alive only
    connection.stop();
  });

  it('is rejected when the connection is stopped', async () => {
    const { connection } = await opened();
    const answer = connection.request('signout.everywhere');
    connection.stop();
    await expect(answer).rejects.toMatchObject({ reason: 'closed' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is rejected at once when it cannot be sent', async () => {
    const { connection } = connect(['t']);
    await expect(connection.request('datasets.list')).rejects.toMatchObject({
      reason: 'unsent',
      message: 'Not connected to the server right now; reconnecting…',
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('matches each of two concurrent requests to its own answer, in whatever order they come', async () => {
    const { connection, socket, sentId } = await opened();
    const first = connection.request('execution.get', { executionId: 'e1' });
    const second = connection.request('execution.get', { executionId: 'e2' });
    expect(sentId(0)).not.toBe(sentId(1));
    const snapshot = (executionId: string, messageId: string) => ({
      action: 'execution',
      messageId,
      executionId,
      sessionId: 's1',
      status: 'RUNNING',
      totalItems: 1,
      completedItems: 0,
      failedItems: 0,
      startedAt: '2026-11-22T10:00:00.000Z',
      items: [],
    });
    socket.receive(snapshot('e2', sentId(1)));
    socket.receive(snapshot('e1', sentId(0)));
    await expect(first).resolves.toMatchObject({ executionId: 'e1' });
    await expect(second).resolves.toMatchObject({ executionId: 'e2' });
    connection.stop();
  });

  it('keeps the connection alive with pings whose pongs stay out of the live stream', async () => {
    const { connection, socket, sentId, messages } = await opened();
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(JSON.parse(socket.sent[0]!)).toMatchObject({ action: 'ping' });
    socket.receive({ action: 'pong', messageId: sentId(0) });
    expect(messages).toEqual([]);
    connection.stop();
  });
});

describe('the configuration', () => {
  const env = {
    VITE_REGION: 'eu-west-1',
    VITE_USER_POOL_ID: 'eu-west-1_abc',
    VITE_USER_POOL_CLIENT_ID: 'client',
    VITE_WEBSOCKET_URL: 'wss://api.example.com/prod',
  };

  it('prefers /config.json from the local cloud', async () => {
    const served = {
      region: 'us-east-1',
      cognitoEndpoint: 'http://127.0.0.1:4566',
      userPoolId: 'local_1',
      userPoolClientId: 'c',
      websocketUrl: 'ws://127.0.0.1:4510/local',
    };
    const fetchConfig = vi.fn(async () => new Response(JSON.stringify(served)));
    await expect(loadConfig(env, fetchConfig)).resolves.toEqual(served);
  });

  it('falls back to the build-time variables when config.json is absent or is the app page', async () => {
    const html = vi.fn(async () => new Response('<!doctype html>', { status: 200 }));
    await expect(loadConfig(env, html)).resolves.toEqual({
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_abc',
      userPoolClientId: 'client',
      websocketUrl: 'wss://api.example.com/prod',
    });
    const missing = vi.fn(async () => new Response('', { status: 404 }));
    await expect(loadConfig({}, missing)).rejects.toThrow('no configuration');
  });
});

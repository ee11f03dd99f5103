import type { ServerMessage } from '@cascade/core/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config';
import { backoffDelay, Connection, type ConnectionStatus, maxFrameBytes } from '../src/net/connection';

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
    createSocket: (url) => new FakeSocket(url) as unknown as WebSocket,
    random: () => 1,
  });
  return { connection, statuses, messages };
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
    const { connection } = connect(['t']);
    connection.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.all[0]!.open();
    const items = Array.from({ length: 20 }, (_, i) => ({ id: `i${i}`, input: 'x'.repeat(2000) }));
    const result = connection.send({
      action: 'query',
      messageId: crypto.randomUUID(),
      payload: { content: 'big', items },
    });
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.reason).toContain(`at most ${maxFrameBytes / 1024} KB`);
    expect(FakeSocket.all[0]!.sent).toEqual([]);
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

  it('resolves a request with the answer that echoes its messageId', async () => {
    const { connection } = connect(['t']);
    connection.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeSocket.all[0]!;
    socket.open();
    const answer = connection.request({ action: 'datasets.list', messageId: 'm-1' });
    socket.receive({ action: 'pong', messageId: 'other' });
    socket.receive({ action: 'datasets', messageId: 'm-1', datasets: [] });
    await expect(answer).resolves.toMatchObject({ action: 'datasets', datasets: [] });
    connection.stop();
  });

  it('backs off exponentially up to 15 s, with jitter', () => {
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(4000);
    expect(backoffDelay(20, () => 1)).toBe(15_000);
    expect(backoffDelay(20, () => 0)).toBe(7500);
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

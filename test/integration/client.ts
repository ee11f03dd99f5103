import { randomUUID } from 'node:crypto';
import type { ServerMessage } from '@cascade/core';
import WebSocket from 'ws';

/** A `Client.waitFor` that saw no matching message in time. */
export class TimeoutError extends Error {}

/** A WebSocket client that keeps every message and can wait for the one a test expects. */
export class Client {
  readonly messages: ServerMessage[] = [];
  private waiters: { test: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  closed?: { code: number; reason: string };

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      this.messages.push(message);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(message)) return true;
        w.resolve(message);
        return false;
      });
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  static connect(url: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new Client(socket)));
      socket.once('unexpected-response', (_request, response) =>
        reject(
          Object.assign(new Error(`handshake refused: ${response.statusCode}`), {
            status: response.statusCode,
          }),
        ),
      );
      socket.once('error', reject);
    });
  }

  send(message: unknown) {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (already received or still to come) that passes `test`. */
  waitFor<M extends ServerMessage = ServerMessage>(
    test: (m: ServerMessage) => boolean,
    timeoutMs = 20_000,
  ): Promise<M> {
    const seen = this.messages.find(test);
    if (seen) return Promise.resolve(seen as M);
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (m: ServerMessage) => {
          clearTimeout(timer);
          resolve(m as M);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const got = this.messages.map((m) => m.action).join(', ');
        reject(new TimeoutError(`no matching message within ${timeoutMs} ms; got ${got}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Forgets what arrived so far, so that late events of earlier runs never match a new wait. */
  forget() {
    this.messages.length = 0;
  }

  /** Asks and waits for the answer carrying the same messageId. */
  async request<M extends ServerMessage>(message: { action: string; payload?: unknown }): Promise<M> {
    const messageId = randomUUID();
    this.send({ ...message, messageId });
    return this.waitFor<M>((m) => 'messageId' in m && m.messageId === messageId);
  }

  close() {
    this.socket.close();
  }
}

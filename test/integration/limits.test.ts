import { randomUUID } from 'node:crypto';
import type { ServerMessageOf } from '@cascade/core';
import type { LocalCloud } from '@cascade/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Client, isResponseFor, newUser, startTestCloud } from './harness';

/**
 * The rate limits through the whole local cloud, enforced as a deployed stage enforces them
 * (the same handlers and counters): small values, one person per limit.
 */
let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startTestCloud({
    rateLimits: { queriesPerMinute: 4, concurrentRuns: 2, messagesPerMinute: 8, connectionsPerUser: 2 },
  });
}, 60_000);
afterAll(() => cloud?.stop());

const urlFor = (token: string) => `${cloud.endpoints.websocketUrl}?token=${token}`;

/** The HTTP answer to a WebSocket handshake that was refused: status and body. */
function refusedHandshake(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => {
      socket.close();
      reject(new Error('the handshake was accepted'));
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

/** A batch long enough to be still running when the next question arrives. */
function batch(size: number) {
  return {
    content: 'Describe',
    items: Array.from({ length: size }, (_, i) => ({
      id: `i${i}`,
      input: `which datasets are there? (${i})`,
    })),
    options: { maxConcurrency: 1 },
  };
}

/**
 * The limits count in fixed windows of the clock's minute: a test that fills one starts early in
 * a minute, so its messages cannot straddle two windows (a 9th message in the next minute is allowed).
 */
async function startEarlyInAMinute() {
  const second = new Date().getUTCSeconds();
  if (second > 40) await new Promise((done) => setTimeout(done, (61 - second) * 1000));
}

function ask(client: Client, payload: unknown) {
  const messageId = randomUUID();
  client.send({ action: 'query', messageId, payload });
  return client.waitFor((m) => 'messageId' in m && m.messageId === messageId, 30_000);
}

describe('rate limits in the local cloud', () => {
  it('a third connection of one user is refused with 429 and the reason; the first two work', async () => {
    const { idToken } = await newUser(cloud);
    const first = await Client.connect(urlFor(idToken));
    const second = await Client.connect(urlFor(idToken));
    try {
      const refused = await refusedHandshake(urlFor(idToken));
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body)).toMatchObject({
        code: 'RATE_LIMITED',
        retryAfterSeconds: 30,
        details: { limit: 'connectionsPerUser', max: 2 },
      });
      expect(await first.request({ action: 'ping' })).toMatchObject({ action: 'pong' });
      expect(await second.request({ action: 'ping' })).toMatchObject({ action: 'pong' });
    } finally {
      first.close();
      second.close();
    }
    // Closing frees the places.
    const reconnect = async () => {
      const client = await Client.connect(urlFor(idToken));
      client.close();
      return 'open';
    };
    await expect.poll(reconnect).toBe('open');
  });

  it('past the message rate each message is RATE_LIMITED, and the connection stays open', async () => {
    await startEarlyInAMinute();
    const { idToken } = await newUser(cloud);
    const client = await Client.connect(urlFor(idToken));
    try {
      for (let i = 0; i < 8; i++)
        expect(await client.request({ action: 'ping' })).toMatchObject({ action: 'pong' });
      const refused = await client.request<ServerMessageOf<'error'>>({ action: 'ping' });
      expect(refused).toMatchObject({ action: 'error', code: 'RATE_LIMITED' });
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
      expect(client.closed).toBeUndefined();
    } finally {
      client.close();
    }
  });

  it('past the runs at once a query is refused naming the runs; every run still ends and frees its place', async () => {
    const { idToken } = await newUser(cloud);
    const client = await Client.connect(urlFor(idToken));
    try {
      const one = (await ask(client, batch(40))) as ServerMessageOf<'ack'>;
      const two = (await ask(client, batch(40))) as ServerMessageOf<'ack'>;
      expect([one.action, two.action]).toEqual(['ack', 'ack']);

      const third = await ask(client, { content: 'which datasets are there?' });
      expect(third).toMatchObject({
        action: 'error',
        code: 'RATE_LIMITED',
        retryAfterSeconds: 15,
        details: { limit: 'concurrentRuns', max: 2, executionIds: expect.arrayContaining([one.executionId]) },
      });

      // Nothing was lost: both runs end, and their places are free again.
      for (const ack of [one, two]) {
        const response = await client.waitFor<ServerMessageOf<'response'>>(
          isResponseFor(ack.executionId),
          120_000,
        );
        expect(response.status).toBe('SUCCEEDED');
      }
      expect(await ask(client, { content: 'which datasets are there?' })).toMatchObject({ action: 'ack' });
    } finally {
      client.close();
    }
  }, 180_000);

  it('past the queries per minute a query is refused until the minute ends', async () => {
    await startEarlyInAMinute();
    const { idToken } = await newUser(cloud);
    const client = await Client.connect(urlFor(idToken));
    try {
      for (let i = 0; i < 4; i++) {
        const ack = (await ask(client, {
          content: `which datasets are there? ${i}`,
        })) as ServerMessageOf<'ack'>;
        expect(ack.action).toBe('ack');
        await client.waitFor(isResponseFor(ack.executionId), 30_000);
      }
      const fifth = await ask(client, { content: 'which datasets are there?' });
      expect(fifth).toMatchObject({
        action: 'error',
        code: 'RATE_LIMITED',
        details: { limit: 'queriesPerMinute', max: 4 },
      });
      const { retryAfterSeconds } = fifth as ServerMessageOf<'error'>;
      expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(retryAfterSeconds).toBeLessThanOrEqual(60);
    } finally {
      client.close();
    }
  }, 60_000);
});

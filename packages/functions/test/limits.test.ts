import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handler as connect } from '../src/ws/connect';
import { handler as defaultRoute } from '../src/ws/default';
import { handler as ping } from '../src/ws/ping';
import { handler as query } from '../src/ws/query';
import { connectEvent, messageEvent, useHandlerHarness } from './harness';

/**
 * The limits as the deployed routes enforce them, with small values (links are read once per
 * process, so this file has limits of its own).
 */
const h = useHandlerHarness({
  limits: { queriesPerMinute: 2, concurrentRuns: 10, messagesPerMinute: 4, connectionsPerUser: 2 },
});

const lastPosted = () => h.posted().at(-1)!;

describe('connections per user', () => {
  it('past the cap, $connect answers 429 with the reason and records nothing', async () => {
    expect(await connect(connectEvent('cap-1', { userId: 'cat' }))).toEqual({ statusCode: 200 });
    expect(await connect(connectEvent('cap-2', { userId: 'cat' }))).toEqual({ statusCode: 200 });
    const refused = await connect(connectEvent('cap-3', { userId: 'cat' }));
    expect(refused.statusCode).toBe(429);
    expect(JSON.parse(refused.body!)).toEqual({
      code: 'RATE_LIMITED',
      message: 'You have 2 connections open, the most allowed; close a tab or a script and connect again.',
      retryAfterSeconds: 30,
      details: { limit: 'connectionsPerUser', max: 2 },
    });
    expect(await h.connections.get('cap-3')).toBeUndefined();
    // Someone else connects as usual.
    expect(await connect(connectEvent('cap-4', { userId: 'dan' }))).toEqual({ statusCode: 200 });
  });
});

describe('messages per connection', () => {
  it('every message counts, a malformed one too; past the limit each gets RATE_LIMITED and the connection stays', async () => {
    const who = { userId: 'eve' };
    await connect(connectEvent('busy', who));
    h.reset();
    await ping(messageEvent('busy', { action: 'ping', messageId: 'p1' }, who));
    await defaultRoute(messageEvent('busy', 'not json', who));
    await ping(messageEvent('busy', { action: 'ping', messageId: 'p3' }, who));
    await ping(messageEvent('busy', { action: 'ping', messageId: 'p4' }, who));
    expect(h.posted().map((p) => p.message.action)).toEqual(['pong', 'error', 'pong', 'pong']);

    expect(await ping(messageEvent('busy', { action: 'ping', messageId: 'p5' }, who))).toEqual({
      statusCode: 200,
    });
    expect(lastPosted()).toEqual({
      connectionId: 'busy',
      message: {
        action: 'error',
        messageId: 'p5',
        code: 'RATE_LIMITED',
        message: expect.stringMatching(
          /^This connection sent more than 4 messages in a minute; wait \d+ s and send again\.$/,
        ),
        retryAfterSeconds: expect.any(Number),
        details: { limit: 'messagesPerMinute', max: 4 },
      },
    });
    // Another connection of the same user has its own count.
    await connect(connectEvent('calm', who));
    await ping(messageEvent('calm', { action: 'ping', messageId: 'c1' }, who));
    expect(lastPosted().message).toEqual({ action: 'pong', messageId: 'c1' });
  });
});

describe('queries per minute', () => {
  it('the third query in a minute is RATE_LIMITED, echoing its messageId, and starts nothing', async () => {
    const who = { userId: 'fay' };
    await connect(connectEvent('asker', who));
    h.reset();
    const ask = (messageId: string) =>
      query(
        messageEvent(
          'asker',
          { action: 'query', messageId, payload: { content: 'which datasets are there?' } },
          who,
        ),
      );
    const [q1, q2, q3] = [randomUUID(), randomUUID(), randomUUID()];
    await ask(q1);
    await ask(q2);
    await ask(q3);
    expect(h.sfn.calls()).toHaveLength(2);
    expect(lastPosted().message).toMatchObject({
      action: 'error',
      messageId: q3,
      code: 'RATE_LIMITED',
      details: { limit: 'queriesPerMinute', max: 2 },
    });
  });
});

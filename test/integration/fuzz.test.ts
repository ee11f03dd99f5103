import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { ServerMessage } from '@cascade/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unlimited } from '../support/links';
import { connectedSuite } from './connected-suite';
import { credentials } from './harness';

/**
 * Malformed and hostile messages from a signed-in user, through the whole local cloud: each gets
 * a typed error naming what is wrong, the connection stays open, and nothing is written.
 */

const uuid = () => randomUUID();
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The messages, each with the error codes it may get (BAD_REQUEST unless said otherwise). */
function malformed(): { body: string; codes: string[]; fragmented?: boolean }[] {
  const bad = (body: string, codes = ['BAD_REQUEST']) => ({ body, codes });
  const json = (value: unknown, codes = ['BAD_REQUEST']) => bad(JSON.stringify(value), codes);
  const query = (payload: unknown, extra: Record<string, unknown> = {}) =>
    json({ action: 'query', messageId: uuid(), payload, ...extra });
  const out: { body: string; codes: string[]; fragmented?: boolean }[] = [];

  // Not JSON at all, or not an object.
  for (const text of [
    '',
    ' ',
    '{',
    '}',
    '{"action":',
    'null',
    'true',
    '42',
    '"query"',
    '[]',
    '[{"action":"ping"}]',
    "{'action':'ping'}",
    '{"action":"ping",}',
    'undefined',
    'NaN',
    '\u0000',
    '\uFEFF{"action":"ping"',
    '{"action":"ping"}{"action":"ping"}',
    '<html></html>',
    '{"__proto__":{"polluted":true}',
  ])
    out.push(bad(text));

  // Actions that are not ours, prototype names among them.
  for (const action of [
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'prototype',
    '$connect',
    '$disconnect',
    '$default',
    'Query',
    'query ',
    'sessions.delete',
    'execution.run',
    '',
    'a'.repeat(500),
  ])
    out.push(json({ action, messageId: uuid() }));
  for (const action of [null, 42, true, [], {}, ['query']]) out.push(json({ action }));
  out.push(json({ messageId: uuid(), payload: { content: 'no action' } }));
  out.push(
    json({ action: 'query', __proto__: { payload: { content: 'via prototype' } }, messageId: uuid() }),
  );

  // Queries with every field wrong in turn.
  for (const payload of [
    undefined,
    null,
    'text',
    [],
    {},
    { content: '' },
    { content: 42 },
    { content: null },
    { content: ['a'] },
    { content: 'x'.repeat(4001) },
    { content: 'ok', items: [] },
    { content: 'ok', items: 'items' },
    { content: 'ok', items: [{ id: 'a' }] },
    { content: 'ok', items: [{ input: 'x' }] },
    { content: 'ok', items: [{ id: '', input: 'x' }] },
    { content: 'ok', items: [{ id: 'a b', input: 'x' }] },
    { content: 'ok', items: [{ id: '../x', input: 'x' }] },
    { content: 'ok', items: [{ id: 'x'.repeat(65), input: 'x' }] },
    { content: 'ok', items: [{ id: 'a', input: '' }] },
    { content: 'ok', items: [{ id: 'a', input: 'x'.repeat(4001) }] },
    {
      content: 'ok',
      items: [
        { id: 'a', input: 'x' },
        { id: 'a', input: 'y' },
      ],
    },
    { content: 'ok', items: Array.from({ length: 501 }, (_, i) => ({ id: `i${i}`, input: 'x' })) },
    { content: 'ok', options: { maxConcurrency: 0 } },
    { content: 'ok', options: { maxConcurrency: 41 } },
    { content: 'ok', options: { maxConcurrency: 1.5 } },
    { content: 'ok', options: { maxConcurrency: '4' } },
    { content: 'ok', options: 'fast' },
    { content: 'ok', datasetId: 42 },
    { content: 'ok', datasetId: '' },
  ])
    out.push(query(payload));
  out.push(json({ action: 'query', payload: { content: 'no messageId' } }));
  for (const messageId of ['', 'not-a-uuid', 42, null, 'x'.repeat(200), `${uuid()}x`])
    out.push(json({ action: 'query', messageId, payload: { content: 'bad id' } }));
  out.push(query({ content: 'a dataset that is not there', datasetId: 'nobody-has-this.csv' }), {
    ...query({ content: 'someone else’s dataset', datasetId: 'users/other/x.csv' }),
    codes: ['BAD_REQUEST', 'NOT_FOUND'],
  });
  out.at(-2)!.codes = ['NOT_FOUND'];
  out.push({
    ...query({ content: 'a session that is not mine' }, { sessionId: uuid() }),
    codes: ['BAD_REQUEST', 'NOT_FOUND'],
  });
  for (const sessionId of ['', 42, null, '../../etc', 'x'.repeat(300)])
    out.push(query({ content: 'bad session' }, { sessionId }));

  // Cursors: not base64, not JSON, the wrong shape, another partition, the wrong attributes.
  const cursors = [
    '!!!',
    'AAAA',
    b64('just a string'),
    b64([1, 2]),
    b64(null),
    b64({}),
    b64({ userId: 'someone-else', updatedAt: '2026-01-01' }),
    b64({ sessionId: 'not-mine', createdAt: '2026' }),
    b64({ userId: { S: 'x' } }),
    'x'.repeat(5000),
  ];
  for (const cursor of cursors) out.push(json({ action: 'sessions.list', payload: { cursor } }));
  for (const cursor of cursors)
    out.push({
      ...json({ action: 'session.history', payload: { sessionId: uuid(), cursor } }),
      codes: ['BAD_REQUEST', 'NOT_FOUND'],
    });
  for (const limit of [0, -1, 101, 1.5, '10'])
    out.push(json({ action: 'sessions.list', payload: { limit } }));
  for (const cursor of [...cursors, b64({ userId: 'someone-else', startedAt: '2026', executionId: 'e' })])
    out.push(json({ action: 'executions.list', payload: { cursor } }));
  for (const limit of [0, -1, 101, 1.5, '10', null])
    out.push(json({ action: 'executions.list', payload: { limit } }));
  for (const status of ['PENDING', 'running', '', 42, null, ['FAILED'], 'FAILED OR 1=1'])
    out.push(json({ action: 'executions.list', payload: { status } }));

  // Executions that are not there, or ids that are not ids.
  for (const executionId of ['', 42, null, 'x'.repeat(300)]) {
    out.push(json({ action: 'execution.get', payload: { executionId } }));
    out.push(json({ action: 'execution.cancel', payload: { executionId } }));
  }
  for (const executionId of [uuid(), 'e-nobody', '../../x']) {
    out.push({
      ...json({ action: 'execution.get', payload: { executionId } }),
      codes: ['BAD_REQUEST', 'NOT_FOUND'],
    });
    out.push({
      ...json({ action: 'execution.cancel', payload: { executionId } }),
      codes: ['BAD_REQUEST', 'NOT_FOUND'],
    });
  }

  // Uploads: names that are not CSV files or try to be paths, sizes that are not sizes.
  for (const name of [
    '',
    'data.txt',
    'data',
    '../data.csv',
    'a/b.csv',
    'a\\b.csv',
    'tab\t.csv',
    'nul\u0000.csv',
    `${'x'.repeat(256)}.csv`,
    42,
  ])
    out.push(json({ action: 'dataset.upload', payload: { name, sizeBytes: 10 } }));
  for (const sizeBytes of [0, -5, 1.5, '10', null])
    out.push(json({ action: 'dataset.upload', payload: { name: 'ok.csv', sizeBytes } }));
  out.push(
    json({ action: 'dataset.upload', payload: { name: 'huge.csv', sizeBytes: 2 ** 40 } }, [
      'PAYLOAD_TOO_LARGE',
    ]),
  );

  // Odd shapes of otherwise known actions.
  for (const value of [
    { action: 'ping', messageId: 42 },
    { action: 'ping', messageId: { a: 1 } },
    { action: 'sessions.list', payload: 'x' },
    { action: 'executions.list', payload: 'x' },
    { action: 'executions.list', payload: [] },
    { action: 'session.history', payload: {} },
    { action: 'session.history', payload: { sessionId: 42 } },
    { action: 'query', messageId: uuid(), payload: { content: 'ok', items: [null] } },
    { action: 'execution.get' },
  ])
    out.push(json(value));
  out.push(bad(`${'['.repeat(5000)}${']'.repeat(5000)}`));

  // Too large for one request (sent in fragments, as a client that fragments may).
  // (Above 128 KB API Gateway closes the socket instead, 1009: the gateway tests cover that.)
  for (const size of [70_000, 100_000])
    out.push({
      body: JSON.stringify({ action: 'query', messageId: uuid(), payload: { content: 'x'.repeat(size) } }),
      codes: ['PAYLOAD_TOO_LARGE'],
      fragmented: true,
    });
  return out;
}

describe('malformed messages through the local cloud', () => {
  // 160 messages on one connection: past any rate limit, which is not what this suite is about (limits.test.ts).
  const suite = connectedSuite({ rateLimits: unlimited });
  let dynamo: DynamoDBClient;
  beforeAll(() => {
    dynamo = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: suite.cloud.endpoints.edgeUrl,
      credentials,
    });
  });
  afterAll(() => dynamo?.destroy());

  /** How many records each table holds. */
  async function counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [key, table] of Object.entries(suite.cloud.endpoints.tables)) {
      // A refused query still counts towards its sender's rate (queries#<user> in Locks): not data.
      const filter =
        key === 'locks'
          ? {
              FilterExpression: 'NOT begins_with(lockName, :counter)',
              ExpressionAttributeValues: { ':counter': { S: 'queries#' } },
            }
          : {};
      out[key] =
        (await dynamo.send(new ScanCommand({ TableName: table, Select: 'COUNT', ...filter }))).Count ?? 0;
    }
    return out;
  }

  it('answers each with a typed error, keeps the connection, and writes nothing', async () => {
    const messages = malformed();
    expect(messages.length).toBeGreaterThanOrEqual(150);
    const before = await counts();
    const misfits: string[] = [];
    for (const [index, { body, codes, fragmented }] of messages.entries()) {
      const seen = suite.client.messages.length;
      if (fragmented) {
        for (let at = 0; at < body.length; at += 16_000)
          suite.client.socket.send(body.slice(at, at + 16_000), {
            fin: at + 16_000 >= body.length,
            compress: false,
          });
      } else suite.client.send(body);
      const answer = await suite.client
        .waitFor(
          (m: ServerMessage) => suite.client.messages.indexOf(m) >= seen && m.action === 'error',
          10_000,
        )
        .catch(() => undefined);
      if (!answer) {
        misfits.push(`#${index} ${body.slice(0, 80)} → no answer`);
        continue;
      }
      if (answer.action !== 'error' || !codes.includes(answer.code) || !answer.message)
        misfits.push(`#${index} ${body.slice(0, 80)} → ${JSON.stringify(answer).slice(0, 160)}`);
    }
    expect(misfits).toEqual([]);
    expect(suite.client.closed).toBeUndefined();
    expect(await suite.client.request({ action: 'ping' })).toMatchObject({ action: 'pong' });
    expect(await counts()).toEqual(before);
  }, 120_000);
});

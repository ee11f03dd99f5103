import { describe, expect, it } from 'vitest';
import { limits, parseClientMessage } from '../../src/protocol';

const messageId = '6b1f9a3e-2f57-4c8b-9d1e-4f3a2b1c0d9e';
const sessionId = '0f8e7d6c-5b4a-4321-8fed-cba987654321';

function query(payload: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ action: 'query', messageId, payload, ...extra });
}

function refusal(body: string | undefined) {
  const result = parseClientMessage(body);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.message)}`);
  return result;
}

describe('parseClientMessage accepts every action of protocol v1', () => {
  it.each([
    ['query', query({ content: 'profile lalonde.csv' })],
    [
      'query with everything',
      query(
        {
          content: 'effect of treat on re78',
          items: [
            { id: 'a-1', input: 'x' },
            { id: 'b.2_c', input: 'y' },
          ],
          datasetId: 'lalonde.csv',
          options: { maxConcurrency: 40 },
        },
        { sessionId },
      ),
    ],
    ['sessions.list', JSON.stringify({ action: 'sessions.list' })],
    [
      'sessions.list paged',
      JSON.stringify({ action: 'sessions.list', payload: { limit: 5, cursor: 'abc' } }),
    ],
    ['session.history', JSON.stringify({ action: 'session.history', payload: { sessionId } })],
    [
      'execution.get',
      JSON.stringify({ action: 'execution.get', messageId: 'm1', payload: { executionId: sessionId } }),
    ],
    ['execution.cancel', JSON.stringify({ action: 'execution.cancel', payload: { executionId: sessionId } })],
    ['datasets.list', JSON.stringify({ action: 'datasets.list' })],
    ['ping', JSON.stringify({ action: 'ping' })],
    ['executions.list', JSON.stringify({ action: 'executions.list' })],
    [
      'executions.list with everything',
      JSON.stringify({
        action: 'executions.list',
        messageId: 'x1',
        payload: { limit: 100, cursor: 'abc', status: 'TIMED_OUT' },
      }),
    ],
    ['executions.list of one', JSON.stringify({ action: 'executions.list', payload: { limit: 1 } })],
  ])('%s', (_name, body) => {
    expect(parseClientMessage(body).ok).toBe(true);
  });

  it('ignores unknown optional fields so newer clients keep working', () => {
    const result = parseClientMessage(query({ content: 'hi', futureField: 1 }, { trace: 'x' }));
    expect(result.ok).toBe(true);
  });

  it('accepts exactly the limits: 4000 characters, 500 items, 64-character ids', () => {
    const items = Array.from({ length: limits.items }, (_, i) => ({
      id: `${'i'.repeat(60)}${i}`.slice(-64),
      input: 'x',
    }));
    expect(parseClientMessage(query({ content: 'c'.repeat(4000), items })).ok).toBe(true);
  });
});

describe('parseClientMessage refuses malformed messages with BAD_REQUEST naming the field', () => {
  it.each([
    ['bad JSON', '{"action": "query",', '(message)'],
    ['an empty message', '', '(message)'],
    ['a JSON array', '[1,2]', '(message)'],
    ['a JSON string', '"ping"', '(message)'],
    ['an unknown action', JSON.stringify({ action: 'drop.tables' }), 'action'],
    ['a missing action', JSON.stringify({ payload: {} }), 'action'],
    ['a numeric action', JSON.stringify({ action: 7 }), 'action'],
    ['a missing messageId', JSON.stringify({ action: 'query', payload: { content: 'x' } }), 'messageId'],
    ['a messageId that is not a UUID', query({ content: 'x' }, { messageId: 'nope' }), 'messageId'],
    ['a sessionId of the wrong type', query({ content: 'x' }, { sessionId: 42 }), 'sessionId'],
    ['a missing payload', JSON.stringify({ action: 'query', messageId }), 'payload'],
    ['missing content', query({}), 'payload.content'],
    ['content of the wrong type', query({ content: ['x'] }), 'payload.content'],
    ['blank content', query({ content: '   ' }), 'payload.content'],
    ['content too long', query({ content: 'c'.repeat(4001) }), 'payload.content'],
    ['no items', query({ content: 'x', items: [] }), 'payload.items'],
    [
      '501 items',
      query({ content: 'x', items: Array.from({ length: 501 }, (_, i) => ({ id: `i${i}`, input: 'x' })) }),
      'payload.items',
    ],
    [
      'duplicate item ids',
      query({
        content: 'x',
        items: [
          { id: 'a', input: '1' },
          { id: 'b', input: '2' },
          { id: 'a', input: '3' },
        ],
      }),
      'payload.items.2.id',
    ],
    [
      'an item id with a space',
      query({ content: 'x', items: [{ id: 'a b', input: '1' }] }),
      'payload.items.0.id',
    ],
    [
      'an item id with a slash',
      query({ content: 'x', items: [{ id: '../etc', input: '1' }] }),
      'payload.items.0.id',
    ],
    [
      'an item id of 65 characters',
      query({ content: 'x', items: [{ id: 'a'.repeat(65), input: '1' }] }),
      'payload.items.0.id',
    ],
    [
      'an empty item input',
      query({ content: 'x', items: [{ id: 'a', input: '' }] }),
      'payload.items.0.input',
    ],
    [
      'an item input too long',
      query({ content: 'x', items: [{ id: 'a', input: 'i'.repeat(4001) }] }),
      'payload.items.0.input',
    ],
    [
      'maxConcurrency 41',
      query({ content: 'x', options: { maxConcurrency: 41 } }),
      'payload.options.maxConcurrency',
    ],
    [
      'maxConcurrency 1.5',
      query({ content: 'x', options: { maxConcurrency: 1.5 } }),
      'payload.options.maxConcurrency',
    ],
    ['a datasetId with a path', query({ content: 'x', datasetId: 'a/b.csv' }), 'payload.datasetId'],
    [
      'session.history without sessionId',
      JSON.stringify({ action: 'session.history', payload: {} }),
      'payload.sessionId',
    ],
    [
      'execution.get with a bad id',
      JSON.stringify({ action: 'execution.get', payload: { executionId: 'x' } }),
      'payload.executionId',
    ],
    [
      'sessions.list with limit 0',
      JSON.stringify({ action: 'sessions.list', payload: { limit: 0 } }),
      'payload.limit',
    ],
    [
      'executions.list with limit 0',
      JSON.stringify({ action: 'executions.list', payload: { limit: 0 } }),
      'payload.limit',
    ],
    [
      'executions.list with limit 101',
      JSON.stringify({ action: 'executions.list', payload: { limit: 101 } }),
      'payload.limit',
    ],
    [
      'executions.list with limit 1.5',
      JSON.stringify({ action: 'executions.list', payload: { limit: 1.5 } }),
      'payload.limit',
    ],
    [
      'executions.list with limit "10"',
      JSON.stringify({ action: 'executions.list', payload: { limit: '10' } }),
      'payload.limit',
    ],
    [
      'executions.list with an empty cursor',
      JSON.stringify({ action: 'executions.list', payload: { cursor: '' } }),
      'payload.cursor',
    ],
    [
      'executions.list with a status no execution has',
      JSON.stringify({ action: 'executions.list', payload: { status: 'PENDING' } }),
      'payload.status',
    ],
    [
      'executions.list with a lower-case status',
      JSON.stringify({ action: 'executions.list', payload: { status: 'failed' } }),
      'payload.status',
    ],
    [
      'executions.list with a payload that is not an object',
      JSON.stringify({ action: 'executions.list', payload: 'all' }),
      'payload',
    ],
  ])('%s', (_name, body, field) => {
    const result = refusal(body);
    expect(result.code).toBe('BAD_REQUEST');
    expect(result.details?.field).toBe(field);
    expect(result.message).toMatch(/\.$/);
  });

  it('points at the duplicate and at where its id was first used', () => {
    const result = refusal(
      query({
        content: 'x',
        items: [
          { id: 'a', input: '1' },
          { id: 'a', input: '2' },
        ],
      }),
    );
    expect(result.message).toContain('duplicate item id "a" (first used at index 0)');
  });

  it('lists every problem, not only the first', () => {
    const result = refusal(query({ content: '', items: [{ id: 'a b', input: '' }] }));
    const fields = (result.details!.issues as { field: string }[]).map((issue) => issue.field);
    expect(fields).toEqual(
      expect.arrayContaining(['payload.content', 'payload.items.0.id', 'payload.items.0.input']),
    );
  });
});

describe('parseClientMessage refuses oversize messages', () => {
  it('answers PAYLOAD_TOO_LARGE above the request limit, counting bytes not characters', () => {
    const emoji = '😀'.repeat(Math.ceil(limits.requestBytes / 4) + 1);
    const result = refusal(query({ content: emoji }));
    expect(result.code).toBe('PAYLOAD_TOO_LARGE');
    expect(result.details).toMatchObject({ limit: limits.requestBytes });
  });

  it('answers PAYLOAD_TOO_LARGE, with the limit, for an upload above it; a size of zero is a bad request', () => {
    const upload = (sizeBytes: unknown) =>
      refusal(JSON.stringify({ action: 'dataset.upload', payload: { name: 'big.csv', sizeBytes } }));
    const big = upload(250 * 1024 * 1024);
    expect(big).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The file is 250 MB; uploads are limited to 100 MB (104857600 bytes).',
      details: { field: 'payload.sizeBytes', limit: limits.uploadBytes },
    });
    expect(upload(0)).toMatchObject({ code: 'BAD_REQUEST', details: { field: 'payload.sizeBytes' } });
  });
});

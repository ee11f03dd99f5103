import { randomUUID } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { SFNServiceException, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { executionIdFor, limits } from '@cascade/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { throttling } from '../../../test/support/faults';
import { parquetBytes } from '../../../test/support/parquet';
import { handler as datasetUpload } from '../src/ws/dataset-upload';
import { handler as datasetsList } from '../src/ws/datasets-list';
import { handler as fallback } from '../src/ws/default';
import { handler as executionCancel } from '../src/ws/execution-cancel';
import { handler as executionGet } from '../src/ws/execution-get';
import { handler as executionsList } from '../src/ws/executions-list';
import { handler as ping } from '../src/ws/ping';
import { handler as query } from '../src/ws/query';
import { handler as sessionHistory } from '../src/ws/session-history';
import { handler as sessionsList } from '../src/ws/sessions-list';
import { messageEvent, useHandlerHarness, type Who } from './harness';

const h = useHandlerHarness();
beforeAll(async () => {
  await h.connections.put({ connectionId: 'alice-1', userId: 'alice', tenantId: 'acme' });
  await h.connections.put({ connectionId: 'alice-2', userId: 'alice', tenantId: 'acme' });
});

const alice: Who = { userId: 'alice' };
const bob: Who = { userId: 'bob' };

async function tableSizes() {
  const sizes: Record<string, number> = {};
  for (const [key, name] of Object.entries(h.dynamo.tableNames)) {
    sizes[key] = (await h.dynamo.client.send(new ScanCommand({ TableName: name }))).Count ?? 0;
  }
  return sizes;
}

/** Sends one message as `who` on `connectionId` and returns what that connection was sent. */
async function send(
  handler: (e: ReturnType<typeof messageEvent>) => Promise<unknown>,
  body: unknown,
  who: Who | null = alice,
  connectionId = 'alice-1',
) {
  const before = h.posted().length;
  expect(await handler(messageEvent(connectionId, body, who))).toEqual({ statusCode: 200 });
  return h
    .posted()
    .slice(before)
    .filter((p) => p.connectionId === connectionId)
    .map((p) => p.message);
}

function newQuery(content = 'profile lalonde.csv', extra: Record<string, unknown> = {}) {
  return { action: 'query', messageId: randomUUID(), payload: { content }, ...extra };
}

describe('query', () => {
  it('acknowledges with the execution and session, after starting the state machine run named after it', async () => {
    const request = newQuery();
    const [ack, ...rest] = await send(query, request);
    const executionId = executionIdFor('alice', request.messageId);
    expect(ack).toMatchObject({ action: 'ack', messageId: request.messageId, executionId, totalItems: 1 });
    expect(rest).toEqual([]);
    expect(h.sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toMatchObject({
      name: executionId,
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:agent',
    });
  });

  it('a repeated messageId returns the first execution and starts nothing', async () => {
    const request = newQuery('same twice');
    const first = await send(query, request);
    const second = await send(query, request);
    expect(second).toEqual(first);
    expect(h.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('a second query while one runs in the same session gets CONFLICT', async () => {
    const [ack] = await send(query, newQuery('first'));
    const sessionId = (ack as { sessionId: string }).sessionId;
    const request = newQuery('second', { sessionId });
    const [error] = await send(query, request);
    expect(error).toMatchObject({ action: 'error', code: 'CONFLICT', messageId: request.messageId });
  });

  it("another user's sessionId gets NOT_FOUND", async () => {
    const [ack] = await send(query, newQuery('mine'));
    const [error] = await send(
      query,
      newQuery('theirs', { sessionId: (ack as { sessionId: string }).sessionId }),
      bob,
      'bob-1',
    );
    expect(error).toMatchObject({ action: 'error', code: 'NOT_FOUND' });
  });

  it('a throttled StartExecution answers RATE_LIMITED after the ack, and the run is recorded as FAILED', async () => {
    h.sfn.on(StartExecutionCommand).rejects(throttling(SFNServiceException));
    const request = newQuery('bad luck');
    const messages = await send(query, request);
    expect(messages.map((m) => m.action)).toEqual(['ack', 'response', 'error']);
    expect(messages[1]).toMatchObject({ status: 'FAILED' });
    expect(messages[2]).toMatchObject({ code: 'RATE_LIMITED', messageId: request.messageId });
    const state = await send(executionGet, {
      action: 'execution.get',
      payload: { executionId: executionIdFor('alice', request.messageId) },
    });
    expect(state[0]).toMatchObject({ status: 'FAILED' });
  });

  describe('every malformed message gets BAD_REQUEST naming the field, and writes nothing', () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `i${i}`, input: 'x' }));
    it.each([
      ['bad JSON', '{"action":"query",,}', '(message)'],
      ['a missing messageId', { action: 'query', payload: { content: 'x' } }, 'messageId'],
      ['a wrongly typed content', newQuery(42 as unknown as string), 'payload.content'],
      ['content too long', newQuery('x'.repeat(limits.contentChars + 1)), 'payload.content'],
      ['501 items', { ...newQuery(), payload: { content: 'x', items: items(501) } }, 'payload.items'],
      [
        'duplicate item ids',
        { ...newQuery(), payload: { content: 'x', items: [...items(2), { id: 'i0', input: 'y' }] } },
        'payload.items.2.id',
      ],
      [
        'an item id with forbidden characters',
        { ...newQuery(), payload: { content: 'x', items: [{ id: 'a;b', input: 'y' }] } },
        'payload.items.0.id',
      ],
      ['a wrongly typed sessionId', newQuery('x', { sessionId: 7 }), 'sessionId'],
    ])('%s', async (_name, body, field) => {
      const before = await tableSizes();
      const [error] = await send(query, body);
      expect(error).toMatchObject({ action: 'error', code: 'BAD_REQUEST', details: { field } });
      expect(await tableSizes()).toEqual(before);
      expect(h.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    });
  });

  it('an oversize message gets PAYLOAD_TOO_LARGE and writes nothing', async () => {
    const before = await tableSizes();
    const body = newQuery('x', { padding: 'p'.repeat(limits.requestBytes) });
    const [error] = await send(query, body);
    expect(error).toMatchObject({ action: 'error', code: 'PAYLOAD_TOO_LARGE', messageId: body.messageId });
    expect(await tableSizes()).toEqual(before);
  });

  it('reads a base64-encoded body', async () => {
    const request = newQuery('encoded');
    const event = messageEvent('alice-1', request, alice);
    event.body = Buffer.from(event.body!).toString('base64');
    event.isBase64Encoded = true;
    await query(event);
    expect(h.posted().at(-1)?.message).toMatchObject({ action: 'ack', messageId: request.messageId });
  });
});

describe('the read routes', () => {
  it('sessions.list lists the caller’s sessions only', async () => {
    const [ack] = await send(query, newQuery('a session of carol'), { userId: 'carol' }, 'carol-1');
    const [answer] = await send(
      sessionsList,
      { action: 'sessions.list', messageId: 'l1' },
      { userId: 'carol' },
      'carol-1',
    );
    expect(answer).toMatchObject({
      action: 'sessions',
      messageId: 'l1',
      sessions: [{ sessionId: (ack as { sessionId: string }).sessionId, title: 'a session of carol' }],
    });
  });

  it('executions.list lists the caller’s executions newest first, and refuses another user’s cursor', async () => {
    const dora = { userId: 'dora' };
    const [older] = await send(query, newQuery('first of dora'), dora, 'dora-1');
    const [newer] = await send(query, newQuery('second of dora'), dora, 'dora-1');
    await send(query, newQuery('of erin'), { userId: 'erin' }, 'erin-1');
    const list = (payload: unknown, who = dora, connectionId = 'dora-1') =>
      send(executionsList, { action: 'executions.list', messageId: 'x1', payload }, who, connectionId);

    const [all] = await list({ status: 'RUNNING' });
    expect(all).toMatchObject({
      action: 'executions',
      messageId: 'x1',
      executions: [
        { executionId: (newer as { executionId: string }).executionId, input: 'second of dora' },
        { executionId: (older as { executionId: string }).executionId, input: 'first of dora' },
      ],
    });
    expect(all).not.toHaveProperty('cursor');
    const [first] = (await list({ limit: 1 })) as { cursor: string }[];
    expect(first!.cursor).toBeTypeOf('string');
    const [refused] = await list({ cursor: first!.cursor }, { userId: 'erin' }, 'erin-1');
    expect(refused).toMatchObject({
      action: 'error',
      messageId: 'x1',
      code: 'BAD_REQUEST',
      details: { field: 'payload.cursor' },
    });
    const [tooMany] = await list({ limit: 101 });
    expect(tooMany).toMatchObject({
      action: 'error',
      code: 'BAD_REQUEST',
      details: { field: 'payload.limit' },
    });
  });

  it('session.history returns the conversation, and NOT_FOUND to anyone else', async () => {
    const [ack] = await send(query, newQuery('history please'));
    const sessionId = (ack as { sessionId: string }).sessionId;
    const [history] = await send(sessionHistory, { action: 'session.history', payload: { sessionId } });
    expect(history).toMatchObject({
      action: 'history',
      sessionId,
      messages: [{ role: 'user', content: 'history please' }],
    });
    const [error] = await send(
      sessionHistory,
      { action: 'session.history', payload: { sessionId } },
      bob,
      'bob-1',
    );
    expect(error).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('execution.get returns the full state, and NOT_FOUND for another user’s execution', async () => {
    const [ack] = await send(query, newQuery('get me'));
    const { executionId } = ack as { executionId: string };
    const [state] = await send(executionGet, {
      action: 'execution.get',
      messageId: 'g1',
      payload: { executionId },
    });
    expect(state).toMatchObject({
      action: 'execution',
      messageId: 'g1',
      executionId,
      status: 'RUNNING',
      items: [{ id: '1', status: 'PENDING' }],
    });
    const [error] = await send(
      executionGet,
      { action: 'execution.get', payload: { executionId } },
      bob,
      'bob-1',
    );
    expect(error).toMatchObject({
      action: 'error',
      code: 'NOT_FOUND',
      message: `Execution ${executionId} was not found.`,
    });
  });

  it('datasets.list lists the samples', async () => {
    h.s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    h.s3
      .on(ListObjectsV2Command, { Prefix: 'samples/' })
      .resolves({ Contents: [{ Key: 'samples/lalonde.csv', Size: 10 }] });
    h.s3.on(HeadObjectCommand).resolves({ Metadata: { rows: '614', columns: '9' } });
    const [answer] = await send(datasetsList, { action: 'datasets.list', messageId: 'd' });
    expect(answer).toEqual({
      action: 'datasets',
      messageId: 'd',
      datasets: [
        { id: 'lalonde.csv', name: 'lalonde.csv', sizeBytes: 10, rows: 614, columns: 9, sample: true },
      ],
    });
  });

  it('datasets.list lists a Parquet upload with the rows and columns its footer gives, read in byte ranges', async () => {
    const orders = await parquetBytes(`SELECT i AS id, i % 3 AS g, 'x' AS label FROM range(40) t(i)`);
    h.s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    h.s3
      .on(ListObjectsV2Command, { Prefix: 'users/alice/' })
      .resolves({ Contents: [{ Key: 'users/alice/orders.parquet', Size: orders.length }] });
    h.s3.on(HeadObjectCommand).resolves({ Metadata: {}, ETag: '"orders-v1"' });
    h.s3.on(GetObjectCommand).callsFake(async ({ Range }: { Range: string }) => {
      const [start, end] = /^bytes=(\d+)-(\d+)$/.exec(Range)!.slice(1).map(Number) as [number, number];
      const slice = orders.subarray(start, end + 1);
      return { Body: { transformToByteArray: async () => new Uint8Array(slice) } };
    });
    const [answer] = await send(datasetsList, { action: 'datasets.list', messageId: 'd' });
    expect(answer).toEqual({
      action: 'datasets',
      messageId: 'd',
      datasets: [
        {
          id: 'orders.parquet',
          name: 'orders.parquet',
          sizeBytes: orders.length,
          rows: 40,
          columns: 3,
          sample: false,
        },
      ],
    });
    expect(h.s3.commandCalls(GetObjectCommand).every((call) => call.args[0].input.Range)).toBe(true);
  });

  it('ping answers pong with the messageId', async () => {
    expect(await send(ping, { action: 'ping', messageId: 'p1' })).toEqual([
      { action: 'pong', messageId: 'p1' },
    ]);
    expect(await send(ping, { action: 'ping' })).toEqual([{ action: 'pong' }]);
  });
});

describe('execution.cancel', () => {
  it('stops the run, answers ABORTED and tells every connection of the user', async () => {
    const [ack] = await send(query, newQuery('cancel me'));
    const { executionId } = ack as { executionId: string };
    const before = h.posted().length;
    const messages = await send(executionCancel, {
      action: 'execution.cancel',
      messageId: 'c1',
      payload: { executionId },
    });
    expect(messages.map((m) => m.action)).toEqual(['response', 'execution']);
    expect(messages[1]).toMatchObject({ action: 'execution', messageId: 'c1', status: 'ABORTED' });
    expect(h.sfn.commandCalls(StopExecutionCommand)).toHaveLength(1);
    const responses = h
      .posted()
      .slice(before)
      .filter((p) => p.message.action === 'response');
    expect(responses.map((p) => p.connectionId).sort()).toEqual(['alice-1', 'alice-2']);
  });

  it("answers NOT_FOUND for another user's execution and stops nothing", async () => {
    const [ack] = await send(query, newQuery('not yours'));
    const { executionId } = ack as { executionId: string };
    const [error] = await send(
      executionCancel,
      { action: 'execution.cancel', payload: { executionId } },
      bob,
      'bob-1',
    );
    expect(error).toMatchObject({ code: 'NOT_FOUND' });
    expect(h.sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
  });
});

describe('$default and the shared route behaviour', () => {
  it.each([
    ['bad JSON', 'not json at all', undefined],
    ['an unknown action', { action: 'sessions.delete', messageId: 'u1' }, 'u1'],
    ['no action', { messageId: 'u2', payload: {} }, 'u2'],
  ])('answers %s with BAD_REQUEST and keeps the connection', async (_name, body, messageId) => {
    const [error] = await send(fallback, body);
    expect(error).toMatchObject({ action: 'error', code: 'BAD_REQUEST' });
    expect((error as { messageId?: string }).messageId).toBe(messageId);
  });

  it('a valid action that reaches the wrong route is an INTERNAL error that reveals nothing', async () => {
    const [error] = await send(fallback, { action: 'ping' });
    expect(error).toEqual({
      action: 'error',
      code: 'INTERNAL',
      message: 'Something went wrong on our side; please try again.',
    });
  });

  it('a message without the authorizer context gets UNAUTHORIZED', async () => {
    const [error] = await send(ping, { action: 'ping' }, null);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('dataset.upload', () => {
  const notFound = () =>
    new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: {}, message: '' });
  const uploadOf = (name: string) => ({
    action: 'dataset.upload',
    messageId: 'up',
    payload: { name, sizeBytes: 2048 },
  });

  it('takes a file name with spaces, answers the id derived from it and signs the name as its title', async () => {
    h.s3.on(HeadObjectCommand).rejects(notFound());
    const [answer] = await send(datasetUpload, uploadOf('beauty and the labor market.csv'));
    expect(answer).toMatchObject({
      action: 'upload',
      messageId: 'up',
      datasetId: 'beauty-and-the-labor-market.csv',
      method: 'PUT',
      headers: { 'content-type': 'text/csv' },
    });
    const url = new URL((answer as { url: string }).url);
    expect(url.pathname).toBe('/users/alice/beauty-and-the-labor-market.csv');
    expect(url.searchParams.get('x-amz-meta-title')).toBe('beauty and the labor market.csv');
  });

  it('gives a name that was already an id the same id as before', async () => {
    h.s3.on(HeadObjectCommand).rejects(notFound());
    const [answer] = await send(datasetUpload, uploadOf('sales_2024.csv'));
    expect(answer).toMatchObject({ action: 'upload', datasetId: 'sales_2024.csv' });
  });

  it('refuses a name with a path in it as BAD_REQUEST, naming the field', async () => {
    const [error] = await send(datasetUpload, uploadOf('../other user/sales.csv'));
    expect(error).toMatchObject({ action: 'error', messageId: 'up', code: 'BAD_REQUEST' });
    expect(JSON.stringify(error)).toContain('must not contain / or \\\\ or control characters');
    expect(h.s3.calls()).toHaveLength(0);
  });
});

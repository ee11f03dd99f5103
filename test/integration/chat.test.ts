import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, type ServerMessageOf } from '@cascade/core';
import type { LocalCloud } from '@cascade/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  askQuestion,
  Client,
  credentials,
  isResponseFor,
  newUser,
  putSamples,
  startTestCloud,
} from './harness';

let cloud: LocalCloud;
let user: Awaited<ReturnType<typeof newUser>>;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  cloud = await startTestCloud();
  await putSamples(cloud, [
    {
      name: 'shop.csv',
      body: 'order_id,region,amount,returned\n1,north,10.5,0\n2,south,22,1\n3,north,7.25,0\n',
      rows: 3,
      columns: 4,
    },
  ]);
  documents = createDocumentClient({ region: 'us-east-1', endpoint: cloud.endpoints.edgeUrl, credentials });
  user = await newUser(cloud);
});
afterAll(async () => {
  documents?.destroy();
  await cloud?.stop();
});

const connect = (token = user.idToken) =>
  Client.connect(`${cloud.endpoints.websocketUrl}?token=${encodeURIComponent(token)}`);

describe('the local cloud, end to end', () => {
  it('signs a user up, confirms with the emailed code, signs in and connects with the ID token', async () => {
    const client = await connect();
    expect(await client.request({ action: 'ping' })).toMatchObject({ action: 'pong' });
    client.close();
  });

  it('refuses a missing token with 401 and a bad one with 403 at the handshake', async () => {
    await expect(Client.connect(cloud.endpoints.websocketUrl)).rejects.toMatchObject({ status: 401 });
    await expect(connect('not-a-token')).rejects.toMatchObject({ status: 403 });
    await expect(connect(user.accessToken)).rejects.toMatchObject({ status: 403 });
    const [header, payload] = user.idToken.split('.');
    await expect(connect(`${header}.${payload}.forged`)).rejects.toMatchObject({ status: 403 });
  });

  it('runs a five-item batch: ack, steps, growing progress and one response, on every connection of the user', async () => {
    const tab1 = await connect();
    const tab2 = await connect();
    const items = ['order_id', 'region', 'amount', 'returned', 'all'].map((id) => ({
      id,
      input: id === 'all' ? 'what columns does shop.csv have?' : `what type is ${id} in shop.csv?`,
    }));
    const messageId = randomUUID();
    tab1.send({ action: 'query', messageId, payload: { content: 'Describe shop.csv', items } });

    const ack = await tab1.waitFor<ServerMessageOf<'ack'>>((m) => m.action === 'ack');
    expect(ack).toMatchObject({ messageId, totalItems: 5 });
    const response = await tab1.waitFor<ServerMessageOf<'response'>>(isResponseFor(ack.executionId));
    expect(response.status).toBe('SUCCEEDED');
    expect(response.items.map((i) => i.status)).toEqual(Array(5).fill('SUCCEEDED'));
    expect(response.items[0]?.output?.text).toContain(
      '**order_id** holds **numeric: whole numbers (integer)**',
    );
    expect(response.items[4]?.output?.text).toContain('| order_id | numeric: whole numbers (integer) |');

    const progress = tab1.messages.filter((m): m is ServerMessageOf<'progress'> => m.action === 'progress');
    expect(progress.map((p) => p.completed)).toEqual([1, 2, 3, 4, 5]);
    expect(progress.at(-1)).toMatchObject({ percent: 100, total: 5, failed: 0 });
    expect(
      tab1.messages.some(
        (m) => m.action === 'step' && m.step === 'describe_dataset' && m.status === 'succeeded',
      ),
    ).toBe(true);

    // The second tab saw the same run.
    await tab2.waitFor(isResponseFor(ack.executionId));
    expect(tab2.messages.filter((m) => m.action === 'progress')).toHaveLength(5);
    expect(tab2.messages.some((m) => m.action === 'ack')).toBe(false);

    // The tables tell the same story.
    const execution = (
      await documents.send(
        new GetCommand({
          TableName: cloud.endpoints.tables.executions,
          Key: { executionId: ack.executionId },
        }),
      )
    ).Item;
    expect(execution).toMatchObject({
      status: 'SUCCEEDED',
      totalItems: 5,
      completedItems: 5,
      failedItems: 0,
    });
    const stored = await documents.send(
      new QueryCommand({
        TableName: cloud.endpoints.tables.items,
        KeyConditionExpression: 'executionId = :e',
        ExpressionAttributeValues: { ':e': ack.executionId },
      }),
    );
    expect(stored.Items?.map((i) => i.status)).toEqual(Array(5).fill('SUCCEEDED'));
    const messages = await documents.send(
      new QueryCommand({
        TableName: cloud.endpoints.tables.messages,
        KeyConditionExpression: 'sessionId = :s',
        ExpressionAttributeValues: { ':s': ack.sessionId },
      }),
    );
    expect(messages.Items?.map((m) => m.role)).toEqual(['user', 'assistant']);
    tab1.close();
    tab2.close();
  });

  it('gives a client that reconnects the complete state of a run with execution.get', async () => {
    const first = await connect();
    first.send({
      action: 'query',
      messageId: randomUUID(),
      payload: { content: 'what columns does shop.csv have?' },
    });
    const ack = await first.waitFor<ServerMessageOf<'ack'>>((m) => m.action === 'ack');
    first.close();
    const again = await connect();
    const get = () =>
      again.request<ServerMessageOf<'execution'>>({
        action: 'execution.get',
        payload: { executionId: ack.executionId },
      });
    let state = await get();
    expect(state).toMatchObject({ executionId: ack.executionId, sessionId: ack.sessionId, totalItems: 1 });
    if (state.status === 'RUNNING') {
      // The run ends its record before it answers, so the response is still to come: wait for it.
      await again.waitFor<ServerMessageOf<'response'>>(isResponseFor(ack.executionId));
      state = await get();
    }
    expect(state).toMatchObject({
      status: 'SUCCEEDED',
      completedItems: 1,
      items: [{ id: '1', status: 'SUCCEEDED' }],
    });
    expect(state.summary).toContain('shop.csv');
    const history = await again.request<ServerMessageOf<'history'>>({
      action: 'session.history',
      payload: { sessionId: ack.sessionId },
    });
    expect(history.messages[0]).toMatchObject({ role: 'user', content: 'what columns does shop.csv have?' });
    again.close();
  });

  it('lists a user’s executions newest first with executions.list, and none of another user’s', async () => {
    const lister = await newUser(cloud);
    const client = await connect(lister.idToken);
    const first = await askQuestion(client, 'what columns does shop.csv have?');
    const second = await askQuestion(client, 'how many rows does shop.csv have?');

    // Exactly these two: the runs of this suite's other user are not listed.
    const listed = await client.request<ServerMessageOf<'executions'>>({ action: 'executions.list' });
    expect(listed.executions).toEqual([
      expect.objectContaining({
        executionId: second.ack.executionId,
        sessionId: second.ack.sessionId,
        status: 'SUCCEEDED',
        totalItems: 1,
        input: 'how many rows does shop.csv have?',
      }),
      expect.objectContaining({
        executionId: first.ack.executionId,
        status: 'SUCCEEDED',
        input: 'what columns does shop.csv have?',
      }),
    ]);
    expect(listed.executions[0]!.completedAt).toBeTypeOf('string');
    expect(listed).not.toHaveProperty('cursor');

    // One at a time, following the cursor; the other user may not follow it.
    const page = await client.request<ServerMessageOf<'executions'>>({
      action: 'executions.list',
      payload: { limit: 1, status: 'SUCCEEDED' },
    });
    expect(page.executions.map((e) => e.executionId)).toEqual([second.ack.executionId]);
    const next = await client.request<ServerMessageOf<'executions'>>({
      action: 'executions.list',
      payload: { limit: 1, status: 'SUCCEEDED', cursor: page.cursor },
    });
    expect(next.executions.map((e) => e.executionId)).toEqual([first.ack.executionId]);
    client.close();

    const other = await connect();
    const theirs = await other.request({ action: 'executions.list', payload: { cursor: page.cursor } });
    expect(theirs).toMatchObject({
      action: 'error',
      code: 'BAD_REQUEST',
      details: { field: 'payload.cursor' },
    });
    other.close();
  });

  it('answers an unknown action, bad JSON and an oversize message with their codes, and keeps the connection open', async () => {
    const client = await connect();
    client.send({ action: 'sessions.delete', messageId: 'a1' });
    expect(await client.waitFor((m) => m.action === 'error' && m.messageId === 'a1')).toMatchObject({
      code: 'BAD_REQUEST',
      details: { field: 'action' },
    });
    client.send('{"action": "query",');
    expect(
      await client.waitFor((m) => m.action === 'error' && m.message === 'The message is not valid JSON.'),
    ).toMatchObject({ code: 'BAD_REQUEST' });

    // 100 KB in 32 KB frames: within API Gateway's limits, over the protocol's request limit.
    const big = JSON.stringify({
      action: 'query',
      messageId: randomUUID(),
      payload: { content: 'x', padding: 'p'.repeat(100 * 1024) },
    });
    const frames = big.match(/[\s\S]{1,32000}/g)!;
    for (const [i, frame] of frames.entries()) client.socket.send(frame, { fin: i === frames.length - 1 });
    expect(await client.waitFor((m) => m.action === 'error' && m.code === 'PAYLOAD_TOO_LARGE')).toBeTruthy();

    expect(await client.request({ action: 'ping' })).toMatchObject({ action: 'pong' });
    expect(client.closed).toBeUndefined();
    client.close();
  });

  it('uploads a CSV through a presigned URL; it is listed and can be asked about', async () => {
    const client = await connect();
    const csv = 'city,temp\nOslo,4\nRome,18\n';
    const upload = await client.request<ServerMessageOf<'upload'>>({
      action: 'dataset.upload',
      payload: { name: 'weather.csv', sizeBytes: Buffer.byteLength(csv) },
    });
    expect(upload).toMatchObject({ datasetId: 'weather.csv', method: 'PUT' });
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: csv });
    expect(put.status).toBe(200);
    const listed = await client.request<ServerMessageOf<'datasets'>>({ action: 'datasets.list' });
    expect(listed.datasets).toContainEqual(
      expect.objectContaining({ id: 'weather.csv', sample: false, sizeBytes: Buffer.byteLength(csv) }),
    );
    // A sample's name gets a suffix; a name as people write them gets a safe id and keeps its name.
    const beside = await client.request({
      action: 'dataset.upload',
      payload: { name: 'shop.csv', sizeBytes: 10 },
    });
    expect(beside).toMatchObject({ action: 'upload', datasetId: 'shop-2.csv' });
    const named = await client.request<ServerMessageOf<'upload'>>({
      action: 'dataset.upload',
      payload: { name: 'Température à Oslo 2016.csv', sizeBytes: Buffer.byteLength(csv) },
    });
    expect(named).toMatchObject({ action: 'upload', datasetId: 'Temperature-a-Oslo-2016.csv' });
    expect((await fetch(named.url, { method: 'PUT', headers: named.headers, body: csv })).status).toBe(200);
    const relisted = await client.request<ServerMessageOf<'datasets'>>({ action: 'datasets.list' });
    expect(relisted.datasets).toContainEqual(
      expect.objectContaining({ id: 'Temperature-a-Oslo-2016.csv', name: 'Température à Oslo 2016.csv' }),
    );

    client.send({
      action: 'query',
      messageId: randomUUID(),
      payload: { content: 'what columns does weather.csv have?' },
    });
    const ack = await client.waitFor<ServerMessageOf<'ack'>>((m) => m.action === 'ack');
    const response = await client.waitFor<ServerMessageOf<'response'>>(isResponseFor(ack.executionId));
    expect(response.summary).toContain('| temp | numeric: whole numbers (integer) |');
    client.close();
  });

  it('closes a connection that sends a frame over 32 KB with 1009, as API Gateway does', async () => {
    const client = await connect();
    client.send({ action: 'ping', padding: 'p'.repeat(40 * 1024) });
    await new Promise((resolve) => client.socket.once('close', resolve));
    expect(client.closed?.code).toBe(1009);
  });
});

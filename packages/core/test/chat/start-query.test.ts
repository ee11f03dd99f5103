import { randomUUID } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  SFNServiceException,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { throttling } from '../../../../test/support/faults';
import {
  type AgentInput,
  ConflictError,
  concludeExecution,
  executionIdFor,
  fingerprint,
  NotFoundError,
  newSessionIdFor,
  type QueryItem,
  sessionLockName,
  startQuery,
  toProtocolError,
} from '../../src';
import { alice, bob, useChatHarness } from '../fixtures/chat';

const h = useChatHarness();

function query(content: string, extra: { sessionId?: string; items?: QueryItem[]; messageId?: string } = {}) {
  const { sessionId, items, messageId = randomUUID() } = extra;
  return {
    action: 'query' as const,
    messageId,
    ...(sessionId && { sessionId }),
    payload: { content, ...(items && { items }) },
  };
}

async function ask(request: ReturnType<typeof query>, caller = alice) {
  const { messages, reply } = h.replies();
  const executionId = await startQuery(h.deps, caller, request, reply);
  return { executionId, messages };
}

const startInputs = () =>
  h.sfn
    .commandCalls(StartExecutionCommand)
    .map((call) => JSON.parse(call.args[0].input.input!) as AgentInput);

async function endRun(executionId: string) {
  await concludeExecution(h.deps, executionId, 'SUCCEEDED', 'done');
}

describe('startQuery', () => {
  it('opens a session, records the run and its item, stores the message, locks the session and starts the state machine', async () => {
    const request = query('Profile lalonde.csv\nplease');
    const { executionId, messages } = await ask(request);

    const sessionId = newSessionIdFor(alice.userId, request.messageId);
    expect(executionId).toBe(executionIdFor(alice.userId, request.messageId));
    expect(messages).toEqual([
      { action: 'ack', messageId: request.messageId, executionId, sessionId, totalItems: 1 },
    ]);

    expect(await h.deps.sessions.get(sessionId)).toMatchObject({
      userId: alice.userId,
      tenantId: 'acme',
      title: 'Profile lalonde.csv',
      lastExecutionId: executionId,
      lastExecutionStatus: 'RUNNING',
    });
    expect(await h.deps.executions.get(executionId)).toMatchObject({
      status: 'RUNNING',
      totalItems: 1,
      messageId: request.messageId,
      request: { content: request.payload.content, maxConcurrency: 10 },
    });
    expect(await h.deps.items.list(executionId)).toMatchObject([
      { itemId: '1', index: 0, input: request.payload.content, status: 'PENDING' },
    ]);
    const history = await h.deps.messages.pageNewestFirst(sessionId);
    expect(history.items).toMatchObject([{ role: 'user', content: request.payload.content, executionId }]);
    expect((await h.deps.locks.get(sessionLockName(sessionId)))?.owner).toBe(executionId);

    const start = h.sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.name).toBe(executionId);
    expect(JSON.parse(start.input!)).toEqual({
      executionId,
      sessionId,
      userId: alice.userId,
      tenantId: 'acme',
      items: [{ id: '1' }],
      options: { maxConcurrency: 10 },
    });
  });

  it('passes the batch as item ids only; the inputs stay in the Items table', async () => {
    const items = [
      { id: 'a', input: 'x'.repeat(4000) },
      { id: 'b', input: 'second' },
      { id: 'c', input: 'third' },
    ];
    const request = {
      ...query('Describe each', { items }),
      payload: { content: 'Describe each', items, options: { maxConcurrency: 2 } },
    };
    const { executionId, messages } = await ask(request);
    expect(messages[0]).toMatchObject({ action: 'ack', totalItems: 3 });
    expect(startInputs()[0]).toMatchObject({
      items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
      options: { maxConcurrency: 2 },
    });
    expect(h.sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!.length).toBeLessThan(1000);
    expect((await h.deps.items.list(executionId)).map((i) => [i.itemId, i.input.length])).toEqual([
      ['a', 4000],
      ['b', 6],
      ['c', 5],
    ]);
  });

  it('continues a session: the new run joins it and becomes its latest', async () => {
    const first = await ask(query('first question'));
    await endRun(first.executionId);
    const sessionId = (await h.deps.executions.get(first.executionId))!.sessionId;

    const second = await ask(query('follow-up', { sessionId }));
    expect(second.messages[0]).toMatchObject({ action: 'ack', sessionId });
    expect((await h.deps.sessions.get(sessionId))?.lastExecutionId).toBe(second.executionId);
    const history = await h.deps.messages.pageNewestFirst(sessionId);
    expect(history.items.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it("answers NOT_FOUND for another user's sessionId and writes nothing", async () => {
    const mine = await ask(query('private'));
    await endRun(mine.executionId);
    const sessionId = (await h.deps.executions.get(mine.executionId))!.sessionId;

    const request = query('let me in', { sessionId });
    await expect(ask(request, bob)).rejects.toBeInstanceOf(NotFoundError);
    expect(await h.deps.executions.get(executionIdFor(bob.userId, request.messageId))).toBeUndefined();
    expect(await h.deps.locks.get(sessionLockName(sessionId))).toBeUndefined();
    expect((await h.deps.messages.pageNewestFirst(sessionId)).items).toHaveLength(2);
    expect(h.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('answers NOT_FOUND for a dataset the caller cannot see, before anything is written', async () => {
    h.s3
      .on(HeadObjectCommand)
      .rejects(
        Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }),
      );
    const sessionsBefore = await h.deps.sessions.listByUser(alice.userId, { limit: 100 });
    const request = {
      ...query('average fee'),
      payload: { content: 'average fee', datasetId: 'bobs-sales.csv' },
    };
    await expect(ask(request)).rejects.toThrow('Dataset bobs-sales.csv was not found');
    expect(await h.deps.executions.get(executionIdFor(alice.userId, request.messageId))).toBeUndefined();
    expect(await h.deps.sessions.listByUser(alice.userId, { limit: 100 })).toEqual(sessionsBefore);
    expect(h.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    h.s3.reset();
  });

  it('answers CONFLICT to a second query while a run is going in the same session, and writes nothing', async () => {
    const running = await ask(query('long job'));
    const sessionId = (await h.deps.executions.get(running.executionId))!.sessionId;

    const second = query('impatient', { sessionId });
    const error = await ask(second).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(toProtocolError(error)).toMatchObject({
      code: 'CONFLICT',
      details: { executionId: running.executionId },
    });
    expect(await h.deps.executions.get(executionIdFor(alice.userId, second.messageId))).toBeUndefined();
    expect(await h.deps.items.list(executionIdFor(alice.userId, second.messageId))).toEqual([]);
    expect((await h.deps.messages.pageNewestFirst(sessionId)).items).toHaveLength(1);
    expect(h.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);

    await endRun(running.executionId);
    expect((await ask(query('now it is my turn', { sessionId }))).messages[0]?.action).toBe('ack');
  });

  it('a repeated messageId returns the first execution and starts nothing', async () => {
    const request = query('once only');
    const first = await ask(request);
    const again = await ask(request);
    expect(again.executionId).toBe(first.executionId);
    expect(again.messages).toEqual(first.messages);
    expect(h.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(await h.deps.items.list(first.executionId)).toHaveLength(1);
  });

  it('two copies of one message arriving together start one run', async () => {
    const request = query('double click');
    const [one, two] = await Promise.all([ask(request), ask(request)]);
    expect(one.executionId).toBe(two.executionId);
    expect(h.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(one.messages[0]).toEqual(two.messages[0]);
  });

  it('a repeated messageId of an ended run replays its ack and its final response', async () => {
    const request = query('what happened?');
    const { executionId } = await ask(request);
    await concludeExecution(h.deps, executionId, 'PARTIAL', '1 of 2 failed');
    const again = await ask(request);
    expect(again.messages.map((m) => m.action)).toEqual(['ack', 'response']);
    expect(again.messages[1]).toMatchObject({
      status: 'PARTIAL',
      summary: '1 of 2 failed',
      messageId: request.messageId,
    });
    expect(h.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('a run that timed out replays as FAILED, the closest final response status', async () => {
    const request = query('slow');
    const { executionId } = await ask(request);
    await h.deps.executions.finish(executionId, 'TIMED_OUT', 'Timed out after an hour.');
    const again = await ask(request);
    expect(again.messages[1]).toMatchObject({ action: 'response', status: 'FAILED' });
  });

  it('a reused messageId with other content is a CONFLICT naming the field', async () => {
    const request = query('original');
    await ask(request);
    const error = await ask({ ...request, payload: { content: 'different' } }).catch((e: unknown) => e);
    expect(toProtocolError(error)).toMatchObject({ code: 'CONFLICT', details: { field: 'messageId' } });
  });

  it('when the state machine cannot start: the run is FAILED, its response sent, the session free', async () => {
    h.sfn.on(StartExecutionCommand).rejects(throttling(SFNServiceException));
    const request = query('unlucky');
    const { messages, reply } = h.replies();
    const error = await startQuery(h.deps, alice, request, reply).catch((e: unknown) => e);
    expect(toProtocolError(error).code).toBe('RATE_LIMITED');

    const executionId = executionIdFor(alice.userId, request.messageId);
    const sessionId = newSessionIdFor(alice.userId, request.messageId);
    expect(messages.map((m) => m.action)).toEqual(['ack']);
    expect(await h.deps.executions.get(executionId)).toMatchObject({ status: 'FAILED' });
    expect(await h.deps.locks.get(sessionLockName(sessionId))).toBeUndefined();
    expect((await h.deps.sessions.get(sessionId))?.lastExecutionStatus).toBe('FAILED');
    expect(h.sent).toMatchObject([
      { to: `user:${alice.userId}`, message: { action: 'response', status: 'FAILED' } },
    ]);
  });

  it('when storing the message fails: no ack, the run FAILED only after the other writes settled, the session free', async () => {
    const { messages: store, sessions } = h.deps;
    const append = store.append.bind(store);
    const recordExecution = sessions.recordExecution.bind(sessions);
    // The session's write lands late, after the message's failure: it must not overwrite FAILED.
    store.append = (message) =>
      message.role === 'user' ? Promise.reject(new Error('Messages table unavailable')) : append(message);
    sessions.recordExecution = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return recordExecution(...args);
    };
    try {
      const request = query('unlucky message');
      const { messages, reply } = h.replies();
      const error = await startQuery(h.deps, alice, request, reply).catch((e: unknown) => e);
      expect((error as Error).message).toBe('Messages table unavailable');

      const executionId = executionIdFor(alice.userId, request.messageId);
      const sessionId = newSessionIdFor(alice.userId, request.messageId);
      expect(messages).toEqual([]);
      expect(h.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
      expect(await h.deps.executions.get(executionId)).toMatchObject({ status: 'FAILED' });
      expect((await h.deps.sessions.get(sessionId))?.lastExecutionStatus).toBe('FAILED');
      expect(await h.deps.locks.get(sessionLockName(sessionId))).toBeUndefined();
    } finally {
      store.append = append;
      sessions.recordExecution = recordExecution;
    }
  });

  it('a retry completes a run that crashed after it was recorded but before it started', async () => {
    const request = query('crash before start');
    const executionId = executionIdFor(alice.userId, request.messageId);
    const sessionId = newSessionIdFor(alice.userId, request.messageId);
    await h.deps.sessions.create({ sessionId, userId: alice.userId, tenantId: 'acme', title: 't' });
    await h.deps.locks.acquire(sessionLockName(sessionId), executionId, 60);
    await h.deps.executions.create({
      executionId,
      messageId: request.messageId,
      userId: alice.userId,
      tenantId: 'acme',
      sessionId,
      totalItems: 1,
      startedAt: new Date().toISOString(),
      requestHash: fingerprint({ sessionId: null, payload: request.payload }),
      request: { content: request.payload.content, maxConcurrency: 10 },
    });
    h.sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ $metadata: {}, message: 'no' }));

    const { messages } = await ask(request);
    expect(messages[0]).toMatchObject({ action: 'ack', executionId });
    expect(h.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(await h.deps.items.list(executionId)).toHaveLength(1);
    expect((await h.deps.executions.get(executionId))?.status).toBe('RUNNING');
  });

  it('a retry of a run that started but was not yet marked running leaves its items alone', async () => {
    const request = query('crash after start');
    const first = await ask(request);
    // Put the record back to PENDING and let an item progress, as if markRunning had been lost.
    await h.dynamo.client.send(
      new UpdateCommand({
        TableName: h.dynamo.tableNames.executions,
        Key: { executionId: first.executionId },
        UpdateExpression: 'SET #s = :p',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':p': 'PENDING' },
      }),
    );
    await h.deps.items.markRunning(first.executionId, '1', 'model');
    h.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });

    const again = await ask(request);
    expect(again.messages).toEqual(first.messages);
    expect(h.sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect((await h.deps.items.get(first.executionId, '1'))?.status).toBe('RUNNING');
    expect((await h.deps.executions.get(first.executionId))?.status).toBe('RUNNING');
  });
});

import { randomUUID } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type Caller,
  ConflictError,
  concludeExecution,
  defaultRateLimits,
  executionIdFor,
  RateLimitedError,
  rateLimitsFrom,
  startQuery,
  toProtocolError,
} from '../../src';
import { useChatHarness } from '../fixtures/chat';

/** The limits every test sets for itself (the harness reads them on each check). */
const limits = { queriesPerMinute: 100, concurrentRuns: 100 };
const h = useChatHarness({ limits });
beforeEach(() => {
  Object.assign(limits, { queriesPerMinute: 100, concurrentRuns: 100 });
});

const someone = (): Caller => ({ userId: `user-${randomUUID()}`, tenantId: 'acme' });

function ask(caller: Caller, extra: { sessionId?: string; messageId?: string } = {}) {
  const { messages, reply } = h.replies();
  const request = {
    action: 'query' as const,
    messageId: extra.messageId ?? randomUUID(),
    ...(extra.sessionId && { sessionId: extra.sessionId }),
    payload: { content: 'how many rows does lalonde.csv have?' },
  };
  return startQuery(h.deps, caller, request, reply).then((executionId) => ({
    executionId,
    messages,
    request,
  }));
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

async function tableCount(table: 'executions' | 'sessions' | 'items' | 'messages') {
  const out = await h.dynamo.client.send(new ScanCommand({ TableName: h.dynamo.tableNames[table] }));
  return out.Count ?? 0;
}

describe('queries per minute', () => {
  it('past the limit a query is RATE_LIMITED with retryAfterSeconds, and nothing is written', async () => {
    limits.queriesPerMinute = 2;
    const caller = someone();
    await ask(caller);
    await ask(caller);
    const before = await Promise.all(
      (['executions', 'sessions', 'items', 'messages'] as const).map(tableCount),
    );

    const error = await refusal(ask(caller));
    expect(error).toBeInstanceOf(RateLimitedError);
    const body = toProtocolError(error);
    expect(body).toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 'queriesPerMinute', max: 2 },
    });
    expect(body.message).toMatch(/^You started 2 questions in the last minute, the most allowed; wait \d+ s/);
    expect(body.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(body.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(
      await Promise.all((['executions', 'sessions', 'items', 'messages'] as const).map(tableCount)),
    ).toEqual(before);
    expect(h.sfn.commandCalls(StartExecutionCommand)).toHaveLength(2);
    // Another person is not held back.
    await expect(ask(someone())).resolves.toMatchObject({ executionId: expect.any(String) });
  });

  it('a repeated messageId replays its run and does not count again', async () => {
    limits.queriesPerMinute = 1;
    const caller = someone();
    const first = await ask(caller);
    const again = await ask(caller, { messageId: first.request.messageId });
    expect(again.executionId).toBe(first.executionId);
    expect(again.messages[0]).toMatchObject({ action: 'ack' });
  });
});

describe('runs at once', () => {
  it('past the limit a query is RATE_LIMITED naming the runs in progress; one ending frees a place', async () => {
    limits.concurrentRuns = 2;
    const caller = someone();
    const a = await ask(caller);
    const b = await ask(caller);

    const error = await refusal(ask(caller));
    expect(toProtocolError(error)).toMatchObject({
      code: 'RATE_LIMITED',
      message:
        'You have 2 runs in progress, the most at once; wait for one to finish or cancel one, then ask again.',
      retryAfterSeconds: 15,
      details: {
        limit: 'concurrentRuns',
        max: 2,
        executionIds: expect.arrayContaining([a.executionId, b.executionId]),
      },
    });

    await concludeExecution(h.deps, a.executionId, 'SUCCEEDED', 'done');
    await expect(ask(caller)).resolves.toMatchObject({ executionId: expect.any(String) });
  });

  it('a query refused for another reason gives its place back', async () => {
    limits.concurrentRuns = 2;
    const caller = someone();
    const running = await ask(caller);
    const sessionId = (await h.deps.executions.get(running.executionId))!.sessionId;
    // Same session while it runs: CONFLICT, after the place was claimed.
    expect(await refusal(ask(caller, { sessionId }))).toBeInstanceOf(ConflictError);
    // Had the CONFLICT kept its place, this second run would be refused.
    await expect(ask(caller)).resolves.toMatchObject({ executionId: expect.any(String) });
  });

  it('a run that fails to start gives its place back', async () => {
    limits.concurrentRuns = 1;
    const caller = someone();
    h.sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalError' }));
    const messageId = randomUUID();
    expect(await refusal(ask(caller, { messageId }))).toBeInstanceOf(Error);
    expect(await h.deps.executions.get(executionIdFor(caller.userId, messageId))).toMatchObject({
      status: 'FAILED',
    });
    h.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
    await expect(ask(caller)).resolves.toMatchObject({ executionId: expect.any(String) });
  });
});

describe('the settings', () => {
  it('default to the documented values, and read CASCADE_LIMIT_* when given', () => {
    expect(rateLimitsFrom({})).toEqual(defaultRateLimits);
    expect(defaultRateLimits).toEqual({
      queriesPerMinute: 20,
      concurrentRuns: 5,
      messagesPerMinute: 120,
      connectionsPerUser: 20,
    });
    expect(
      rateLimitsFrom({
        CASCADE_LIMIT_QUERIES_PER_MINUTE: '60',
        CASCADE_LIMIT_CONCURRENT_RUNS: '10',
        CASCADE_LIMIT_MESSAGES_PER_MINUTE: '600',
        CASCADE_LIMIT_CONNECTIONS: '50',
      }),
    ).toEqual({ queriesPerMinute: 60, concurrentRuns: 10, messagesPerMinute: 600, connectionsPerUser: 50 });
  });

  it('refuse a value that is not a positive integer, naming the variable', () => {
    expect(() => rateLimitsFrom({ CASCADE_LIMIT_CONCURRENT_RUNS: '0' })).toThrow(
      'CASCADE_LIMIT_CONCURRENT_RUNS must be an integer from 1 to 100000, not "0".',
    );
    expect(() => rateLimitsFrom({ CASCADE_LIMIT_QUERIES_PER_MINUTE: 'lots' })).toThrow(
      'CASCADE_LIMIT_QUERIES_PER_MINUTE must be an integer',
    );
  });
});

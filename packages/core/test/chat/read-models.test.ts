import { randomUUID } from 'node:crypto';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  concludeExecution,
  getExecution,
  listDatasets,
  listSessions,
  NotFoundError,
  sessionHistory,
  startQuery,
} from '../../src';
import { alice, bob, startChatHarness } from './harness';

let h: Awaited<ReturnType<typeof startChatHarness>>;
beforeAll(async () => {
  h = await startChatHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.sfn.reset();
  h.sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
});

async function run(content: string, sessionId?: string, caller = alice) {
  const request = {
    action: 'query' as const,
    messageId: randomUUID(),
    ...(sessionId && { sessionId }),
    payload: { content },
  };
  const executionId = await startQuery(h.deps, caller, request, async () => undefined);
  return (await h.deps.executions.get(executionId))!;
}

describe('getExecution', () => {
  it('returns the complete state of a run, items included, for a client that reconnects', async () => {
    const execution = await run('profile it');
    await h.deps.items.markRunning(execution.executionId, '1', 'profile');
    const state = await getExecution(h.deps, alice, execution.executionId, 'm-get');
    expect(state).toEqual({
      action: 'execution',
      messageId: 'm-get',
      executionId: execution.executionId,
      sessionId: execution.sessionId,
      status: 'RUNNING',
      totalItems: 1,
      completedItems: 0,
      failedItems: 0,
      startedAt: execution.startedAt,
      // Each item with its question, so a client that reloads shows what is being answered.
      items: [{ id: '1', input: 'profile it', status: 'RUNNING', step: 'profile' }],
      // Nothing asked of a model yet: the run's cost so far is zero, not unknown.
      usage: { inputTokens: 0, outputTokens: 0, modelCalls: 0 },
    });
  });

  it('includes outputs, errors, durations and the final summary once ended', async () => {
    const execution = await run('two things');
    await h.deps.items.markSucceeded(execution.executionId, '1', {
      durationMs: 7,
      output: { text: 'mean is 3' },
    });
    await h.deps.executions.countFinishedItem(execution.executionId, 'succeeded');
    await concludeExecution(h.deps, execution.executionId, 'SUCCEEDED', '**Done**');
    const state = await getExecution(h.deps, alice, execution.executionId);
    expect(state).toMatchObject({
      status: 'SUCCEEDED',
      completedItems: 1,
      summary: '**Done**',
      items: [{ id: '1', status: 'SUCCEEDED', durationMs: 7, output: { text: 'mean is 3' } }],
    });
    expect(state.completedAt).toBeTypeOf('string');
    expect(state).not.toHaveProperty('messageId');
  });

  it("answers NOT_FOUND for another user's execution", async () => {
    const execution = await run('mine');
    await expect(getExecution(h.deps, bob, execution.executionId)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('listSessions and sessionHistory', () => {
  it("lists the caller's sessions, newest first, with their last run's status", async () => {
    const caller = { userId: `lister-${randomUUID()}`, tenantId: 't' };
    const first = await run('first session', undefined, caller);
    await concludeExecution(h.deps, first.executionId, 'PARTIAL', 'half');
    await run('second session', undefined, caller);
    const page = await listSessions(h.deps, caller, { limit: 10 }, 'm1');
    expect(page).toMatchObject({
      action: 'sessions',
      messageId: 'm1',
      sessions: [
        { title: 'second session', lastExecutionStatus: 'RUNNING' },
        { title: 'first session', lastExecutionStatus: 'PARTIAL' },
      ],
    });
    expect(page).not.toHaveProperty('cursor');
    const paged = await listSessions(h.deps, caller, { limit: 1 });
    expect(paged.sessions).toHaveLength(1);
    expect(paged.cursor).toBeTypeOf('string');
  });

  it('returns the conversation oldest first within a page, with a cursor to older messages', async () => {
    const first = await run('question one');
    await concludeExecution(h.deps, first.executionId, 'SUCCEEDED', 'answer one');
    const second = await run('question two', first.sessionId);
    await concludeExecution(h.deps, second.executionId, 'SUCCEEDED', 'answer two');

    const latest = await sessionHistory(h.deps, alice, first.sessionId, { limit: 3 }, 'h1');
    expect(latest.messages.map((m) => m.content)).toEqual(['answer one', 'question two', 'answer two']);
    expect(latest.messages[1]).toMatchObject({ role: 'user', executionId: second.executionId });
    const older = await sessionHistory(h.deps, alice, first.sessionId, { limit: 3, cursor: latest.cursor! });
    expect(older.messages.map((m) => m.content)).toEqual(['question one']);
    expect(older).not.toHaveProperty('cursor');
  });

  it("answers NOT_FOUND for another user's session history", async () => {
    const execution = await run('secret');
    await expect(sessionHistory(h.deps, bob, execution.sessionId, {})).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('listDatasets', () => {
  it('lists the samples and the caller’s own uploads with what the metadata knows', async () => {
    h.s3.on(ListObjectsV2Command, { Prefix: 'samples/' }).resolves({
      Contents: [
        { Key: 'samples/lalonde.csv', Size: 40_000 },
        { Key: 'samples/readme.txt', Size: 10 },
        { Key: 'samples/nested/x.csv', Size: 10 },
      ],
    });
    h.s3.on(ListObjectsV2Command, { Prefix: `users/${alice.userId}/` }).resolves({
      Contents: [{ Key: `users/${alice.userId}/sales.CSV`, Size: 99 }],
    });
    h.s3.on(HeadObjectCommand, { Key: 'samples/lalonde.csv' }).resolves({
      Metadata: { rows: '614', columns: '9', title: 'LaLonde (1986) job training' },
    });
    h.s3
      .on(HeadObjectCommand, { Key: `users/${alice.userId}/sales.CSV` })
      .resolves({ Metadata: { rows: 'n/a' } });

    expect(await listDatasets(h.deps, alice, 'd1')).toEqual({
      action: 'datasets',
      messageId: 'd1',
      datasets: [
        {
          id: 'lalonde.csv',
          name: 'LaLonde (1986) job training',
          sizeBytes: 40_000,
          rows: 614,
          columns: 9,
          sample: true,
        },
        { id: 'sales.CSV', name: 'sales.CSV', sizeBytes: 99, sample: false },
      ],
    });
  });
});

import { randomUUID } from 'node:crypto';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  type Caller,
  concludeExecution,
  type ExecutionState,
  getExecution,
  listDatasets,
  listExecutions,
  listSessions,
  NotFoundError,
  sessionHistory,
  startQuery,
  ValidationError,
} from '../../src';
import { alice, bob, useChatHarness } from '../fixtures/chat';

const h = useChatHarness();

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
      items: [
        {
          id: '1',
          input: 'profile it',
          status: 'RUNNING',
          step: 'profile',
          // Nothing recorded yet: the first step is under way.
          steps: [{ node: 'Parse', outcome: 'running' }],
        },
      ],
      // Nothing asked of a model yet: the run's cost so far is zero, not unknown.
      usage: { inputTokens: 0, outputTokens: 0, modelCalls: 0 },
      // What has run so far, priced: the route that started it, Parse, the Map state.
      cost: expect.objectContaining({ estimate: true, region: 'us-east-1', usd: expect.any(Number) }),
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

describe('listExecutions', () => {
  const someone = (): Caller => ({ userId: `runner-${randomUUID()}`, tenantId: 't' });
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  /** An execution of `caller` started on 1 March 2026 at `minute`, in `state`. */
  async function recorded(caller: Caller, minute: number, state: ExecutionState = 'RUNNING', content = 'q') {
    const executionId = `e-${minute}-${randomUUID()}`;
    await h.deps.executions.create({
      executionId,
      messageId: randomUUID(),
      userId: caller.userId,
      tenantId: caller.tenantId,
      sessionId: `s-${minute}`,
      totalItems: 1,
      startedAt: new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString(),
      requestHash: 'h',
      request: { content, maxConcurrency: 10 },
    });
    if (state === 'RUNNING') await h.deps.executions.markRunning(executionId);
    else if (state !== 'PENDING') await h.deps.executions.finish(executionId, state, `ended ${state}`);
    return executionId;
  }

  /** Every page of the caller's executions in turn, as lists of ids. */
  async function pages(caller: Caller, request: Parameters<typeof listExecutions>[2]) {
    const out: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await listExecutions(h.deps, caller, { ...request, ...(cursor && { cursor }) });
      out.push(page.executions.map((e) => e.executionId));
      cursor = page.cursor;
    } while (cursor);
    return out;
  }

  it('lists the caller’s executions newest first, as clients see them, each with its question', async () => {
    const caller = someone();
    const older = await recorded(caller, 1, 'SUCCEEDED', 'describe lalonde.csv');
    const pending = await recorded(caller, 2, 'PENDING', 'still being accepted');
    const page = await listExecutions(h.deps, caller, {}, 'x1');
    const ended = (await h.deps.executions.get(older))!;
    expect(page).toEqual({
      action: 'executions',
      messageId: 'x1',
      executions: [
        {
          executionId: pending,
          sessionId: 's-2',
          // A run not yet confirmed started is RUNNING to a client, as in `execution`.
          status: 'RUNNING',
          totalItems: 1,
          completedItems: 0,
          failedItems: 0,
          startedAt: '2026-03-01T00:02:00.000Z',
          input: 'still being accepted',
        },
        {
          executionId: older,
          sessionId: 's-1',
          status: 'SUCCEEDED',
          totalItems: 1,
          completedItems: 0,
          failedItems: 0,
          startedAt: '2026-03-01T00:01:00.000Z',
          completedAt: ended.completedAt,
          input: 'describe lalonde.csv',
        },
      ],
    });
  });

  it('lists a question started through query, which writes the attributes the index is keyed by', async () => {
    const caller = someone();
    const execution = await run('how many rows has lalonde.csv?', undefined, caller);
    const page = await listExecutions(h.deps, caller, {});
    expect(page.executions).toEqual([
      expect.objectContaining({
        executionId: execution.executionId,
        sessionId: execution.sessionId,
        status: 'RUNNING',
        input: 'how many rows has lalonde.csv?',
      }),
    ]);
  });

  it('shortens each question as an execution shortens its items’ inputs: 200 characters', async () => {
    const caller = someone();
    await recorded(caller, 1, 'RUNNING', 'x'.repeat(300));
    const [listed] = (await listExecutions(h.deps, caller, {})).executions;
    expect(listed!.input).toBe(`${'x'.repeat(199)}…`);
  });

  it('pages with limit and cursor: every execution once, newest first, the last page without a cursor', async () => {
    const caller = someone();
    const ids: string[] = [];
    for (let minute = 1; minute <= 5; minute++) ids.unshift(await recorded(caller, minute));
    const paged = await pages(caller, { limit: 2 });
    expect(paged).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
  });

  it('answers 20 at a time by default and up to 100 when asked', async () => {
    const caller = someone();
    for (let minute = 1; minute <= 21; minute++) await recorded(caller, minute);
    const first = await listExecutions(h.deps, caller, {});
    expect(first.executions).toHaveLength(20);
    expect(first.cursor).toBeTypeOf('string');
    const all = await listExecutions(h.deps, caller, { limit: 100 });
    expect(all.executions).toHaveLength(21);
    expect(all).not.toHaveProperty('cursor');
  });

  it('filters by status across pages, RUNNING including runs not yet confirmed started', async () => {
    const caller = someone();
    const failed = [await recorded(caller, 1, 'FAILED'), await recorded(caller, 3, 'FAILED')];
    await recorded(caller, 2, 'SUCCEEDED');
    const running = await recorded(caller, 4, 'RUNNING');
    await recorded(caller, 5, 'PARTIAL');
    const pending = await recorded(caller, 6, 'PENDING');
    // A page reads past the newer records of other statuses to fill up.
    const newest = await listExecutions(h.deps, caller, { limit: 1, status: 'FAILED' });
    expect(newest.executions.map((e) => e.executionId)).toEqual([failed[1]]);
    expect((await pages(caller, { limit: 1, status: 'FAILED' })).flat()).toEqual([failed[1], failed[0]]);
    const live = await listExecutions(h.deps, caller, { status: 'RUNNING' });
    expect(live.executions.map((e) => [e.executionId, e.status])).toEqual([
      [pending, 'RUNNING'],
      [running, 'RUNNING'],
    ]);
    expect((await listExecutions(h.deps, caller, { status: 'TIMED_OUT' })).executions).toEqual([]);
  });

  it('a filtered page that finds no match in its reads comes back short, with a cursor that leads on', async () => {
    const caller = someone();
    const aborted = await recorded(caller, 1, 'ABORTED');
    for (let minute = 2; minute <= 16; minute++) await recorded(caller, minute, 'SUCCEEDED');
    const first = await listExecutions(h.deps, caller, { limit: 1, status: 'ABORTED' });
    expect(first.executions).toEqual([]);
    expect(first.cursor).toBeTypeOf('string');
    expect((await pages(caller, { limit: 1, status: 'ABORTED' })).flat()).toEqual([aborted]);
  });

  it('never lists another user’s executions, and refuses their cursor', async () => {
    const mine = someone();
    const theirs = someone();
    const own = await recorded(mine, 1);
    await recorded(theirs, 2);
    await recorded(theirs, 3);
    expect((await pages(mine, {})).flat()).toEqual([own]);
    const { cursor } = await listExecutions(h.deps, theirs, { limit: 1 });
    await expect(listExecutions(h.deps, mine, { cursor: cursor! })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      details: { field: 'payload.cursor' },
    });
  });

  it.each([
    ['not base64 JSON', () => '!!!'],
    ['not an object', () => b64([1, 2])],
    ['a key of the wrong attributes', (caller: Caller) => b64({ userId: caller.userId, updatedAt: '2026' })],
    [
      'a sessions.list cursor of the same user',
      (caller: Caller) => b64({ sessionId: 's', userId: caller.userId, updatedAt: '2026-03-01' }),
    ],
  ])('refuses a cursor that is %s with BAD_REQUEST', async (_name, cursorFor) => {
    const caller = someone();
    await recorded(caller, 1);
    const listing = listExecutions(h.deps, caller, { cursor: cursorFor(caller) });
    await expect(listing).rejects.toBeInstanceOf(ValidationError);
    await expect(listing).rejects.toMatchObject({ details: { field: 'payload.cursor' } });
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

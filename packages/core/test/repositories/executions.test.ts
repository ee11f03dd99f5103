import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamo, type TestDynamo } from '../../../../test/support/dynamo';
import { ExecutionsRepository, isFinal, type NewExecution, NotFoundError } from '../../src';

let dynamo: TestDynamo;
let executions: ExecutionsRepository;
const clock = Date.parse('2026-02-01T10:00:00Z');

beforeAll(async () => {
  dynamo = await startDynamo();
  executions = new ExecutionsRepository({
    client: dynamo.client,
    tableName: dynamo.tableNames.executions,
    now: () => clock,
  });
});
afterAll(() => dynamo.close());

const execution = (executionId: string, overrides: Partial<NewExecution> = {}): NewExecution => ({
  executionId,
  messageId: `m-${executionId}`,
  userId: 'alice',
  tenantId: 't1',
  sessionId: 's1',
  totalItems: 3,
  startedAt: '2026-02-01T10:00:00.000Z',
  requestHash: 'h1',
  request: { content: 'q', maxConcurrency: 10 },
  ...overrides,
});

describe('ExecutionsRepository', () => {
  it('creates an execution as PENDING with zero counters', async () => {
    const { execution: record, created } = await executions.create(execution('e-new'));
    expect(created).toBe(true);
    expect(record).toMatchObject({ status: 'PENDING', completedItems: 0, failedItems: 0 });
    expect(await executions.get('e-new')).toEqual(record);
  });

  it('a second create with the same id returns the first execution and changes nothing', async () => {
    const first = await executions.create(execution('e-idem'));
    const second = await executions.create(execution('e-idem', { requestHash: 'other', totalItems: 9 }));
    expect(second).toEqual({ execution: first.execution, created: false });
  });

  it("answers NOT_FOUND for another user's execution", async () => {
    await executions.create(execution('e-owned'));
    expect((await executions.getOwned('e-owned', 'alice')).executionId).toBe('e-owned');
    await expect(executions.getOwned('e-owned', 'bob')).rejects.toBeInstanceOf(NotFoundError);
    await expect(executions.getOwned('e-none', 'alice')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('moves PENDING → RUNNING once', async () => {
    await executions.create(execution('e-run'));
    expect(await executions.markRunning('e-run')).toBe(true);
    expect(await executions.markRunning('e-run')).toBe(false);
    expect((await executions.get('e-run'))?.status).toBe('RUNNING');
  });

  it.each(['SUCCEEDED', 'PARTIAL', 'FAILED', 'ABORTED', 'TIMED_OUT'] as const)(
    'finish(%s) ends a running execution with its summary and completion time',
    async (status) => {
      const id = `e-${status}`;
      await executions.create(execution(id));
      await executions.markRunning(id);
      const ended = await executions.finish(id, status, `summary ${status}`);
      expect(ended.won).toBe(true);
      expect(ended.execution).toMatchObject({
        status,
        summary: `summary ${status}`,
        completedAt: '2026-02-01T10:00:00.000Z',
      });
      expect(await executions.get(id)).toEqual(ended.execution);
    },
  );

  it('only the first final transition wins: a later one changes nothing and reports false', async () => {
    await executions.create(execution('e-race'));
    await executions.markRunning('e-race');
    const first = await executions.finish('e-race', 'ABORTED', 'cancelled');
    const second = await executions.finish('e-race', 'SUCCEEDED', 'done');
    expect(first.won).toBe(true);
    // The loser learns how the execution did end, from its refused write.
    expect(second).toEqual({ won: false, execution: first.execution });
    expect(await executions.get('e-race')).toMatchObject({ status: 'ABORTED', summary: 'cancelled' });
  });

  it('a missing execution cannot be finished', async () => {
    expect(await executions.finish('e-ghost', 'FAILED', 'x')).toEqual({ won: false, execution: undefined });
    expect(await executions.get('e-ghost')).toBeUndefined();
  });

  it('counts finished items atomically; failures count as finished and as failed', async () => {
    await executions.create(execution('e-count'));
    await Promise.all([
      executions.countFinishedItem('e-count', 'succeeded'),
      executions.countFinishedItem('e-count', 'failed'),
    ]);
    const counts = await executions.countFinishedItem('e-count', 'succeeded');
    expect(counts).toEqual({ totalItems: 3, completedItems: 3, failedItems: 1 });
  });

  it('does not count items of a missing execution', async () => {
    await expect(executions.countFinishedItem('e-nothing', 'succeeded')).rejects.toThrow();
    expect(await executions.get('e-nothing')).toBeUndefined();
  });

  it("lists a user's executions newest first, with a cursor only that user can use", async () => {
    for (let i = 0; i < 3; i++) {
      await executions.create(
        execution(`e-list-${i}`, { userId: 'lister', startedAt: `2026-02-0${i + 1}T00:00:00.000Z` }),
      );
    }
    const first = await executions.listByUser('lister', { limit: 2 });
    expect(first.items.map((e) => e.executionId)).toEqual(['e-list-2', 'e-list-1']);
    const rest = await executions.listByUser('lister', { limit: 2, cursor: first.cursor });
    expect(rest.items.map((e) => e.executionId)).toEqual(['e-list-0']);
    await expect(executions.listByUser('intruder', { cursor: first.cursor })).rejects.toThrow('cursor');
  });

  it('knows which statuses are final', () => {
    expect(isFinal('PENDING')).toBe(false);
    expect(isFinal('RUNNING')).toBe(false);
    expect(isFinal('PARTIAL')).toBe(true);
  });
});

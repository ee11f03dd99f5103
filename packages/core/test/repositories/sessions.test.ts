import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamo, type TestDynamo } from '../../../../test/support/dynamo';
import { ConflictError, NotFoundError, SessionsRepository, ValidationError } from '../../src';

let dynamo: TestDynamo;
let clock = Date.parse('2026-01-01T00:00:00Z');
let sessions: SessionsRepository;

beforeAll(async () => {
  dynamo = await startDynamo();
  sessions = new SessionsRepository({
    client: dynamo.client,
    tableName: dynamo.tableNames.sessions,
    now: () => clock,
  });
});
afterAll(() => dynamo.close());

const newSession = (sessionId: string, userId = 'alice') => ({
  sessionId,
  userId,
  tenantId: 't1',
  title: 'Title',
});

describe('SessionsRepository', () => {
  it('creates a session stamped with the time', async () => {
    const { session, created } = await sessions.create(newSession('s-create'));
    expect(created).toBe(true);
    expect(session).toMatchObject({ sessionId: 's-create', createdAt: '2026-01-01T00:00:00.000Z' });
    expect(await sessions.get('s-create')).toEqual(session);
  });

  it('creating the same session again returns the first one and writes nothing', async () => {
    const first = await sessions.create(newSession('s-again'));
    clock += 1000;
    const second = await sessions.create({ ...newSession('s-again'), title: 'Other' });
    expect(second).toEqual({ session: first.session, created: false });
  });

  it("refuses to take over another user's session id", async () => {
    await sessions.create(newSession('s-taken', 'alice'));
    await expect(sessions.create(newSession('s-taken', 'mallory'))).rejects.toBeInstanceOf(ConflictError);
  });

  it("answers NOT_FOUND for another user's session, exactly as for a missing one", async () => {
    await sessions.create(newSession('s-owned', 'alice'));
    expect((await sessions.getOwned('s-owned', 'alice')).sessionId).toBe('s-owned');
    const other = await sessions.getOwned('s-owned', 'bob').catch((e) => e);
    const missing = await sessions.getOwned('s-missing', 'bob').catch((e) => e);
    expect(other).toBeInstanceOf(NotFoundError);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(other.message).toBe('Session s-owned was not found.');
  });

  it('lists a user’s sessions most recently active first, page by page', async () => {
    for (let i = 0; i < 5; i++) {
      clock += 1000;
      await sessions.create(newSession(`list-${i}`, 'lister'));
    }
    clock += 1000;
    await sessions.recordExecution('list-1', 'e-1', 'RUNNING');
    await sessions.create(newSession('not-mine', 'someone-else'));

    const first = await sessions.listByUser('lister', { limit: 2 });
    expect(first.items.map((s) => s.sessionId)).toEqual(['list-1', 'list-4']);
    expect(first.cursor).toBeTypeOf('string');
    const second = await sessions.listByUser('lister', { limit: 2, cursor: first.cursor });
    expect(second.items.map((s) => s.sessionId)).toEqual(['list-3', 'list-2']);
    const third = await sessions.listByUser('lister', { limit: 2, cursor: second.cursor });
    expect(third.items.map((s) => s.sessionId)).toEqual(['list-0']);
    expect(third.cursor).toBeUndefined();
  });

  it("refuses a cursor that points into another user's sessions", async () => {
    await sessions.create(newSession('c-1', 'carol'));
    await sessions.create(newSession('c-2', 'carol'));
    const { cursor } = await sessions.listByUser('carol', { limit: 1 });
    await expect(sessions.listByUser('dave', { cursor })).rejects.toBeInstanceOf(ValidationError);
    await expect(sessions.listByUser('dave', { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      sessions.listByUser('dave', { cursor: Buffer.from('[1]').toString('base64url') }),
    ).rejects.toThrow('cursor');
  });

  it('records the latest execution and its status', async () => {
    await sessions.create(newSession('s-exec'));
    await sessions.recordExecution('s-exec', 'e-1', 'RUNNING');
    expect(await sessions.recordExecutionStatus('s-exec', 'e-1', 'SUCCEEDED')).toBe(true);
    expect(await sessions.get('s-exec')).toMatchObject({
      lastExecutionId: 'e-1',
      lastExecutionStatus: 'SUCCEEDED',
    });
  });

  it('ignores the status of an execution that is no longer the latest', async () => {
    await sessions.create(newSession('s-old'));
    await sessions.recordExecution('s-old', 'e-1', 'RUNNING');
    await sessions.recordExecution('s-old', 'e-2', 'RUNNING');
    expect(await sessions.recordExecutionStatus('s-old', 'e-1', 'FAILED')).toBe(false);
    expect((await sessions.get('s-old'))?.lastExecutionStatus).toBe('RUNNING');
  });

  it('does not create a session by recording an execution on a missing one', async () => {
    await expect(sessions.recordExecution('s-ghost', 'e-1', 'RUNNING')).rejects.toThrow();
    expect(await sessions.get('s-ghost')).toBeUndefined();
  });
});

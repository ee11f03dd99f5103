import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamo, type TestDynamo } from '../../../../test/support/dynamo';
import { ConnectionsRepository, RateLimitsRepository } from '../../src';

let dynamo: TestDynamo;
let counters: RateLimitsRepository;
let connections: ConnectionsRepository;
// A minute boundary plus 15 s: the window of 60 s started 15 s ago.
let clock = Date.parse('2026-05-01T00:00:15Z');

beforeAll(async () => {
  dynamo = await startDynamo();
  const now = () => clock;
  counters = new RateLimitsRepository({ client: dynamo.client, tableName: dynamo.tableNames.locks, now });
  connections = new ConnectionsRepository({
    client: dynamo.client,
    tableName: dynamo.tableNames.connections,
    now,
  });
});
afterAll(() => dynamo.close());

const item = async (table: 'locks' | 'connections', key: Record<string, string>) =>
  (await dynamo.client.send(new GetCommand({ TableName: dynamo.tableNames[table], Key: key }))).Item;

describe('a fixed window of queries per user', () => {
  it('allows the limit, then refuses until the window ends, saying how long that is', async () => {
    for (let i = 0; i < 3; i++) expect(await counters.countQuery('u1', 3, 60)).toEqual({ allowed: true });
    expect(await counters.countQuery('u1', 3, 60)).toEqual({
      allowed: false,
      retryAfterSeconds: 45,
      count: 3,
    });
    clock += 44_000;
    expect(await counters.countQuery('u1', 3, 60)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock += 1_000; // the next minute
    expect(await counters.countQuery('u1', 3, 60)).toEqual({ allowed: true });
    // Refusals did not count: the new window holds one query.
    expect(await item('locks', { lockName: 'queries#u1' })).toMatchObject({ count: 1 });
  });

  it('is per user', async () => {
    expect(await counters.countQuery('u2', 1, 60)).toEqual({ allowed: true });
    expect((await counters.countQuery('u2', 1, 60)).allowed).toBe(false);
    expect(await counters.countQuery('u3', 1, 60)).toEqual({ allowed: true });
  });

  it('of many concurrent queries, exactly the limit get through', async () => {
    const verdicts = await Promise.all(Array.from({ length: 20 }, () => counters.countQuery('u4', 5, 60)));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
  });

  it('expires with the window after next, by TTL', async () => {
    await counters.countQuery('u5', 5, 60);
    const { expiresAt, window } = (await item('locks', { lockName: 'queries#u5' })) as {
      expiresAt: number;
      window: number;
    };
    expect(expiresAt).toBe(window + 120);
  });
});

describe('a fixed window of messages per connection', () => {
  it("counts on the connection's own row, and refuses past the limit", async () => {
    await connections.put({ connectionId: 'c1', userId: 'u1', tenantId: 't' });
    expect(await connections.countMessage('c1', 2, 60)).toEqual({ allowed: true });
    expect(await connections.countMessage('c1', 2, 60)).toEqual({ allowed: true });
    expect(await connections.countMessage('c1', 2, 60)).toMatchObject({ allowed: false, count: 2 });
    expect(await item('connections', { connectionId: 'c1' })).toMatchObject({
      userId: 'u1',
      messageCount: 2,
    });
  });

  it('a new $connect of the same id starts from nothing', async () => {
    await connections.put({ connectionId: 'c1', userId: 'u1', tenantId: 't' });
    expect(await connections.countMessage('c1', 2, 60)).toEqual({ allowed: true });
  });

  it('never creates a row for a connection it does not know', async () => {
    expect(await connections.countMessage('ghost', 2, 60)).toEqual({ allowed: true });
    expect(await item('connections', { connectionId: 'ghost' })).toBeUndefined();
  });
});

describe("a user's concurrent runs", () => {
  it('are claimed up to the limit; the refusal names the runs in progress', async () => {
    expect(await counters.claimRun('r1', 'e1', 2, 3600)).toEqual({ allowed: true });
    expect(await counters.claimRun('r1', 'e2', 2, 3600)).toEqual({ allowed: true });
    const refused = await counters.claimRun('r1', 'e3', 2, 3600);
    expect(refused).toEqual({ allowed: false, running: expect.arrayContaining(['e1', 'e2']) });
  });

  it('a claim again by the same execution (a retry) is allowed and takes no second place', async () => {
    expect(await counters.claimRun('r1', 'e1', 2, 3600)).toEqual({ allowed: true });
    expect((await counters.claimRun('r1', 'e3', 2, 3600)).allowed).toBe(false);
  });

  it('a release gives the place back, and releasing twice changes nothing', async () => {
    await counters.releaseRun('r1', 'e1');
    await counters.releaseRun('r1', 'e1');
    expect(await counters.claimRun('r1', 'e3', 2, 3600)).toEqual({ allowed: true });
    expect((await counters.claimRun('r1', 'e4', 2, 3600)).allowed).toBe(false);
  });

  it('a claim expires when its time is up, so a run that vanished frees its place', async () => {
    await counters.claimRun('r2', 'old', 1, 60);
    clock += 59_000;
    expect((await counters.claimRun('r2', 'new', 1, 60)).allowed).toBe(false);
    clock += 2_000;
    expect(await counters.claimRun('r2', 'new', 1, 60)).toEqual({ allowed: true });
  });

  it('of many concurrent claims, exactly the limit win, and a release during them is never lost', async () => {
    await counters.claimRun('r3', 'first', 4, 3600);
    const claims = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => counters.claimRun('r3', `e${i}`, 4, 3600)),
      counters.releaseRun('r3', 'first').then(() => ({ allowed: 'release' as const })),
    ]);
    const won = claims.filter((c) => c.allowed === true).length;
    const stored = (await item('locks', { lockName: 'runs#r3' })) as { runs: Record<string, number> };
    // `first` is gone whatever the order; the claims that won are exactly the runs stored.
    expect(Object.keys(stored.runs)).not.toContain('first');
    expect(Object.keys(stored.runs)).toHaveLength(won);
    expect(won).toBeGreaterThanOrEqual(3);
    expect(won).toBeLessThanOrEqual(4);
  });
});

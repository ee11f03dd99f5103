import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamo, type TestDynamo } from '../../../../test/support/dynamo';
import { LocksRepository } from '../../src';

let dynamo: TestDynamo;
let locks: LocksRepository;
let clock = Date.parse('2026-05-01T00:00:00Z');

beforeAll(async () => {
  dynamo = await startDynamo();
  locks = new LocksRepository({
    client: dynamo.client,
    tableName: dynamo.tableNames.locks,
    now: () => clock,
  });
});
afterAll(() => dynamo.close());

describe('LocksRepository', () => {
  it('grants a free lock and refuses it to a second owner, naming the holder', async () => {
    expect((await locks.acquire('l1', 'a', 60)).acquired).toBe(true);
    const second = await locks.acquire('l1', 'b', 60);
    expect(second).toMatchObject({ acquired: false, holder: { owner: 'a' } });
  });

  it('lets the owner take its own lock again (a retry)', async () => {
    await locks.acquire('l2', 'a', 60);
    expect((await locks.acquire('l2', 'a', 60)).acquired).toBe(true);
  });

  it('of many concurrent callers exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => locks.acquire('l3', `o${i}`, 60)));
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
  });

  it('is taken over only once it has expired', async () => {
    await locks.acquire('l4', 'a', 60);
    clock += 59_000;
    expect((await locks.acquire('l4', 'b', 60)).acquired).toBe(false);
    clock += 1_000;
    expect((await locks.acquire('l4', 'b', 60)).acquired).toBe(true);
    expect((await locks.get('l4'))?.owner).toBe('b');
  });

  it('is released by its owner only', async () => {
    await locks.acquire('l5', 'a', 60);
    expect(await locks.release('l5', 'b')).toBe(false);
    expect((await locks.get('l5'))?.owner).toBe('a');
    expect(await locks.release('l5', 'a')).toBe(true);
    expect(await locks.get('l5')).toBeUndefined();
    expect((await locks.acquire('l5', 'b', 60)).acquired).toBe(true);
  });
});

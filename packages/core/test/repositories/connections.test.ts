import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamo, type TestDynamo } from '../../../../test/support/dynamo';
import { ConnectionsRepository, connectionLifetimeSeconds } from '../../src';

let dynamo: TestDynamo;
let connections: ConnectionsRepository;
let clock = Date.parse('2026-04-01T00:00:00Z');

beforeAll(async () => {
  dynamo = await startDynamo();
  connections = new ConnectionsRepository({
    client: dynamo.client,
    tableName: dynamo.tableNames.connections,
    now: () => clock,
  });
});
afterAll(() => dynamo.close());

describe('ConnectionsRepository', () => {
  it('records a connection that expires when API Gateway would close it', async () => {
    const record = await connections.put({ connectionId: 'c1', userId: 'alice', tenantId: 't' });
    expect(record.expiresAt).toBe(clock / 1000 + connectionLifetimeSeconds);
    expect(await connections.get('c1')).toEqual(record);
  });

  it("lists a user's live connections only", async () => {
    await connections.put({ connectionId: 'u-1', userId: 'ursula', tenantId: 't' });
    await connections.put({ connectionId: 'u-2', userId: 'ursula', tenantId: 't' });
    await connections.put({ connectionId: 'v-1', userId: 'victor', tenantId: 't' });
    const ids = (await connections.listByUser('ursula')).map((c) => c.connectionId).sort();
    expect(ids).toEqual(['u-1', 'u-2']);
  });

  it('ignores expired connections even though TTL has not deleted them', async () => {
    await connections.put({ connectionId: 'old', userId: 'wanda', tenantId: 't' });
    clock += (connectionLifetimeSeconds + 1) * 1000;
    await connections.put({ connectionId: 'new', userId: 'wanda', tenantId: 't' });
    expect((await connections.listByUser('wanda')).map((c) => c.connectionId)).toEqual(['new']);
    expect(await connections.get('old')).toBeUndefined();
  });

  it('deletes a connection, and deleting it again is harmless', async () => {
    await connections.put({ connectionId: 'gone', userId: 'xena', tenantId: 't' });
    await connections.delete('gone');
    await connections.delete('gone');
    expect(await connections.listByUser('xena')).toEqual([]);
  });
});

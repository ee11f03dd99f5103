import { ConnectionsRepository } from '@cascade/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as connect } from '../src/ws/connect';
import { handler as disconnect } from '../src/ws/disconnect';
import { connectEvent, startHandlerHarness } from './harness';

let h: Awaited<ReturnType<typeof startHandlerHarness>>;
let connections: ConnectionsRepository;
beforeAll(async () => {
  h = await startHandlerHarness();
  connections = new ConnectionsRepository({
    client: h.dynamo.client,
    tableName: h.dynamo.tableNames.connections,
  });
});
afterAll(() => h.close());

describe('$connect and $disconnect', () => {
  it('$connect records the connection for the signed-in user and answers 200', async () => {
    expect(await connect(connectEvent('conn-1', { userId: 'ann', tenantId: 'acme' }))).toEqual({
      statusCode: 200,
    });
    expect(await connections.get('conn-1')).toMatchObject({ userId: 'ann', tenantId: 'acme' });
  });

  it('$connect without an authorizer context refuses the connection and records nothing', async () => {
    await expect(connect(connectEvent('conn-anon', null))).rejects.toThrow('not signed in');
    expect(await connections.get('conn-anon')).toBeUndefined();
  });

  it('$connect falls back to the user as tenant when the context has none', async () => {
    await connect(connectEvent('conn-2', { userId: 'solo', tenantId: '' }));
    expect((await connections.get('conn-2'))?.tenantId).toBe('solo');
  });

  it('$disconnect forgets the connection', async () => {
    await connect(connectEvent('conn-3', { userId: 'ben' }));
    const event = connectEvent('conn-3', { userId: 'ben' });
    event.requestContext = {
      ...event.requestContext,
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: 1001,
      disconnectReason: 'Going away',
    };
    expect(await disconnect(event)).toEqual({ statusCode: 200 });
    expect(await connections.listByUser('ben')).toEqual([]);
  });
});

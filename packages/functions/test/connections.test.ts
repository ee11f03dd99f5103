import { describe, expect, it } from 'vitest';
import { handler as connect } from '../src/ws/connect';
import { handler as disconnect } from '../src/ws/disconnect';
import { connectEvent, lambdaContext, loadedWith, messageEvent, useHandlerHarness } from './harness';

const h = useHandlerHarness();

describe('$connect and $disconnect', () => {
  it('$connect records the connection for the signed-in user and answers 200', async () => {
    expect(await connect(connectEvent('conn-1', { userId: 'ann', tenantId: 'acme' }))).toEqual({
      statusCode: 200,
    });
    expect(await h.connections.get('conn-1')).toMatchObject({ userId: 'ann', tenantId: 'acme' });
  });

  it('$connect without an authorizer context refuses the connection and records nothing', async () => {
    await expect(connect(connectEvent('conn-anon', null))).rejects.toThrow('not signed in');
    expect(await h.connections.get('conn-anon')).toBeUndefined();
  });

  it('$connect falls back to the user as tenant when the context has none', async () => {
    await connect(connectEvent('conn-2', { userId: 'solo', tenantId: '' }));
    expect((await h.connections.get('conn-2'))?.tenantId).toBe('solo');
  });

  it('$disconnect forgets the connection', async () => {
    await connect(connectEvent('conn-3', { userId: 'ben' }));
    expect(await disconnect(disconnectEvent('conn-3'))).toEqual({ statusCode: 200 });
    expect(await h.connections.listByUser('ben')).toEqual([]);
  });
});

function disconnectEvent(connectionId: string) {
  const event = connectEvent(connectionId, { userId: 'ben' });
  event.requestContext = {
    ...event.requestContext,
    routeKey: '$disconnect',
    eventType: 'DISCONNECT',
    disconnectStatusCode: 1001,
    disconnectReason: 'Going away',
  };
  return event;
}

describe("the connection handlers' log lines", () => {
  it("carry the invocation's Lambda request id, function, cold start and correlation keys, and none reach the next invocation", async () => {
    // Prepare: handlers as a new on-demand Lambda container loads them, logging at INFO.
    const env = { POWERTOOLS_LOG_LEVEL: 'INFO', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' };
    const { modules, lines } = await loadedWith(env, async () => ({
      route: (await import('../src/ws/default')).handler,
      disconnect: (await import('../src/ws/disconnect')).handler,
    }));

    // Act: a message no route takes, then a disconnect in the same container.
    const message = messageEvent('conn-7', { action: 'nope', messageId: 'm-7' }, { userId: 'ann' });
    await modules.route(message, lambdaContext('default', 'req-1'));
    await modules.disconnect(disconnectEvent('conn-8'), lambdaContext('disconnect', 'req-2'));

    // Assess
    const [refused, disconnected] = lines();
    expect(refused).toMatchObject({
      message: 'request refused',
      function_request_id: 'req-1',
      function_name: 'default',
      cold_start: true,
      connectionId: 'conn-7',
      messageId: 'm-7',
    });
    expect(disconnected).toMatchObject({
      message: 'disconnected',
      function_request_id: 'req-2',
      function_name: 'disconnect',
      cold_start: false,
      connectionId: 'conn-8',
    });
    expect(disconnected).not.toHaveProperty('messageId');
  });
});

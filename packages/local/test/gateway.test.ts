import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiGatewayLimits } from '@cascade/core/api-gateway';
import type { WebSocketEvent } from '@cascade/functions/ws/event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type AuthorizerHandler, type GatewayHandlers, WebSocketGateway } from '../src/gateway/websocket';

const route = () => vi.fn(async (_event: WebSocketEvent) => ({ statusCode: 200 }));
const eventOf = (mock: { mock: { calls: unknown[][] } }) =>
  mock.mock.calls[0]![0] as Parameters<AuthorizerHandler>[0];

let server: Server | undefined;
let gateway: WebSocketGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  gateway = undefined;
});

const allow = async (event: Parameters<AuthorizerHandler>[0]) => ({
  principalId: 'user-1',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
  },
  context: { userId: 'user-1', tenantId: 't1', email: 'a@b.c' },
});

async function start(
  handlers: Partial<GatewayHandlers> & { routes?: GatewayHandlers['routes'] } = {},
  limits = {},
) {
  gateway = new WebSocketGateway(
    { authorizer: handlers.authorizer ?? allow, routes: handlers.routes ?? {} },
    {
      ...apiGatewayLimits,
      ...limits,
      stage: 'local',
      apiId: 'api1',
      region: 'us-east-1',
      accountId: '000000000000',
      domainName: 'gw.test',
    },
  );
  server = createServer();
  gateway.attach(server);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server!.address() as AddressInfo).port}/local`;
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error('refused'), { status: res.statusCode })),
    );
    socket.once('error', reject);
  });
}

const closed = (socket: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
const nextMessage = (socket: WebSocket) =>
  new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())));

describe('the WebSocket gateway', () => {
  it('runs the authorizer with a REQUEST event, then $connect with its context, before the upgrade', async () => {
    const authorizer = vi.fn(allow);
    const connect = route();
    const url = await start({ authorizer, routes: { $connect: connect } });
    const socket = await open(`${url}?token=abc&x=1`);
    const authEvent = eventOf(authorizer);
    expect(authEvent).toMatchObject({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:us-east-1:000000000000:api1/local/$connect',
      queryStringParameters: { token: 'abc', x: '1' },
      requestContext: {
        routeKey: '$connect',
        eventType: 'CONNECT',
        stage: 'local',
        domainName: 'gw.test',
        apiId: 'api1',
      },
    });
    const connectEvent = eventOf(connect);
    expect(connectEvent.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      connectionId: authEvent.requestContext.connectionId,
      authorizer: { principalId: 'user-1', userId: 'user-1', tenantId: 't1', email: 'a@b.c' },
    });
    expect(connectEvent.requestContext.connectedAt).toBeTypeOf('number');
    expect(connectEvent.requestContext.requestId).toBeTypeOf('string');
    socket.close();
  });

  it.each([
    ['throws "Unauthorized"', async () => Promise.reject(new Error('Unauthorized')), 401],
    ['denies', async () => ({ principalId: 'x', policyDocument: { Statement: [{ Effect: 'Deny' }] } }), 403],
    ['fails', async () => Promise.reject(new Error('boom')), 500],
  ])('refuses the handshake when the authorizer %s', async (_name, authorizer, status) => {
    const connect = route();
    const url = await start({ authorizer: authorizer as never, routes: { $connect: connect } });
    await expect(open(url)).rejects.toMatchObject({ status });
    expect(connect).not.toHaveBeenCalled();
  });

  it('refuses the handshake when $connect does not answer 2xx, and other paths with 404', async () => {
    const url = await start({ routes: { $connect: async () => ({ statusCode: 403 }) } });
    await expect(open(url)).rejects.toMatchObject({ status: 403 });
    await expect(open(url.replace('/local', '/prod'))).rejects.toMatchObject({ status: 404 });
  });

  it('routes on the body’s action, everything else to $default, with MESSAGE events', async () => {
    const query = route();
    const fallback = route();
    const socket = await open(await start({ routes: { query, $default: fallback } }));
    socket.send(JSON.stringify({ action: 'query', n: 1 }));
    socket.send('not json');
    socket.send(JSON.stringify({ action: 'nope' }));
    socket.send(JSON.stringify({ action: '$connect' }));
    await vi.waitFor(() => expect(fallback).toHaveBeenCalledTimes(3));
    expect(query).toHaveBeenCalledTimes(1);
    const event = eventOf(query);
    expect(event.body).toBe('{"action":"query","n":1}');
    expect(event.requestContext).toMatchObject({
      routeKey: 'query',
      eventType: 'MESSAGE',
      authorizer: { userId: 'user-1' },
    });
    expect(event.requestContext.messageId).toBeTypeOf('string');
    socket.close();
  });

  it('tells the client "Internal server error" when a route throws, and keeps the connection', async () => {
    const socket = await open(
      await start({ routes: { $default: async () => Promise.reject(new Error('bug')) } }),
    );
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    socket.send('x');
    expect(JSON.parse(await nextMessage(socket))).toMatchObject({ message: 'Internal server error' });
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  });

  it('tells the client "Endpoint request timed out" when a route outlives the integration timeout', async () => {
    const socket = await open(
      await start({ routes: { $default: () => new Promise(() => undefined) } }, { integrationTimeoutMs: 50 }),
    );
    socket.send('x');
    expect(JSON.parse(await nextMessage(socket))).toMatchObject({ message: 'Endpoint request timed out' });
    socket.terminate();
  });

  it('closes with 1009 a message over 128 KB even in small frames', async () => {
    const socket = await open(await start({ routes: { $default: async () => ({ statusCode: 200 }) } }));
    const ended = closed(socket);
    const chunk = 'x'.repeat(30 * 1024);
    for (let i = 0; i < 5; i++) socket.send(chunk, { fin: i === 4 });
    expect((await ended).code).toBe(1009);
  });

  it('closes an idle connection, and every connection at its maximum age, with 1001', async () => {
    const disconnect = route();
    const idle = await open(await start({ routes: { $disconnect: disconnect } }, { idleSeconds: 0.2 }));
    expect(await closed(idle)).toEqual({ code: 1001, reason: 'Going away' });
    await vi.waitFor(() => expect(disconnect).toHaveBeenCalled());
    const event = eventOf(disconnect);
    expect(event.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: 1001,
      disconnectReason: 'Going away',
    });
  });

  it('closes a connection at its maximum age even while it is busy', async () => {
    const socket = await open(
      await start({ routes: { $default: async () => ({ statusCode: 200 }) } }, { maxSeconds: 0.3 }),
    );
    const ended = closed(socket);
    const ping = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send('x'), 50);
    expect((await ended).code).toBe(1001);
    clearInterval(ping);
  });

  it('serves the management API: post, describe, delete; 410 GoneException once gone; 413 over 128 KB', async () => {
    let id = '';
    const socket = await open(
      await start({
        routes: {
          $connect: async (event) => {
            id = (event.requestContext as { connectionId: string }).connectionId;
            return { statusCode: 200 };
          },
        },
      }),
    );
    const received = nextMessage(socket);
    expect(gateway!.manage('POST', id, Buffer.from('{"action":"pong"}'))).toEqual({ status: 200 });
    expect(await received).toBe('{"action":"pong"}');
    const info = gateway!.manage('GET', id, Buffer.alloc(0));
    expect(info).toMatchObject({ status: 200, body: { identity: { sourceIp: '127.0.0.1' } } });
    expect(Date.parse((info.body as { connectedAt: string }).connectedAt)).toBeGreaterThan(0);
    expect(gateway!.manage('POST', id, Buffer.alloc(128 * 1024 + 1))).toMatchObject({
      status: 413,
      errorType: 'PayloadTooLargeException',
    });
    const ended = closed(socket);
    expect(gateway!.manage('DELETE', id, Buffer.alloc(0))).toEqual({ status: 204 });
    await ended;
    expect(gateway!.manage('POST', id, Buffer.from('x'))).toMatchObject({
      status: 410,
      errorType: 'GoneException',
    });
    expect(gateway!.manage('POST', randomUUID(), Buffer.from('x'))).toMatchObject({ status: 410 });
  });
});

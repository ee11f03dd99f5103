import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiGatewayLimits } from '@cascade/core/api-gateway';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createEdge } from '../src/edge/router';
import { WebSocketGateway } from '../src/gateway/websocket';
import { webServer } from '../src/web';

/**
 * Requests a web page on any site could send to the local cloud, or a careless client: none of
 * them takes the process down, reads another origin's way into the data, or runs code.
 */

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const webOrigin = 'http://127.0.0.1:4600';
const signed =
  'AWS4-HMAC-SHA256 Credential=local/20261206/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=x';

const gatewayOptions = {
  ...apiGatewayLimits,
  stage: 'local',
  apiId: 'local',
  region: 'us-east-1',
  accountId: '0',
  domainName: 'x',
};

/** Lets every caller in, after `before` resolves. */
const allowAll =
  (before: () => Promise<void> = async () => undefined) =>
  async (event: { methodArn: string }) => {
    await before();
    return {
      principalId: 'u',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
      },
    };
  };

function gateway(
  handlers: ConstructorParameters<typeof WebSocketGateway>[0] = {
    authorizer: async () => ({}) as never,
    routes: {},
  },
) {
  return new WebSocketGateway(handlers, gatewayOptions);
}

/** A gateway on its own port; its WebSocket URL. */
async function listeningGateway(gw: WebSocketGateway): Promise<string> {
  const server = createServer();
  servers.push(server);
  gw.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/local`;
}

/** An edge whose DynamoDB answers as dynalite does, with its own `Access-Control-Allow-Origin: *`. */
async function edge(startTask = vi.fn(async () => undefined)) {
  const dynamodb: RequestListener = (_request, response) => {
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.writeHead(200, {
      'content-type': 'application/x-amz-json-1.0',
      'access-control-expose-headers': 'x',
    });
    response.end('{"Items":[]}');
  };
  const url = await listen(
    createEdge({
      cognito: { url: 'http://127.0.0.1:1', resendCode: async () => 'unknown' },
      gateway: gateway(),
      backend: { dynamodb, s3: dynamodb, stepFunctions: {} as never, functions: {} },
      allowedOrigins: [webOrigin],
      startTask,
    }),
  );
  return { url, startTask };
}

const scan = { 'x-amz-target': 'DynamoDB_20120810.Scan', 'content-type': 'application/x-amz-json-1.0' };

describe('the edge against cross-origin pages', () => {
  it("answers the web client's origin, and gives any other origin no CORS headers at all", async () => {
    const { url } = await edge();
    const own = await fetch(url, { method: 'POST', headers: { ...scan, origin: webOrigin }, body: '{}' });
    expect(own.headers.get('access-control-allow-origin')).toBe(webOrigin);
    const evil = await fetch(url, {
      method: 'POST',
      headers: { ...scan, origin: 'https://evil.example' },
      body: '{}',
    });
    // The emulator's own `*` is gone too, so the browser keeps the page from reading the answer.
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect([...evil.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets only a signed caller post to a connection, never a browser, and survives a broken escape', async () => {
    const { url } = await edge();
    const unsigned = await fetch(`${url}/local/@connections/abc`, {
      method: 'POST',
      body: '{"action":"response"}',
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({ message: 'Missing Authentication Token' });
    const fromPage = await fetch(`${url}/local/@connections/abc`, {
      method: 'POST',
      headers: { authorization: signed, origin: webOrigin },
      body: '{}',
    });
    expect(fromPage.status).toBe(403);
    const broken = await fetch(`${url}/local/@connections/%E0%A4%A`, { headers: { authorization: signed } });
    expect(broken.status).toBe(400);
    const unsignedBroken = await fetch(`${url}/local/@connections/%E0%A4%A`);
    expect(unsignedBroken.status).toBe(403);
    // Still serving.
    expect((await fetch(`${url}/_cascade/health`)).status).toBe(200);
    const gone = await fetch(`${url}/local/@connections/nobody`, { headers: { authorization: signed } });
    expect(gone.status).toBe(410);
  });

  it("starts a task with the job and its token only, never with the caller's other variables", async () => {
    const { url, startTask } = await edge();
    const post = (environment: unknown) =>
      fetch(`${url}/_cascade/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ environment }),
      });
    const hostile = await post({
      JOB_URI: 's3://b/jobs/x.json',
      NODE_OPTIONS: '--import data:text/javascript,0',
    });
    expect(hostile.status).toBe(400);
    expect(await hostile.json()).toEqual({
      message: 'A task takes only TASK_TOKEN and JOB_URI as strings, not NODE_OPTIONS.',
    });
    expect((await post({ JOB_URI: 42 })).status).toBe(400);
    expect((await post(undefined)).status).toBe(400);
    expect(startTask).not.toHaveBeenCalled();
    expect((await post({ JOB_URI: 's3://b/jobs/x.json', TASK_TOKEN: 't' })).status).toBe(202);
    expect(startTask).toHaveBeenCalledWith({ JOB_URI: 's3://b/jobs/x.json', TASK_TOKEN: 't' });
  });
});

describe('the web server against path abuse', () => {
  it('answers a broken escape with 400 and keeps serving; never leaves its directory', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'cascade-web-'));
    writeFileSync(join(directory, 'index.html'), '<!doctype html><title>app</title>');
    const url = await listen(webServer(directory, { region: 'us-east-1' })!);
    expect((await fetch(`${url}/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(`${url}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(200);
    expect(await (await fetch(`${url}/%2e%2e/%2e%2e/etc/passwd`)).text()).toContain('<title>app</title>');
    expect(await (await fetch(`${url}/config.json`)).json()).toEqual({ region: 'us-east-1' });
  });
});

describe('the WebSocket gateway against action names that are not routes', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    '"%s" goes to $default like any unknown action, and the connection stays open',
    async (action) => {
      const fallback = vi.fn(async () => ({ statusCode: 200 }));
      const gw = gateway({ authorizer: allowAll(), routes: { $default: fallback } });
      const socket = new WebSocket(await listeningGateway(gw));
      try {
        await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
        socket.send(JSON.stringify({ action }));
        await vi.waitFor(() => expect(fallback).toHaveBeenCalledTimes(1));
        expect(socket.readyState).toBe(WebSocket.OPEN);
      } finally {
        socket.close();
        await gw.close();
      }
    },
  );
});

describe('the WebSocket gateway while it shuts down', () => {
  it('refuses an upgrade that was being authorized when shutdown began, and one that arrives after, without hanging', async () => {
    let release: () => void = () => undefined;
    const authorizing = new Promise<void>((resolve) => {
      release = resolve;
    });
    const connect = vi.fn(async () => ({ statusCode: 200 }));
    const disconnect = vi.fn(async () => ({ statusCode: 200 }));
    let authorizingStarted = false;
    const gw = gateway({
      authorizer: allowAll(async () => {
        authorizingStarted = true;
        await authorizing;
      }),
      routes: { $connect: connect, $disconnect: disconnect },
    });
    const url = await listeningGateway(gw);
    const statusOf = (socket: WebSocket) =>
      new Promise<number>((resolve) => {
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.once('open', () => resolve(101));
        socket.once('error', () => undefined);
      });

    const early = new WebSocket(url);
    const earlyStatus = statusOf(early);
    await vi.waitFor(() => expect(authorizingStarted).toBe(true));
    const closing = gw.close();
    release();
    expect(await earlyStatus).toBe(503);
    await closing; // resolves: nothing half-open keeps it waiting
    expect(connect).toHaveBeenCalledTimes(1);
    // Its $connect is undone, so no Connections row outlives it.
    expect(disconnect).toHaveBeenCalledTimes(1);
    expect(await statusOf(new WebSocket(url))).toBe(503);
  });
});

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocketEvent, type WebSocketOrigin, webSocketEvent } from '@cascade/functions/ws/event';
import { type WebSocket, WebSocketServer } from 'ws';
import { frameSizeGuard } from './frames';

/** A route's Lambda handler as the gateway calls it. */
export type RouteHandler = (event: WebSocketEvent) => Promise<unknown>;

/** The `$connect` authorizer: a REQUEST authorizer's event is the `$connect` event with its method's ARN. */
export type AuthorizerHandler = (
  event: WebSocketEvent & {
    type: 'REQUEST';
    methodArn: string;
    multiValueHeaders: Record<string, string[]>;
    multiValueQueryStringParameters: Record<string, string[]>;
    stageVariables: Record<string, string>;
  },
) => Promise<unknown>;

export interface GatewayHandlers {
  authorizer: AuthorizerHandler;
  /** `$connect`, `$disconnect`, `$default` and one entry per action. */
  routes: Record<string, RouteHandler>;
}

export interface GatewayOptions {
  stage: string;
  apiId: string;
  region: string;
  accountId: string;
  /** The host name events carry as `domainName`. */
  domainName: string;
  idleSeconds: number;
  maxSeconds: number;
  messageBytes: number;
  frameBytes: number;
  integrationTimeoutMs: number;
}

interface Connection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  authorizer: Record<string, unknown>;
  idle?: NodeJS.Timeout;
  max?: NodeJS.Timeout;
}

const statusText: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

function refuse(socket: Duplex, status: number, message: string, answer?: string) {
  const body = answer ?? JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${statusText[status] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

const identityOf = (connection: Connection) => ({
  sourceIp: connection.sourceIp,
  userAgent: connection.userAgent,
});

const single = (values: Record<string, string | string[] | undefined>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));

/**
 * API Gateway's WebSocket API on a local port: the REQUEST authorizer runs before the upgrade
 * (401 / 403 refusals), `$connect` must answer 2xx, messages route on `$request.body.action`
 * with `$default`, events have API Gateway's shapes, and the limits are API Gateway's (core's
 * apiGatewayLimits: frames and messages over their size close 1009, idle and total durations,
 * the integration timeout).
 */
export class WebSocketGateway {
  /** Set when shutdown begins: upgrades are refused from then on. */
  private closing = false;
  /** Upgrades being authorized or connected: shutdown waits for them to end either way. */
  private readonly upgrading = new Set<Promise<unknown>>();
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<string, Connection>();
  /** Handler invocations under way, so shutdown can wait for them. */
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly handlers: GatewayHandlers,
    private readonly options: GatewayOptions,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.messageBytes });
  }

  attach(server: Server) {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const upgrading = this.upgrade(request, socket, head).catch(() =>
        refuse(socket, 500, 'Internal server error'),
      );
      this.upgrading.add(upgrading);
      void upgrading.finally(() => this.upgrading.delete(upgrading));
    });
  }

  /** Where an event on `connectionId` comes from: its socket's address and agent, or the request's. */
  private origin(connectionId: string, request?: IncomingMessage): WebSocketOrigin {
    const connection = this.connections.get(connectionId);
    return {
      stage: this.options.stage,
      domainName: this.options.domainName,
      apiId: this.options.apiId,
      connectionId,
      connectedAt: connection?.connectedAt ?? Date.now(),
      identity: {
        sourceIp: request?.socket.remoteAddress ?? connection?.sourceIp ?? '127.0.0.1',
        userAgent: request?.headers['user-agent'] ?? connection?.userAgent ?? '',
      },
      ...(connection && { authorizer: connection.authorizer }),
    };
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    // Shutting down: no new connection, whose $connect would run against stores being closed.
    if (this.closing) return refuse(socket, 503, 'Service Unavailable');
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname.replace(/\/$/, '') !== `/${this.options.stage}`) return refuse(socket, 404, 'Not Found');
    const connectionId = randomBytes(12).toString('base64');
    const query: Record<string, string> = {};
    const multiQuery: Record<string, string[]> = {};
    for (const [key, value] of url.searchParams) {
      query[key] = value;
      multiQuery[key] = [...(multiQuery[key] ?? []), value];
    }
    const headers = single(request.headers);
    const connect = webSocketEvent(
      this.origin(connectionId, request),
      { routeKey: '$connect', eventType: 'CONNECT' },
      { headers, queryStringParameters: query },
    );

    let authorizer: Record<string, unknown>;
    try {
      const result = (await this.handlers.authorizer({
        ...connect,
        type: 'REQUEST',
        methodArn: `arn:aws:execute-api:${this.options.region}:${this.options.accountId}:${this.options.apiId}/${this.options.stage}/$connect`,
        multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
        multiValueQueryStringParameters: multiQuery,
        stageVariables: {},
      })) as {
        principalId: string;
        policyDocument: { Statement: { Effect: string }[] };
        context?: Record<string, unknown>;
      };
      if (result.policyDocument.Statement.some((s) => s.Effect !== 'Allow'))
        return refuse(socket, 403, 'Forbidden');
      authorizer = { ...result.context, principalId: result.principalId };
    } catch (error) {
      return (error as Error).message === 'Unauthorized'
        ? refuse(socket, 401, 'Unauthorized')
        : refuse(socket, 500, 'Internal server error');
    }

    const connected = await this.invoke('$connect', {
      ...connect,
      requestContext: { ...connect.requestContext, authorizer },
    });
    const result = connected.result as { statusCode?: number; body?: unknown } | undefined;
    const status = result?.statusCode ?? 200;
    // A refusal by $connect (429 past the connection cap) reaches the client with its own body.
    if (!connected.ok || status < 200 || status > 299)
      return connected.ok
        ? refuse(socket, status, 'Forbidden', typeof result?.body === 'string' ? result.body : undefined)
        : refuse(socket, 500, 'Internal server error');
    // Shutdown began while this one was being authorized: it ends here, not half-open, and its
    // $connect is undone as API Gateway would, with a $disconnect.
    if (this.closing) {
      refuse(socket, 503, 'Service Unavailable');
      await this.invoke(
        '$disconnect',
        webSocketEvent(
          { ...this.origin(connectionId, request), authorizer },
          { routeKey: '$disconnect', eventType: 'DISCONNECT' },
          { headers: {}, disconnectStatusCode: 1001, disconnectReason: 'Going away' },
        ),
      );
      return;
    }

    this.wss.handleUpgrade(request, socket, head, (ws) =>
      this.open(connectionId, ws, request, authorizer, head),
    );
  }

  private open(
    id: string,
    socket: WebSocket,
    request: IncomingMessage,
    authorizer: Record<string, unknown>,
    head: Buffer,
  ) {
    const now = Date.now();
    const connection: Connection = {
      id,
      socket,
      connectedAt: now,
      lastActiveAt: now,
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      userAgent: request.headers['user-agent'] ?? '',
      authorizer,
    };
    this.connections.set(id, connection);
    const guard = frameSizeGuard(this.options.frameBytes, () => socket.close(1009, 'Frame too big'));
    if (head.length > 0) guard(head);
    request.socket.on('data', guard);
    connection.max = setTimeout(() => socket.close(1001, 'Going away'), this.options.maxSeconds * 1000);
    this.touch(connection);
    // Oversize messages and protocol errors close the socket (1009, 1002); nothing else to do.
    socket.on('error', () => undefined);
    socket.on('message', (data, isBinary) => {
      this.touch(connection);
      const body = isBinary ? Buffer.from(data as Buffer).toString('base64') : data.toString();
      void this.message(connection, body, isBinary);
    });
    socket.on('close', (code, reason) => {
      clearTimeout(connection.idle);
      clearTimeout(connection.max);
      this.connections.delete(id);
      // Forgotten already: the event comes from the connection as it was.
      void this.invoke(
        '$disconnect',
        webSocketEvent(
          {
            ...this.origin(id),
            connectedAt: connection.connectedAt,
            identity: identityOf(connection),
            authorizer,
          },
          { routeKey: '$disconnect', eventType: 'DISCONNECT' },
          { headers: {}, disconnectStatusCode: code, disconnectReason: reason.toString() },
        ),
      );
    });
  }

  private touch(connection: Connection) {
    connection.lastActiveAt = Date.now();
    clearTimeout(connection.idle);
    connection.idle = setTimeout(
      () => connection.socket.close(1001, 'Going away'),
      this.options.idleSeconds * 1000,
    );
  }

  /** `$request.body.action`, when the body is JSON naming a route; otherwise `$default`. */
  private routeOf(body: string): string {
    try {
      const action = (JSON.parse(body) as { action?: unknown })?.action;
      // Own keys only: "constructor" or "__proto__" is an unknown action, not a route.
      if (
        typeof action === 'string' &&
        Object.hasOwn(this.handlers.routes, action) &&
        !action.startsWith('$')
      )
        return action;
    } catch {
      // not JSON: $default
    }
    return '$default';
  }

  private async message(connection: Connection, body: string, isBinary: boolean) {
    const routeKey = this.routeOf(body);
    const event = webSocketEvent(
      this.origin(connection.id),
      { routeKey, eventType: 'MESSAGE' },
      { body, isBase64Encoded: isBinary, messageId: randomBytes(12).toString('base64') },
    );
    const outcome = await this.invoke(routeKey, event);
    if (!outcome.ok) {
      // What API Gateway sends a client when the integration fails or is too slow.
      this.send(
        connection.id,
        JSON.stringify({
          message: outcome.timedOut ? 'Endpoint request timed out' : 'Internal server error',
          connectionId: connection.id,
          requestId: event.requestContext.requestId,
        }),
      );
    }
  }

  private async invoke(routeKey: string, event: WebSocketEvent) {
    const handler = this.handlers.routes[routeKey];
    if (!handler) return { ok: true, timedOut: false, result: { statusCode: 200 } };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.integrationTimeoutMs);
    });
    const call = handler(event);
    this.inflight.add(call);
    void call.then(
      () => this.inflight.delete(call),
      () => this.inflight.delete(call),
    );
    try {
      const result = await Promise.race([call, timeout]);
      return result === 'timeout' ? { ok: false, timedOut: true } : { ok: true, timedOut: false, result };
    } catch (error) {
      console.error(`[gateway] ${routeKey} failed:`, error);
      return { ok: false, timedOut: false };
    } finally {
      clearTimeout(timer);
    }
  }

  private send(id: string, text: string): boolean {
    const connection = this.connections.get(id);
    if (!connection || connection.socket.readyState !== connection.socket.OPEN) return false;
    connection.socket.send(text);
    this.touch(connection);
    return true;
  }

  /** The management API (`/{stage}/@connections/{id}`): what the notifier posts to. */
  manage(method: string, id: string, body: Buffer): { status: number; body?: unknown; errorType?: string } {
    const connection = this.connections.get(id);
    if (!connection) return { status: 410, errorType: 'GoneException', body: { message: 'Gone' } };
    if (method === 'POST') {
      if (body.length > this.options.messageBytes) {
        return { status: 413, errorType: 'PayloadTooLargeException', body: { message: 'Message too long' } };
      }
      this.send(id, body.toString('utf8'));
      return { status: 200 };
    }
    if (method === 'GET') {
      return {
        status: 200,
        body: {
          connectedAt: new Date(connection.connectedAt).toISOString(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        },
      };
    }
    if (method === 'DELETE') {
      this.connections.delete(id);
      connection.socket.close(1000, 'Closed by the server');
      return { status: 204 };
    }
    return {
      status: 405,
      errorType: 'MethodNotAllowedException',
      body: { message: `${method} is not supported` },
    };
  }

  /** Drops every connection (their `$disconnect` runs) and waits for handlers still running. */
  async close() {
    this.closing = true;
    const closed = [...this.connections.values()].map(
      (connection) => new Promise((resolve) => connection.socket.once('close', resolve)),
    );
    for (const connection of this.connections.values()) connection.socket.terminate();
    await Promise.all(closed);
    this.wss.close();
    // Handlers (and upgrades under way) get as long as API Gateway would give them, then
    // shutdown goes on without them.
    const deadline = new Promise((resolve) => setTimeout(resolve, this.options.integrationTimeoutMs).unref());
    await Promise.race([Promise.allSettled([...this.upgrading, ...this.inflight]), deadline]);
    await Promise.race([Promise.allSettled([...this.inflight]), deadline]);
  }
}

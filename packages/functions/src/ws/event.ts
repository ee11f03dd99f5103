import { randomUUID } from 'node:crypto';
import { type Caller, UnauthorizedError } from '@cascade/core';

/**
 * API Gateway's WebSocket event, as a route's handler receives it: the parts Cascade reads, and
 * the request's time as API Gateway stamps it. The local gateway builds its events with
 * webSocketEvent below, so they and what the handlers read cannot drift apart.
 */
export interface WebSocketEvent {
  body?: string | null;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
  requestContext: {
    connectionId: string;
    routeKey: string;
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
    stage: string;
    domainName: string;
    apiId?: string;
    requestId: string;
    connectedAt?: number;
    messageId?: string;
    disconnectStatusCode?: number;
    disconnectReason?: string;
    /** What the authorizer returned as context, plus its principalId. */
    authorizer?: Record<string, unknown> | null;
    /** Where the connection comes from (on `$connect`). */
    identity?: { sourceIp?: string; userAgent?: string };
    extendedRequestId?: string;
    requestTime?: string;
    requestTimeEpoch?: number;
    messageDirection?: 'IN';
  };
}

/** Where an event comes from: the API's stage and the connection it arrived on. */
export interface WebSocketOrigin {
  stage: string;
  domainName: string;
  apiId: string;
  connectionId: string;
  connectedAt: number;
  identity: { sourceIp: string; userAgent: string };
  /** What the `$connect` authorizer let the connection in with (absent while it runs). */
  authorizer?: Record<string, unknown>;
}

type Route = Pick<WebSocketEvent['requestContext'], 'routeKey' | 'eventType'>;
type Details = Pick<WebSocketEvent, 'body' | 'isBase64Encoded' | 'headers' | 'queryStringParameters'> &
  Pick<WebSocketEvent['requestContext'], 'messageId' | 'disconnectStatusCode' | 'disconnectReason'>;

/** The event API Gateway hands `route` for a request from `origin`, stamped now with a new request id. */
export function webSocketEvent(origin: WebSocketOrigin, route: Route, details: Details = {}): WebSocketEvent {
  const { body, isBase64Encoded, headers, queryStringParameters, ...context } = details;
  const { authorizer, ...connection } = origin;
  const now = Date.now();
  return {
    ...(headers && { headers }),
    ...(queryStringParameters && { queryStringParameters }),
    ...(body !== undefined && { body }),
    isBase64Encoded: isBase64Encoded ?? false,
    requestContext: {
      ...route,
      ...connection,
      ...context,
      ...(authorizer && { authorizer }),
      requestId: randomUUID(),
      extendedRequestId: randomUUID(),
      requestTime: new Date(now).toUTCString(),
      requestTimeEpoch: now,
      messageDirection: 'IN',
    },
  };
}

export interface WebSocketResult {
  statusCode: number;
  body?: string;
}

export const ok: WebSocketResult = { statusCode: 200 };

/** The caller as the `$connect` authorizer established it; API Gateway repeats it on every route. */
export function callerOf(event: WebSocketEvent): Caller {
  const context = event.requestContext.authorizer;
  const userId = context?.userId;
  if (typeof userId !== 'string' || userId === '') {
    throw new UnauthorizedError('This connection is not signed in; reconnect with a valid token.');
  }
  const tenantId = typeof context?.tenantId === 'string' && context.tenantId ? context.tenantId : userId;
  const email = typeof context?.email === 'string' ? context.email : '';
  return { userId, tenantId, email, via: context?.via === 'apiKey' ? 'apiKey' : 'token' };
}

/** How the authorizer let the connection in, and from where, for the user's list of devices. */
export function connectionOrigin(event: WebSocketEvent) {
  const context = event.requestContext.authorizer;
  const keyId = typeof context?.keyId === 'string' && context.keyId ? context.keyId : undefined;
  const { sourceIp, userAgent } = event.requestContext.identity ?? {};
  return {
    via: context?.via === 'apiKey' ? ('apiKey' as const) : ('token' as const),
    ...(keyId && { keyId }),
    ...(sourceIp && { sourceIp }),
    // A User-Agent is the caller's to choose: kept short enough to list.
    ...(userAgent && { userAgent: userAgent.slice(0, 256) }),
  };
}

/** API Gateway may hand binary frames over base64-encoded. */
export function bodyOf(event: WebSocketEvent): string {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}

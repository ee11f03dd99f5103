import { type Caller, UnauthorizedError } from '@cascade/core';

/** The parts of API Gateway's WebSocket event that Cascade reads. */
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

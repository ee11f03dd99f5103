import { logger, toProtocolError } from '@cascade/core';
import { chatDeps } from '../deps';
import { lambdaHandler } from '../observability';
import { callerOf, connectionOrigin, ok, type WebSocketEvent, type WebSocketResult } from './event';

/**
 * `$connect`: the authorizer has let the caller in; remember the connection so events can reach
 * it, unless the user already has as many open as allowed: then API Gateway refuses the upgrade
 * with this 429.
 */
export const handler = lambdaHandler(
  async (event: WebSocketEvent): Promise<WebSocketResult> => {
    const { connectionId } = event.requestContext;
    const caller = callerOf(event);
    const deps = chatDeps();
    try {
      deps.limits.connection((await deps.connections.listByUser(caller.userId)).length);
    } catch (error) {
      const body = toProtocolError(error);
      if (body.code !== 'RATE_LIMITED') throw error;
      logger.info('connection refused', { code: body.code, details: body.details });
      return { statusCode: 429, body: JSON.stringify(body) };
    }
    await deps.connections.put({
      connectionId,
      userId: caller.userId,
      tenantId: caller.tenantId,
      ...connectionOrigin(event),
    });
    return ok;
  },
  { correlate: ({ requestContext }) => ({ connectionId: requestContext.connectionId }) },
);

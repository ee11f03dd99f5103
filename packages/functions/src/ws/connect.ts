import { withCorrelation } from '@cascade/core';
import { chatDeps } from '../deps';
import { callerOf, ok, type WebSocketEvent, type WebSocketResult } from './event';

/** `$connect`: the authorizer has let the caller in; remember the connection so events can reach it. */
export async function handler(event: WebSocketEvent): Promise<WebSocketResult> {
  const { connectionId } = event.requestContext;
  return withCorrelation({ connectionId }, async () => {
    const caller = callerOf(event);
    await chatDeps().connections.put({ connectionId, userId: caller.userId, tenantId: caller.tenantId });
    return ok;
  });
}

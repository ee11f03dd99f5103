import { logger, withCorrelation } from '@cascade/core';
import { chatDeps } from '../deps';
import { ok, type WebSocketEvent, type WebSocketResult } from './event';

/** `$disconnect`: forget the connection. API Gateway delivers this at most once, and not always. */
export async function handler(event: WebSocketEvent): Promise<WebSocketResult> {
  const { connectionId, disconnectStatusCode, disconnectReason } = event.requestContext;
  return withCorrelation({ connectionId }, async () => {
    await chatDeps().connections.delete(connectionId);
    logger.info('disconnected', { disconnectStatusCode, disconnectReason });
    return ok;
  });
}

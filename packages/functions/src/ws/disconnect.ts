import { logger } from '@cascade/core';
import { chatDeps } from '../deps';
import { lambdaHandler } from '../observability';
import { ok, type WebSocketEvent, type WebSocketResult } from './event';

/** `$disconnect`: forget the connection. API Gateway delivers this at most once, and not always. */
export const handler = lambdaHandler(
  async ({ requestContext }: WebSocketEvent): Promise<WebSocketResult> => {
    const { connectionId, disconnectStatusCode, disconnectReason } = requestContext;
    await chatDeps().connections.delete(connectionId);
    logger.info('disconnected', { disconnectStatusCode, disconnectReason });
    return ok;
  },
  { correlate: ({ requestContext }) => ({ connectionId: requestContext.connectionId }) },
);

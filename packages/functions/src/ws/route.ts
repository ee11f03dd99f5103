import {
  type AnswerTo,
  type Caller,
  type ChatDeps,
  type ClientAction,
  type ClientRequest,
  logger,
  parseClientMessage,
  type ServerMessage,
  toProtocolError,
} from '@cascade/core';
import { chatDeps } from '../deps';
import { lambdaHandler } from '../observability';
import { bodyOf, callerOf, ok, type WebSocketEvent, type WebSocketResult } from './event';

export interface RouteContext {
  caller: Caller;
  deps: ChatDeps;
  connectionId: string;
  /** Sends a message to this connection now (for answers that come in several parts). */
  reply: (message: ServerMessage) => Promise<unknown>;
}

/**
 * What a route handler does with a valid request: return its answer (the protocol's `answerTo`
 * names which), or send it through `reply`.
 */
export type Answer<A extends ClientAction> = (
  request: ClientRequest<A>,
  context: RouteContext,
) => Promise<AnswerTo<A> | undefined>;

function messageIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { messageId?: unknown }).messageId;
    return typeof id === 'string' && id.length <= 128 ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns a route's use case into a Lambda handler: parse and validate the message, call the use
 * case as the signed-in caller, send its answer to the connection, and turn any failure into a
 * protocol `error`. Each message counts towards the connection's rate limit first. A bad message never throws out of here, so the connection always stays open.
 */
export function route<A extends ClientAction>(action: A | '$default', answer: Answer<A>) {
  return lambdaHandler(
    async (event: WebSocketEvent): Promise<WebSocketResult> => {
      const connectionId = event.requestContext.connectionId;
      const body = bodyOf(event);
      const messageId = messageIdOf(body);
      // The message id joins the connection's key here, where the body is read once anyway;
      // lambdaHandler resets both after the invocation.
      if (messageId) logger.appendKeys({ messageId });
      const deps = chatDeps();
      const reply = (message: ServerMessage) => deps.notifier.toConnection(connectionId, message);
      try {
        const caller = callerOf(event);
        // Every message counts, a malformed one too: a flood is refused before it costs anything.
        await deps.limits.message(connectionId);
        const parsed = parseClientMessage(body);
        if (!parsed.ok) {
          const { code, message, details } = parsed;
          logger.info('request refused', { code, details });
          await reply({
            action: 'error',
            ...(messageId && { messageId }),
            code,
            message,
            ...(details && { details }),
          });
          return ok;
        }
        if (parsed.message.action !== action) {
          // API Gateway routes on the action, so this is a deployment without that route.
          logger.error('message reached the wrong route', { route: action, action: parsed.message.action });
          throw new Error(`no route for ${parsed.message.action}`);
        }
        const answered = await answer(parsed.message as ClientRequest<A>, {
          caller,
          deps,
          connectionId,
          reply,
        });
        if (answered) await reply(answered);
      } catch (error) {
        const body = toProtocolError(error);
        if (body.code === 'INTERNAL') logger.error('request failed', { action, error });
        else logger.info('request refused', { action, code: body.code });
        await reply({ action: 'error', ...(messageId && { messageId }), ...body });
      }
      return ok;
    },
    { correlate: (event) => ({ connectionId: event.requestContext.connectionId }) },
  );
}

import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { PayloadTooLargeError } from '../errors';
import { logger } from '../logger';
import { limits } from '../protocol/limits';
import type { ServerMessage } from '../protocol/server';
import type { ConnectionsRepository } from '../repositories/connections';

export type Delivery = 'sent' | 'gone' | 'failed';

export interface UserDelivery {
  sent: number;
  gone: number;
  failed: number;
}

export interface Notifier {
  /** Sends to one connection. A connection that is gone is forgotten and reported, not thrown. */
  toConnection(connectionId: string, message: ServerMessage): Promise<Delivery>;
  /** Sends to every live connection of the user; one dead connection never stops the others. */
  toUser(userId: string, message: ServerMessage): Promise<UserDelivery>;
  /** Closes a connection (API Gateway's DeleteConnection); one already gone counts as closed. */
  disconnect(connectionId: string): Promise<void>;
}

export interface NotifierDeps {
  api: ApiGatewayManagementApiClient;
  connections: Pick<ConnectionsRepository, 'listByUser' | 'delete'>;
  /**
   * How long a user's connections, once read, serve the run's live events (see `liveEvents`).
   * Default 2 s; 0 reads them for every message.
   */
  eventAudienceMaxAgeMs?: number;
  now?: () => number;
}

/**
 * The run's live events: a courtesy the client can do without, since `execution.get` has the
 * truth. A step writes two or three of them within moments, and a batch's items many; they go to
 * the connections read at most `eventAudienceMaxAgeMs` before, instead of one Query each (the
 * biggest share of an item's DynamoDB requests). Everything else — a `response`, an answer to a
 * request — is sent to the connections as they are now.
 */
const liveEvents = new Set<ServerMessage['action']>(['step', 'delta', 'progress']);

const encoder = new TextEncoder();

export function fitsOneMessage(message: ServerMessage): boolean {
  return encoder.encode(JSON.stringify(message)).byteLength <= limits.serverMessageBytes;
}

/** Serializes once and refuses, before any network call, what API Gateway would refuse. */
export function encodeServerMessage(message: ServerMessage): Uint8Array {
  const data = encoder.encode(JSON.stringify(message));
  if (data.byteLength > limits.serverMessageBytes) {
    throw new PayloadTooLargeError(
      `The ${message.action} message is ${data.byteLength} bytes; connections take at most ${limits.serverMessageBytes}.`,
    );
  }
  return data;
}

function isGone(error: unknown): boolean {
  return error instanceof Error && error.name === 'GoneException';
}

export function createNotifier({
  api,
  connections,
  eventAudienceMaxAgeMs = 2_000,
  now = Date.now,
}: NotifierDeps): Notifier {
  /** Each user's connections as last read, and when. */
  const audiences = new Map<string, { readAt: number; connectionIds: string[] }>();

  async function connectionsOf(userId: string, message: ServerMessage): Promise<string[]> {
    const known = audiences.get(userId);
    if (known && liveEvents.has(message.action) && now() - known.readAt < eventAudienceMaxAgeMs)
      return known.connectionIds;
    const readAt = now();
    const connectionIds = (await connections.listByUser(userId)).map((c) => c.connectionId);
    audiences.delete(userId); // re-inserted last: the map stays in least-recently-read order
    audiences.set(userId, { readAt, connectionIds });
    // A warm Lambda container serves many users over its life: keep the recent ones only.
    for (const [id, audience] of audiences) {
      if (audiences.size <= 1_000 && now() - audience.readAt < eventAudienceMaxAgeMs) break;
      audiences.delete(id);
    }
    return connectionIds;
  }

  /** A connection found gone is left out of its user's known audience at once. */
  function forget(connectionId: string) {
    for (const audience of audiences.values())
      audience.connectionIds = audience.connectionIds.filter((id) => id !== connectionId);
  }

  async function post(connectionId: string, data: Uint8Array, action: string): Promise<Delivery> {
    try {
      await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      return 'sent';
    } catch (error) {
      if (isGone(error)) {
        forget(connectionId);
        await connections.delete(connectionId).catch((cause) => {
          logger.warn('could not forget a gone connection', { connectionId, error: cause });
        });
        return 'gone';
      }
      logger.error('could not post to connection', { connectionId, action, error });
      return 'failed';
    }
  }

  return {
    async toConnection(connectionId, message) {
      return post(connectionId, encodeServerMessage(message), message.action);
    },

    async toUser(userId, message) {
      const data = encodeServerMessage(message);
      const targets = await connectionsOf(userId, message);
      const outcomes = await Promise.all(targets.map((id) => post(id, data, message.action)));
      return {
        sent: outcomes.filter((o) => o === 'sent').length,
        gone: outcomes.filter((o) => o === 'gone').length,
        failed: outcomes.filter((o) => o === 'failed').length,
      };
    },

    async disconnect(connectionId) {
      try {
        await api.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      } catch (error) {
        if (!isGone(error)) throw error;
      }
      forget(connectionId);
      await connections.delete(connectionId);
    },
  };
}

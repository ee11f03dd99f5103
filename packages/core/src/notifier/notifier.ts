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
}

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

export function createNotifier({ api, connections }: NotifierDeps): Notifier {
  async function post(connectionId: string, data: Uint8Array, action: string): Promise<Delivery> {
    try {
      await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      return 'sent';
    } catch (error) {
      if (isGone(error)) {
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
      const targets = await connections.listByUser(userId);
      const outcomes = await Promise.all(targets.map((c) => post(c.connectionId, data, message.action)));
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
      await connections.delete(connectionId);
    },
  };
}

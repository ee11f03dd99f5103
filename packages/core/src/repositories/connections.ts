import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../tables';
import { epochSeconds, queryAll, type TableContext } from './dynamo';
import { countInWindow, type Verdict } from './rate-limits';

/** Who opened a connection and how, as `$connect` saw it. */
export interface NewConnection {
  connectionId: string;
  userId: string;
  tenantId: string;
  /** How it signed in: a Cognito ID token, or an API key (`keyId`). */
  via?: 'token' | 'apiKey';
  keyId?: string;
  sourceIp?: string;
  userAgent?: string;
}

export interface ConnectionRecord extends NewConnection {
  connectedAt: string;
  /** Epoch seconds; DynamoDB TTL removes the record lazily, readers ignore it from then on. */
  expiresAt: number;
}

/** API Gateway closes every WebSocket connection after two hours at the latest. */
export const connectionLifetimeSeconds = 2 * 60 * 60;

const table = tables.connections;

export class ConnectionsRepository {
  constructor(private readonly ctx: TableContext) {}

  private nowMs(): number {
    return (this.ctx.now ?? Date.now)();
  }

  async put(input: NewConnection): Promise<ConnectionRecord> {
    const now = this.nowMs();
    const record: ConnectionRecord = {
      ...input,
      connectedAt: new Date(now).toISOString(),
      expiresAt: epochSeconds(now) + connectionLifetimeSeconds,
    };
    await this.ctx.client.send(new PutCommand({ TableName: this.ctx.tableName, Item: record }));
    return record;
  }

  async get(connectionId: string): Promise<ConnectionRecord | undefined> {
    const out = await this.ctx.client.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: { connectionId } }),
    );
    const record = out.Item as ConnectionRecord | undefined;
    return record && record.expiresAt > epochSeconds(this.nowMs()) ? record : undefined;
  }

  /** One more message on the connection, unless `limit` were already sent in this window. */
  countMessage(connectionId: string, limit: number, windowSeconds: number): Promise<Verdict> {
    return countInWindow(
      {
        ctx: this.ctx,
        key: { connectionId },
        windowAttribute: 'messageWindow',
        countAttribute: 'messageCount',
        create: false,
      },
      limit,
      windowSeconds,
    );
  }

  async delete(connectionId: string): Promise<void> {
    await this.ctx.client.send(new DeleteCommand({ TableName: this.ctx.tableName, Key: { connectionId } }));
  }

  /** The user's connections that have not expired (TTL deletion is lazy, so expiry is checked here). */
  listByUser(userId: string): Promise<ConnectionRecord[]> {
    return queryAll<ConnectionRecord>(this.ctx.client, {
      TableName: this.ctx.tableName,
      IndexName: table.indexes[0].name,
      KeyConditionExpression: 'userId = :userId',
      FilterExpression: 'expiresAt > :now',
      ExpressionAttributeValues: { ':userId': userId, ':now': epochSeconds(this.nowMs()) },
    });
  }
}

import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../tables';
import { isConditionFailure, putIfAbsent, queryAll, sendIfConditionHolds, type TableContext } from './dynamo';

/** A personal API key as stored: never the key itself, only its SHA-256 hash. */
export interface ApiKeyRecord {
  keyId: string;
  userId: string;
  tenantId: string;
  email: string;
  name: string;
  /** The key's first characters, shown to tell keys apart (`csk_1a2b3c4d5e6f7a8b`). */
  prefix: string;
  /** SHA-256 of the whole key, hex. */
  hash: string;
  createdAt: string;
  expiresAt?: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

/** `lastUsedAt` is written at most this often: a script connecting in a loop costs no write each time. */
export const lastUsedResolutionMs = 60_000;

const byUser = tables.apiKeys.indexes[0].name;

export class ApiKeysRepository {
  constructor(private readonly ctx: TableContext) {}

  private now(): string {
    return new Date((this.ctx.now ?? Date.now)()).toISOString();
  }

  /** Writes a new key; false if its id is already taken (the caller draws another). */
  put(record: ApiKeyRecord): Promise<boolean> {
    return putIfAbsent(this.ctx, { ...record }, tables.apiKeys.partitionKey.name);
  }

  /** Read strongly: a key revoked a moment ago is revoked now. */
  async get(keyId: string): Promise<ApiKeyRecord | undefined> {
    const out = await this.ctx.client.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: { keyId }, ConsistentRead: true }),
    );
    return out.Item as ApiKeyRecord | undefined;
  }

  /** A user's keys, newest first, revoked and expired ones included. */
  listByUser(userId: string): Promise<ApiKeyRecord[]> {
    return queryAll<ApiKeyRecord>(this.ctx.client, {
      TableName: this.ctx.tableName,
      IndexName: byUser,
      KeyConditionExpression: 'userId = :userId',
      ExpressionAttributeValues: { ':userId': userId },
      ScanIndexForward: false,
    });
  }

  /**
   * Revokes the key, only if it is `owner`'s when an owner is given (an administrator gives none).
   * Revoking a revoked key keeps its first revocation time. Undefined: no such key (of that owner).
   */
  async revoke(keyId: string, owner?: string): Promise<ApiKeyRecord | undefined> {
    try {
      const out = await this.ctx.client.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: { keyId },
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
          ConditionExpression:
            owner === undefined ? 'attribute_exists(keyId)' : 'attribute_exists(keyId) AND userId = :owner',
          ExpressionAttributeValues: { ':now': this.now(), ...(owner !== undefined && { ':owner': owner }) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as ApiKeyRecord;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Records a use, unless one was recorded within the last minute; true if it wrote. */
  touch(keyId: string): Promise<boolean> {
    const nowMs = (this.ctx.now ?? Date.now)();
    return sendIfConditionHolds(
      this.ctx,
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: { keyId },
        UpdateExpression: 'SET lastUsedAt = :now',
        ConditionExpression:
          'attribute_exists(keyId) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :due)',
        ExpressionAttributeValues: {
          ':now': new Date(nowMs).toISOString(),
          ':due': new Date(nowMs - lastUsedResolutionMs).toISOString(),
        },
      }),
    );
  }
}

import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds, sendIfConditionHolds, type TableContext, writeOrFind } from './dynamo';

export interface LockRecord {
  lockName: string;
  owner: string;
  acquiredAt: string;
  /** Epoch seconds. A lock past it is free to take, whether or not TTL has deleted it yet. */
  expiresAt: number;
}

export type AcquireResult = { acquired: true; lock: LockRecord } | { acquired: false; holder: LockRecord };

export class LocksRepository {
  constructor(private readonly ctx: TableContext) {}

  private nowMs(): number {
    return (this.ctx.now ?? Date.now)();
  }

  /**
   * Takes the lock for `owner` when it is free, already the owner's, or expired. Otherwise
   * reports who holds it. One conditional write: two callers can never both win.
   */
  async acquire(lockName: string, owner: string, ttlSeconds: number): Promise<AcquireResult> {
    // No result means the holder released it between our write and our read: it is free, try again.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await this.tryAcquire(lockName, owner, ttlSeconds);
      if (result) return result;
    }
    throw new Error(`Lock ${lockName} kept changing hands; giving up after 3 attempts`);
  }

  private async tryAcquire(
    lockName: string,
    owner: string,
    ttlSeconds: number,
  ): Promise<AcquireResult | undefined> {
    const now = this.nowMs();
    const lock: LockRecord = {
      lockName,
      owner,
      acquiredAt: new Date(now).toISOString(),
      expiresAt: epochSeconds(now) + ttlSeconds,
    };
    const put = await writeOrFind(
      this.ctx,
      new PutCommand({
        TableName: this.ctx.tableName,
        Item: lock,
        ConditionExpression: 'attribute_not_exists(lockName) OR #owner = :owner OR expiresAt <= :now',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner, ':now': epochSeconds(now) },
      }),
      { lockName },
    );
    if (put.written) return { acquired: true, lock };
    return put.found ? { acquired: false, holder: put.found as LockRecord } : undefined;
  }

  /** Releases the lock if `owner` still holds it; someone else's lock is left alone. */
  async release(lockName: string, owner: string): Promise<boolean> {
    return sendIfConditionHolds(
      this.ctx,
      new DeleteCommand({
        TableName: this.ctx.tableName,
        Key: { lockName },
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
  }

  async get(lockName: string): Promise<LockRecord | undefined> {
    const out = await this.ctx.client.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: { lockName }, ConsistentRead: true }),
    );
    return out.Item as LockRecord | undefined;
  }
}

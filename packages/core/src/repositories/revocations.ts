import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from './dynamo';

/**
 * What cuts a user's access before their tokens expire: tokens issued before `revokedBefore` are
 * refused, and while `disabled` is set nothing of theirs is let in (tokens issued later, API keys).
 */
export interface RevocationRecord {
  userId: string;
  /** Epoch seconds: an ID token whose `iat` is earlier was issued before the revocation. */
  revokedBefore?: number;
  /** Set while an administrator has the account disabled. */
  disabled?: boolean;
  updatedAt: string;
}

/**
 * The first whole second after `ms`. A token's `iat` is in whole seconds, so one issued in the
 * very second of the revocation cannot be told from one issued just before it: both are refused,
 * and the person signs in again a second later.
 */
export function revokedBeforeAt(ms: number): number {
  return Math.floor(ms / 1000) + 1;
}

export class RevocationsRepository {
  constructor(private readonly ctx: TableContext) {}

  private nowMs(): number {
    return (this.ctx.now ?? Date.now)();
  }

  /** Read strongly: a revocation counts from the moment it is written. */
  async get(userId: string): Promise<RevocationRecord | undefined> {
    const out = await this.ctx.client.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: { userId }, ConsistentRead: true }),
    );
    return out.Item as RevocationRecord | undefined;
  }

  /** Every token issued until now stops working (sign out everywhere). */
  revokeTokens(userId: string): Promise<RevocationRecord> {
    return this.update(userId, 'SET revokedBefore = :before, updatedAt = :at', {
      ':before': revokedBeforeAt(this.nowMs()),
    });
  }

  /** The account is cut off: its tokens as above, and its API keys, until `restore`. */
  disable(userId: string): Promise<RevocationRecord> {
    return this.update(userId, 'SET revokedBefore = :before, disabled = :disabled, updatedAt = :at', {
      ':before': revokedBeforeAt(this.nowMs()),
      ':disabled': true,
    });
  }

  /** Lifts `disable`; tokens issued before it stay revoked, so the person signs in afresh. */
  restore(userId: string): Promise<RevocationRecord> {
    return this.update(userId, 'SET updatedAt = :at REMOVE disabled', {});
  }

  private async update(
    userId: string,
    expression: string,
    values: Record<string, unknown>,
  ): Promise<RevocationRecord> {
    const out = await this.ctx.client.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: { userId },
        UpdateExpression: expression,
        ExpressionAttributeValues: { ...values, ':at': new Date(this.nowMs()).toISOString() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes as RevocationRecord;
  }
}

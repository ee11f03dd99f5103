import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../errors';
import type { ExecutionStatus } from '../protocol/codes';
import { tables } from '../tables';
import {
  type Page,
  type PageRequest,
  putOrFind,
  queryAll,
  queryPage,
  sendIfConditionHolds,
  type TableContext,
} from './dynamo';

export interface SessionRecord {
  sessionId: string;
  userId: string;
  tenantId: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  lastExecutionId?: string;
  lastExecutionStatus?: ExecutionStatus;
}

export interface NewSession {
  sessionId: string;
  userId: string;
  tenantId: string;
  title: string;
}

const table = tables.sessions;

export class SessionsRepository {
  constructor(private readonly ctx: TableContext) {}

  private now(): string {
    return new Date((this.ctx.now ?? Date.now)()).toISOString();
  }

  /** Creates the session, or returns the caller's existing one with that id (a retried request). */
  async create(input: NewSession): Promise<{ session: SessionRecord; created: boolean }> {
    const at = this.now();
    const session: SessionRecord = { ...input, createdAt: at, updatedAt: at };
    const put = await putOrFind(this.ctx, { ...session }, table.partitionKey.name);
    if (put.written) return { session, created: true };
    const existing = put.found as SessionRecord | undefined;
    if (!existing || existing.userId !== input.userId) {
      throw new ConflictError('That session id is already taken; start a new session.');
    }
    return { session: existing, created: false };
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const out = await this.ctx.client.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: { sessionId }, ConsistentRead: true }),
    );
    return out.Item as SessionRecord | undefined;
  }

  /** Another user's session is reported exactly like a missing one. */
  async getOwned(sessionId: string, userId: string): Promise<SessionRecord> {
    const session = await this.get(sessionId);
    if (!session || session.userId !== userId) throw new NotFoundError(`Session ${sessionId} was not found.`);
    return session;
  }

  /** The user's sessions, most recently active first. */
  listByUser(userId: string, page: PageRequest = {}): Promise<Page<SessionRecord>> {
    return queryPage<SessionRecord>(
      this.ctx,
      {
        IndexName: table.indexes[0].name,
        KeyConditionExpression: 'userId = :userId',
        ExpressionAttributeValues: { ':userId': userId },
      },
      { userId },
      page,
      20,
    );
  }

  /** The user's sessions whose latest run is still going (or was never concluded). */
  listRunning(userId: string): Promise<SessionRecord[]> {
    return queryAll<SessionRecord>(this.ctx.client, {
      TableName: this.ctx.tableName,
      IndexName: table.indexes[0].name,
      KeyConditionExpression: 'userId = :userId',
      FilterExpression: 'lastExecutionStatus = :running',
      ExpressionAttributeValues: { ':userId': userId, ':running': 'RUNNING' },
      ScanIndexForward: false,
    });
  }

  /** Marks the session as active with a new execution. */
  async recordExecution(sessionId: string, executionId: string, status: ExecutionStatus): Promise<void> {
    await this.ctx.client.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: { sessionId },
        UpdateExpression:
          'SET updatedAt = :at, lastExecutionId = :executionId, lastExecutionStatus = :status',
        ConditionExpression: 'attribute_exists(sessionId)',
        ExpressionAttributeValues: { ':at': this.now(), ':executionId': executionId, ':status': status },
      }),
    );
  }

  /** Updates the shown status only while this execution is still the session's latest. */
  async recordExecutionStatus(
    sessionId: string,
    executionId: string,
    status: ExecutionStatus,
  ): Promise<boolean> {
    return sendIfConditionHolds(
      this.ctx,
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: { sessionId },
        UpdateExpression: 'SET lastExecutionStatus = :status, updatedAt = :at',
        ConditionExpression: 'lastExecutionId = :executionId',
        ExpressionAttributeValues: { ':status': status, ':executionId': executionId, ':at': this.now() },
      }),
    );
  }
}

import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../errors';
import type { ExecutionStatus } from '../protocol/codes';
import { tables } from '../tables';
import {
  type Page,
  type PageRequest,
  putOrFind,
  queryPage,
  sendIfConditionHolds,
  setClause,
  type TableContext,
  writeOrFind,
} from './dynamo';

/** PENDING: accepted and recorded, the state machine not yet confirmed started. Clients see RUNNING. */
export type ExecutionState = 'PENDING' | ExecutionStatus;
export type FinalStatus = Exclude<ExecutionStatus, 'RUNNING'>;

export interface ExecutionRequest {
  content: string;
  datasetId?: string;
  maxConcurrency: number;
}

export interface ExecutionRecord {
  executionId: string;
  messageId: string;
  userId: string;
  tenantId: string;
  sessionId: string;
  status: ExecutionState;
  totalItems: number;
  completedItems: number;
  failedItems: number;
  startedAt: string;
  completedAt?: string;
  /** Fingerprint of the request, so a reused messageId with other content is told apart from a retry. */
  requestHash: string;
  request: ExecutionRequest;
  summary?: string;
}

export type NewExecution = Omit<
  ExecutionRecord,
  'status' | 'completedItems' | 'failedItems' | 'completedAt' | 'summary'
>;

export interface ItemCounts {
  totalItems: number;
  completedItems: number;
  failedItems: number;
}

const table = tables.executions;
const [byUser] = table.indexes;

export function isFinal(status: ExecutionState): status is FinalStatus {
  return status !== 'PENDING' && status !== 'RUNNING';
}

export class ExecutionsRepository {
  constructor(private readonly ctx: TableContext) {}

  private now(): string {
    return new Date((this.ctx.now ?? Date.now)()).toISOString();
  }

  /**
   * Records a new execution once. A second call with the same id creates nothing and returns the
   * first record, which is how a repeated messageId finds its execution.
   */
  async create(input: NewExecution): Promise<{ execution: ExecutionRecord; created: boolean }> {
    const execution: ExecutionRecord = { ...input, status: 'PENDING', completedItems: 0, failedItems: 0 };
    const put = await putOrFind(this.ctx, { ...execution }, table.partitionKey.name);
    if (put.written) return { execution, created: true };
    const existing = put.found as ExecutionRecord | undefined;
    if (!existing) throw new Error(`Execution ${input.executionId} vanished after a conflicting create`);
    return { execution: existing, created: false };
  }

  async get(executionId: string): Promise<ExecutionRecord | undefined> {
    const out = await this.ctx.client.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: { executionId }, ConsistentRead: true }),
    );
    return out.Item as ExecutionRecord | undefined;
  }

  /** Another user's execution is reported exactly like a missing one. */
  async getOwned(executionId: string, userId: string): Promise<ExecutionRecord> {
    const execution = await this.get(executionId);
    if (!execution || execution.userId !== userId) {
      throw new NotFoundError(`Execution ${executionId} was not found.`);
    }
    return execution;
  }

  /** The user's executions, newest first; with `states`, only those in one of them. */
  listByUser(
    userId: string,
    page: PageRequest = {},
    states?: ExecutionState[],
  ): Promise<Page<ExecutionRecord>> {
    const stateValues = Object.fromEntries((states ?? []).map((state, i) => [`:state${i}`, state]));
    const filtered = Object.keys(stateValues).length > 0;
    return queryPage<ExecutionRecord>(
      this.ctx,
      {
        IndexName: byUser.name,
        KeyConditionExpression: 'userId = :userId',
        ...(filtered && { FilterExpression: `#status IN (${Object.keys(stateValues).join(', ')})` }),
        ...(filtered && { ExpressionAttributeNames: { '#status': 'status' } }),
        ExpressionAttributeValues: { ':userId': userId, ...stateValues },
      },
      { userId },
      page,
      20,
    );
  }

  /** PENDING → RUNNING once the state machine has started. False if it had already moved on. */
  markRunning(executionId: string): Promise<boolean> {
    return sendIfConditionHolds(this.ctx, this.transition(executionId, ['PENDING'], 'RUNNING', {}));
  }

  /**
   * Moves a live execution to a final status. Only the first caller wins; a retry, or a cancel
   * racing the Finish step, loses and must not announce the end a second time. Either way the
   * write itself returns the execution as it now stands (ALL_NEW, or ALL_OLD when refused).
   */
  async finish(
    executionId: string,
    status: FinalStatus,
    summary: string,
  ): Promise<{ won: boolean; execution: ExecutionRecord | undefined }> {
    const command = this.transition(executionId, ['PENDING', 'RUNNING'], status, {
      summary,
      completedAt: this.now(),
    });
    command.input.ReturnValues = 'ALL_NEW';
    const result = await writeOrFind(this.ctx, command, { executionId });
    return result.written
      ? { won: true, execution: result.attributes as ExecutionRecord }
      : { won: false, execution: result.found as ExecutionRecord | undefined };
  }

  /** The conditional update from one of `from` to `to`. */
  private transition(
    executionId: string,
    from: ExecutionState[],
    to: ExecutionState,
    fields: Partial<ExecutionRecord>,
  ): UpdateCommand {
    const set = setClause({ ...fields, status: to });
    const fromValues = Object.fromEntries(from.map((status, i) => [`:from${i}`, status]));
    return new UpdateCommand({
      TableName: this.ctx.tableName,
      Key: { executionId },
      UpdateExpression: set.expression,
      ConditionExpression: `#status IN (${Object.keys(fromValues).join(', ')})`,
      ExpressionAttributeNames: set.names,
      ExpressionAttributeValues: { ...set.values, ...fromValues },
    });
  }

  /**
   * Counts one finished item with an atomic ADD and returns the counts after it. `completedItems`
   * counts every finished item, `failedItems` those of them that failed, so progress reaches 100 %.
   * Callers count an item only after winning its own conditional transition, so a retry never counts twice.
   */
  async countFinishedItem(executionId: string, outcome: 'succeeded' | 'failed'): Promise<ItemCounts> {
    const out = await this.ctx.client.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: { executionId },
        UpdateExpression: 'ADD completedItems :one, failedItems :failed',
        ConditionExpression: 'attribute_exists(executionId)',
        ExpressionAttributeValues: { ':one': 1, ':failed': outcome === 'failed' ? 1 : 0 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const record = out.Attributes as ExecutionRecord;
    return {
      totalItems: record.totalItems,
      completedItems: record.completedItems,
      failedItems: record.failedItems,
    };
  }
}

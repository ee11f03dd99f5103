import { BatchWriteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ParsedRequest, Timed, Turn } from '../agent/run/transcript';
import type { ItemStatus } from '../protocol/codes';
import type { AnsweredBy, ItemOutput } from '../protocol/server';
import { queryAll, sendIfConditionHolds, setClause, storable, type TableContext } from './dynamo';

export interface ItemRecord {
  executionId: string;
  itemId: string;
  index: number;
  input: string;
  /** Absent on items written before it was (Parse then reads the execution). */
  message?: ItemMessage;
  status: ItemStatus;
  /** The step the item is in now: parse, model, a tool name, append. */
  step?: string;
  startedAt?: string;
  completedAt?: string;
  durationMs?: number;
  error?: string;
  output?: ItemOutput;
  /** Where the output lives when it is too large for the item (an S3 key). */
  outputRef?: string;
  /** What Parse made of the item's question. */
  request?: ParsedRequest;
  /** When Parse ran, and for how long. */
  parsed?: Timed;
  /** Every start of a step, by its trace key (`parse`, `000-model`, `000-tool`): a key twice is a retry. */
  attempts?: string[];
  /** The step a failure stopped the item in (set by RecordFailure, the steps' Catch). */
  failedIn?: string;
  /** Set when that step was the analysis task (RunAnalysis), not the Dispatch Lambda. */
  failedInTask?: boolean;
  /** When the failed step began and how long it ran until the failure, where known. */
  failedStep?: Timed;
  /** The item's transcript, keyed by `turnKey()` so a retried step rewrites its own entry. */
  turns?: Record<string, Turn>;
  /** Which provider (and model) answered, set when the item finishes. */
  answeredBy?: AnsweredBy;
}

/** An item that has finished, successfully or not; nothing moves it again. */
export function isItemFinished(item: Pick<ItemRecord, 'status'>): boolean {
  return item.status === 'SUCCEEDED' || item.status === 'FAILED';
}

export interface NewItem {
  itemId: string;
  index: number;
  input: string;
  /** Set by startQuery for every item; without it Parse reads the execution. */
  message?: ItemMessage;
}

/**
 * What the message said around an item, written with it so Parse need not read the run: the
 * message's content where the item has an input of its own (a batch), and the dataset it chose.
 */
export interface ItemMessage {
  content?: string;
  datasetId?: string;
}

/** DynamoDB's BatchWriteItem limit. */
const batchSize = 25;
const maxBatchAttempts = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ItemsRepository {
  constructor(
    private readonly ctx: TableContext,
    private readonly backoffMs = 50,
  ) {}

  private now(): string {
    return new Date((this.ctx.now ?? Date.now)()).toISOString();
  }

  /** Writes an execution's items as PENDING, 25 to a request, retrying what DynamoDB leaves unprocessed. */
  async createBatch(executionId: string, items: NewItem[]): Promise<void> {
    for (let start = 0; start < items.length; start += batchSize) {
      let requests: Record<string, unknown>[] | undefined = items
        .slice(start, start + batchSize)
        .map((item) => ({ PutRequest: { Item: { executionId, ...item, status: 'PENDING' } } }));
      for (let attempt = 1; requests && requests.length > 0; attempt++) {
        if (attempt > maxBatchAttempts) {
          throw new Error(
            `DynamoDB left ${requests.length} items unwritten after ${maxBatchAttempts} attempts`,
          );
        }
        if (attempt > 1) await sleep(this.backoffMs * 2 ** (attempt - 2));
        const out = await this.ctx.client.send(
          new BatchWriteCommand({ RequestItems: { [this.ctx.tableName]: requests } }),
        );
        requests = out.UnprocessedItems?.[this.ctx.tableName] as Record<string, unknown>[] | undefined;
      }
    }
  }

  async get(executionId: string, itemId: string): Promise<ItemRecord | undefined> {
    const out = await this.ctx.client.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: { executionId, itemId }, ConsistentRead: true }),
    );
    return out.Item as ItemRecord | undefined;
  }

  /** Every item of an execution (at most 500), in input order. */
  async list(executionId: string): Promise<ItemRecord[]> {
    const items = await queryAll<ItemRecord>(this.ctx.client, {
      TableName: this.ctx.tableName,
      KeyConditionExpression: 'executionId = :executionId',
      ExpressionAttributeValues: { ':executionId': executionId },
      ConsistentRead: true,
    });
    return items.sort((a, b) => a.index - b.index);
  }

  /** Puts a pending or running item into `step`; the first call stamps startedAt. False once it has finished. */
  /**
   * The item is in `step` now. `attempt` names the step's run in the trace (`parse`, a turn key):
   * each start is appended to `attempts`, so a step retried after it started counts its retries.
   */
  markRunning(executionId: string, itemId: string, step: string, attempt?: string): Promise<boolean> {
    return this.updateUnfinished(
      executionId,
      itemId,
      { status: 'RUNNING', step },
      { startedAt: this.now() },
      attempt,
    );
  }

  /**
   * Finishes an item successfully. True only for the call that finished it, so a retried step
   * can tell it must not count the item again.
   */
  markSucceeded(
    executionId: string,
    itemId: string,
    result: { durationMs: number; output?: ItemOutput; outputRef?: string; answeredBy?: AnsweredBy },
  ): Promise<boolean> {
    return this.updateUnfinished(executionId, itemId, {
      status: 'SUCCEEDED',
      completedAt: this.now(),
      durationMs: result.durationMs,
      output: storable(result.output),
      outputRef: result.outputRef,
      answeredBy: result.answeredBy,
    });
  }

  /** Finishes an item as failed with a reason a person can read. True only for the call that finished it. */
  markFailed(
    executionId: string,
    itemId: string,
    failure: {
      durationMs: number;
      error: string;
      answeredBy?: AnsweredBy;
      failedIn?: string;
      inTask?: boolean;
      /** When the failed step began and how long it ran, where it is known (a task: from its dispatch). */
      failedStep?: Timed;
    },
  ): Promise<boolean> {
    return this.updateUnfinished(executionId, itemId, {
      status: 'FAILED',
      completedAt: this.now(),
      durationMs: failure.durationMs,
      error: failure.error,
      answeredBy: failure.answeredBy,
      failedIn: failure.failedIn,
      failedInTask: failure.inTask,
      failedStep: failure.failedStep,
    });
  }

  /**
   * Stores Parse's result and when Parse ran (the trace's first step), and starts an empty
   * transcript (kept if one exists: a retried Parse).
   */
  saveRequest(executionId: string, itemId: string, request: ParsedRequest, parsed?: Timed): Promise<boolean> {
    return this.updateUnfinished(executionId, itemId, { request, ...(parsed && { parsed }) }, { turns: {} });
  }

  /** Records one transcript entry; writing the same key again replaces it, so retries add nothing. */
  async putTurn(executionId: string, itemId: string, key: string, turn: Turn): Promise<boolean> {
    return sendIfConditionHolds(
      this.ctx,
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: { executionId, itemId },
        UpdateExpression: 'SET turns.#key = :turn',
        ConditionExpression: 'attribute_exists(turns) AND #status IN (:pending, :running)',
        ExpressionAttributeNames: { '#key': key, '#status': 'status' },
        ExpressionAttributeValues: { ':turn': storable(turn), ':pending': 'PENDING', ':running': 'RUNNING' },
      }),
    );
  }

  /** Applies an update to an item that has not finished yet. */
  private async updateUnfinished(
    executionId: string,
    itemId: string,
    fields: Partial<ItemRecord>,
    ifAbsent: Partial<ItemRecord> = {},
    attempt?: string,
  ): Promise<boolean> {
    const set = setClause(fields, ifAbsent);
    const attempts: { expression: string; names: Record<string, string>; values: Record<string, unknown> } =
      attempt
        ? {
            expression: ', #attempts = list_append(if_not_exists(#attempts, :noAttempts), :attempt)',
            names: { '#attempts': 'attempts' },
            values: { ':noAttempts': [], ':attempt': [attempt] },
          }
        : { expression: '', names: {}, values: {} };
    return sendIfConditionHolds(
      this.ctx,
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: { executionId, itemId },
        UpdateExpression: set.expression + attempts.expression,
        ConditionExpression: 'attribute_exists(itemId) AND #status IN (:pending, :running)',
        ExpressionAttributeNames: { ...set.names, ...attempts.names, '#status': 'status' },
        ExpressionAttributeValues: {
          ...set.values,
          ...attempts.values,
          ':pending': 'PENDING',
          ':running': 'RUNNING',
        },
      }),
    );
  }
}

import { ConditionalCheckFailedException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  createDocumentClient,
  ExecutionsRepository,
  ItemsRepository,
  LocksRepository,
  MessagesRepository,
  type NewExecution,
  RateLimitsRepository,
  SessionsRepository,
} from '../../src';

/** Faults a real table rarely shows on demand: throttling, unprocessed batches, races. */
const client = createDocumentClient({ region: 'us-east-1' });
const dynamo = mockClient(client);
afterEach(() => dynamo.reset());

const ctx = { client, tableName: 't' };
const throttled = () =>
  new DynamoDBServiceException({
    name: 'ProvisionedThroughputExceededException',
    $fault: 'client',
    $metadata: {},
    message: 'slow down',
  });
const conditionFailed = () => new ConditionalCheckFailedException({ $metadata: {}, message: 'condition' });
/** What DynamoDB answers a write asked for ALL_OLD: the item its condition failed on, still marshalled. */
const conditionFailedOn = (item: Record<string, unknown>) =>
  new ConditionalCheckFailedException({
    $metadata: {},
    message: 'condition',
    Item: marshall(item) as ConditionalCheckFailedException['Item'],
  });

const newExecution: NewExecution = {
  executionId: 'e',
  messageId: 'm',
  userId: 'u',
  tenantId: 't',
  sessionId: 's',
  totalItems: 1,
  startedAt: 'now',
  requestHash: 'h',
  request: { content: 'x', maxConcurrency: 1 },
};
const newSession = { sessionId: 's', userId: 'u', tenantId: 't', title: 'x' };

describe('repositories under DynamoDB faults', () => {
  it('retry what BatchWriteItem leaves unprocessed until everything is written', async () => {
    const unprocessed = [{ PutRequest: { Item: { itemId: 'a' } } }];
    dynamo
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { t: unprocessed } })
      .resolvesOnce({ UnprocessedItems: { t: unprocessed } })
      .resolves({});
    await new ItemsRepository(ctx, 1).createBatch('e', [{ itemId: 'a', index: 0, input: 'x' }]);
    const calls = dynamo.commandCalls(BatchWriteCommand);
    expect(calls).toHaveLength(3);
    expect(calls[2]!.args[0].input.RequestItems?.t).toEqual(unprocessed);
  });

  it('give up with an error when DynamoDB keeps leaving items unprocessed', async () => {
    dynamo.on(BatchWriteCommand).resolves({ UnprocessedItems: { t: [{ PutRequest: { Item: {} } }] } });
    await expect(
      new ItemsRepository(ctx, 0).createBatch('e', [{ itemId: 'a', index: 0, input: 'x' }]),
    ).rejects.toThrow('left 1 items unwritten after 8 attempts');
  });

  it('pass on errors other than a failed condition instead of hiding them', async () => {
    dynamo.on(PutCommand).rejects(throttled());
    dynamo.on(UpdateCommand).rejects(throttled());
    dynamo.on(DeleteCommand).rejects(throttled());
    const attempts = [
      new SessionsRepository(ctx).create(newSession),
      new SessionsRepository(ctx).recordExecutionStatus('s', 'e', 'FAILED'),
      new MessagesRepository(ctx).append({
        sessionId: 's',
        messageId: 'm',
        role: 'user',
        content: 'x',
        createdAt: 'now',
      }),
      new ExecutionsRepository(ctx).create(newExecution),
      new ExecutionsRepository(ctx).markRunning('e'),
      new ItemsRepository(ctx).markFailed('e', 'i', { durationMs: 1, error: 'x' }),
      new LocksRepository(ctx).acquire('l', 'o', 60),
      new LocksRepository(ctx).release('l', 'o'),
      new ItemsRepository(ctx).putTurn('e', 'i', 'k', {
        kind: 'model',
        turn: 0,
        decision: { kind: 'final', text: 'x' },
      }),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toThrow('slow down');
  });

  it('page through every query page when listing an execution’s items', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ itemId: 'b', index: 1 }],
        LastEvaluatedKey: { executionId: 'e', itemId: 'b' },
      })
      .resolves({ Items: [{ itemId: 'a', index: 0 }] });
    const items = await new ItemsRepository(ctx).list('e');
    expect(items.map((i) => i.itemId)).toEqual(['a', 'b']);
    expect(dynamo.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({
      executionId: 'e',
      itemId: 'b',
    });
  });

  it('retry a lock whose holder let go between the write and the read, and give up if it keeps changing hands', async () => {
    dynamo.on(PutCommand).rejectsOnce(conditionFailed()).resolves({});
    dynamo.on(GetCommand).resolves({});
    expect((await new LocksRepository(ctx).acquire('l', 'o', 60)).acquired).toBe(true);

    dynamo.reset();
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({});
    await expect(new LocksRepository(ctx).acquire('l', 'o', 60)).rejects.toThrow('kept changing hands');
  });

  it('treat a session id that vanished after a conflicting create as taken', async () => {
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({});
    await expect(new SessionsRepository(ctx).create(newSession)).rejects.toBeInstanceOf(ConflictError);
  });

  it('say so when an execution vanished after a conflicting create', async () => {
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({});
    await expect(new ExecutionsRepository(ctx).create(newExecution)).rejects.toThrow('vanished');
  });
});

describe('a refused conditional write, on DynamoDB that returns the item (ALL_OLD)', () => {
  /** What the last request asked for should its condition fail. */
  const askedOnFailure = () =>
    (dynamo.send.lastCall.args[0].input as { ReturnValuesOnConditionCheckFailure?: string })
      .ReturnValuesOnConditionCheckFailure;

  it('a repeated create returns the stored execution from the exception, with no second read', async () => {
    const stored = { ...newExecution, status: 'RUNNING', completedItems: 1, failedItems: 0 };
    dynamo.on(PutCommand).rejects(conditionFailedOn(stored));
    expect(await new ExecutionsRepository(ctx).create(newExecution)).toEqual({
      execution: stored,
      created: false,
    });
    expect(askedOnFailure()).toBe('ALL_OLD');
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });

  it("a session id another user holds is CONFLICT, told from the exception's item", async () => {
    dynamo.on(PutCommand).rejects(conditionFailedOn({ ...newSession, userId: 'other' }));
    await expect(new SessionsRepository(ctx).create(newSession)).rejects.toBeInstanceOf(ConflictError);
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('a run that already ended comes back from the refused finish, with no second read', async () => {
    const ended = {
      ...newExecution,
      status: 'ABORTED',
      summary: 'cancelled',
      completedItems: 0,
      failedItems: 0,
    };
    dynamo.on(UpdateCommand).rejects(conditionFailedOn(ended));
    expect(await new ExecutionsRepository(ctx).finish('e', 'SUCCEEDED', 'done')).toEqual({
      won: false,
      execution: ended,
    });
    expect(askedOnFailure()).toBe('ALL_OLD');
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('a held lock names its holder from the exception, with no second read', async () => {
    const holder = { lockName: 'l', owner: 'someone', acquiredAt: 'then', expiresAt: 9_999_999_999 };
    dynamo.on(PutCommand).rejects(conditionFailedOn(holder));
    expect(await new LocksRepository(ctx).acquire('l', 'o', 60)).toEqual({ acquired: false, holder });
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });

  it("a full window's refusal reads its count from the last write's exception", async () => {
    const now = Date.parse('2026-02-01T10:00:30Z');
    dynamo
      .on(UpdateCommand)
      .rejectsOnce(conditionFailed())
      .rejectsOnce(conditionFailed())
      .rejects(conditionFailedOn({ lockName: 'queries#u', window: 1769940000, count: 7 }));
    const verdict = await new RateLimitsRepository({ ...ctx, now: () => now }).countQuery('u', 7, 60);
    expect(verdict).toEqual({ allowed: false, retryAfterSeconds: 30, count: 7 });
    expect(askedOnFailure()).toBe('ALL_OLD');
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
  });
});

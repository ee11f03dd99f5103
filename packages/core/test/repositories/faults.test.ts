import { ConditionalCheckFailedException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  createDocumentClient,
  ExecutionsRepository,
  ItemsRepository,
  LocksRepository,
  MessagesRepository,
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
      new SessionsRepository(ctx).create({ sessionId: 's', userId: 'u', tenantId: 't', title: 'x' }),
      new SessionsRepository(ctx).recordExecutionStatus('s', 'e', 'FAILED'),
      new MessagesRepository(ctx).append({
        sessionId: 's',
        messageId: 'm',
        role: 'user',
        content: 'x',
        createdAt: 'now',
      }),
      new ExecutionsRepository(ctx).create({
        executionId: 'e',
        messageId: 'm',
        userId: 'u',
        tenantId: 't',
        sessionId: 's',
        totalItems: 1,
        startedAt: 'now',
        requestHash: 'h',
        request: { content: 'x', maxConcurrency: 1 },
      }),
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
    await expect(
      new SessionsRepository(ctx).create({ sessionId: 's', userId: 'u', tenantId: 't', title: 'x' }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('say so when an execution vanished after a conflicting create', async () => {
    dynamo.on(PutCommand).rejects(conditionFailed());
    dynamo.on(GetCommand).resolves({});
    const create = new ExecutionsRepository(ctx).create({
      executionId: 'e',
      messageId: 'm',
      userId: 'u',
      tenantId: 't',
      sessionId: 's',
      totalItems: 1,
      startedAt: 'now',
      requestHash: 'h',
      request: { content: 'x', maxConcurrency: 1 },
    });
    await expect(create).rejects.toThrow('vanished');
  });
});

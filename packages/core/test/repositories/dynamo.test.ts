import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDynamo, type TestDynamo } from '../../../../test/support/dynamo';
import { ItemsRepository, putOrFind } from '../../src';

let dynamo: TestDynamo;
let items: ItemsRepository;

beforeAll(async () => {
  dynamo = await startDynamo('numbers');
  items = new ItemsRepository({ client: dynamo.client, tableName: dynamo.tableNames.items });
});
afterAll(() => dynamo.close());

describe('the document client', () => {
  it('stores and reads back doubles beyond 2^53 (a profile of a column like 7.46e21) exactly', async () => {
    // Prepare: an item output whose table holds numbers no safe integer can.
    const huge = [7.46e21, -7.46e21, 2 ** 53 + 2, -1.5e125, 1.5e-120, 0.1 + 0.2];
    const output = { text: 'max 7.46e21', tables: [{ columns: ['value'], rows: huge.map((v) => [v]) }] };
    await items.createBatch('e-huge', [{ itemId: 'item-0', index: 0, input: 'profile' }]);

    // Act
    const written = await items.markSucceeded('e-huge', 'item-0', { durationMs: 5, output });
    const read = await items.get('e-huge', 'item-0');

    // Assess: every number comes back as the same double, and small numbers stay plain numbers.
    expect(written).toBe(true);
    expect(read?.output).toEqual(output);
    expect(read?.output?.tables?.[0]?.rows.map(([v]) => Object.is(v, huge.shift()))).toEqual(
      Array(6).fill(true),
    );
    expect(typeof read?.durationMs).toBe('number');
  });

  it('reads numbers as numbers, not BigInt, whatever their size', async () => {
    const { Item } = await dynamo.client.send(
      new GetCommand({
        TableName: dynamo.tableNames.items,
        Key: { executionId: 'e-huge', itemId: 'item-0' },
      }),
    );
    expect(typeof Item?.index).toBe('number');
    expect(Item?.output.tables[0].rows[0][0]).toBe(7.46e21);
  });
});

describe('numbers beyond what DynamoDB can hold', () => {
  it('records an analysis whose p-value is below 1e-130 (as 0) or whose value is 1e130 or more (as text)', async () => {
    // Prepare: a comparison on a million rows can have p = 1e-200; DynamoDB refuses it as a number.
    const output = {
      text: 'p < 0.001',
      tables: [{ columns: ['p', 'huge', 'fine'], rows: [[1e-200, 3.2e140, 0.049]] }],
    };
    const turn = {
      kind: 'tool' as const,
      turn: 0,
      toolUseId: 't',
      name: 'compare_groups',
      ok: true,
      observation: '{}',
      output,
    };
    await items.createBatch('e-tiny', [{ itemId: 'item-0', index: 0, input: 'compare' }]);
    await items.saveRequest('e-tiny', 'item-0', { text: 'compare', intent: 'compare' });

    // Act
    const recorded = await items.putTurn('e-tiny', 'item-0', '000-tool', turn);
    const finished = await items.markSucceeded('e-tiny', 'item-0', { durationMs: 1, output });
    const read = await items.get('e-tiny', 'item-0');

    // Assess
    expect(recorded).toBe(true);
    expect(finished).toBe(true);
    expect(read?.output?.tables?.[0]?.rows).toEqual([[0, '3.2e+140', 0.049]]);
    expect(read?.turns?.['000-tool']).toMatchObject({
      output: { tables: [{ rows: [[0, '3.2e+140', 0.049]] }] },
    });
  });
});

describe('a refused conditional write on dynalite (the local cloud and these tests)', () => {
  it('comes back without the item, though asked for ALL_OLD, so writeOrFind reads it instead', async () => {
    // Prepare: an item whose key the next put may not take.
    const ctx = { client: dynamo.client, tableName: dynamo.tableNames.locks };
    const held = { lockName: 'all-old', owner: 'first', acquiredAt: 'then', expiresAt: 1, huge: 7.46e21 };
    expect(await putOrFind(ctx, held, 'lockName')).toEqual({ written: true });
    const send = vi.spyOn(dynamo.client, 'send');

    // Act: the raw exception, then the helper.
    const refused = await dynamo.client
      .send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: { ...held, owner: 'second' },
          ConditionExpression: 'attribute_not_exists(lockName)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((error: unknown) => error);
    send.mockClear();
    const again = await putOrFind(ctx, { ...held, owner: 'second' }, 'lockName');

    // Assess: dynalite drops the parameter (real DynamoDB answers with the item); one read makes up for it.
    expect(refused).toBeInstanceOf(ConditionalCheckFailedException);
    expect((refused as ConditionalCheckFailedException).Item).toBeUndefined();
    expect(again).toEqual({ written: false, found: held });
    expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual([
      'PutCommand',
      'GetCommand',
    ]);
    send.mockRestore();
  });
});

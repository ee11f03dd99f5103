import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamo, type TestDynamo } from '../../../../test/support/dynamo';
import { ItemsRepository } from '../../src';

let dynamo: TestDynamo;
let items: ItemsRepository;
let clock = Date.parse('2026-03-01T00:00:00Z');

beforeAll(async () => {
  dynamo = await startDynamo();
  items = new ItemsRepository({
    client: dynamo.client,
    tableName: dynamo.tableNames.items,
    now: () => clock,
  });
});
afterAll(() => dynamo.close());

const newItems = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ itemId: `item-${i}`, index: i, input: `in ${i}` }));

describe('ItemsRepository', () => {
  it('writes a 60-item batch in 25-item requests and lists it back in input order', async () => {
    await items.createBatch('e-batch', newItems(60));
    const listed = await items.list('e-batch');
    expect(listed).toHaveLength(60);
    expect(listed.map((i) => i.index)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(listed.every((i) => i.status === 'PENDING')).toBe(true);
  });

  it('marks an item running and keeps the first start time across steps', async () => {
    await items.createBatch('e-run', newItems(1));
    expect(await items.markRunning('e-run', 'item-0', 'parse')).toBe(true);
    clock += 5000;
    expect(await items.markRunning('e-run', 'item-0', 'model')).toBe(true);
    expect(await items.get('e-run', 'item-0')).toMatchObject({
      status: 'RUNNING',
      step: 'model',
      startedAt: '2026-03-01T00:00:00.000Z',
    });
  });

  it('finishes an item once: a retried success reports false and changes nothing', async () => {
    await items.createBatch('e-ok', newItems(1));
    const output = { text: 'mean 3.2', tables: [{ columns: ['a'], rows: [[1]] }] };
    expect(await items.markSucceeded('e-ok', 'item-0', { durationMs: 120, output })).toBe(true);
    expect(await items.markSucceeded('e-ok', 'item-0', { durationMs: 999, output: { text: 'again' } })).toBe(
      false,
    );
    expect(await items.markFailed('e-ok', 'item-0', { durationMs: 1, error: 'late' })).toBe(false);
    expect(await items.get('e-ok', 'item-0')).toMatchObject({ status: 'SUCCEEDED', durationMs: 120, output });
  });

  it('can point at an output stored elsewhere', async () => {
    await items.createBatch('e-ref', newItems(1));
    await items.markSucceeded('e-ref', 'item-0', { durationMs: 3, outputRef: 'outputs/e-ref/item-0.json' });
    expect((await items.get('e-ref', 'item-0'))?.outputRef).toBe('outputs/e-ref/item-0.json');
  });

  it('records a failure with its reason and duration', async () => {
    await items.createBatch('e-fail', newItems(1));
    await items.markRunning('e-fail', 'item-0', 'profile');
    expect(
      await items.markFailed('e-fail', 'item-0', { durationMs: 42, error: 'The column "x" does not exist.' }),
    ).toBe(true);
    expect(await items.get('e-fail', 'item-0')).toMatchObject({
      status: 'FAILED',
      durationMs: 42,
      error: 'The column "x" does not exist.',
    });
    expect(await items.markRunning('e-fail', 'item-0', 'model')).toBe(false);
  });

  it('never creates an item by updating a missing one', async () => {
    expect(await items.markRunning('e-none', 'ghost', 'parse')).toBe(false);
    expect(await items.get('e-none', 'ghost')).toBeUndefined();
  });

  it('keeps one transcript entry per key, and none once the item has finished', async () => {
    await items.createBatch('e-turns', newItems(1));
    expect(
      await items.putTurn('e-turns', 'item-0', '000-model', {
        kind: 'model',
        turn: 0,
        decision: { kind: 'final', text: 'x' },
      }),
    ).toBe(false);
    await items.saveRequest('e-turns', 'item-0', { text: 'q', intent: 'columns' });
    const turn = { kind: 'model' as const, turn: 0, decision: { kind: 'final' as const, text: 'first' } };
    expect(await items.putTurn('e-turns', 'item-0', '000-model', turn)).toBe(true);
    expect(
      await items.putTurn('e-turns', 'item-0', '000-model', {
        ...turn,
        decision: { kind: 'final', text: 'retry' },
      }),
    ).toBe(true);
    await items.saveRequest('e-turns', 'item-0', { text: 'q again', intent: 'columns' });
    const stored = await items.get('e-turns', 'item-0');
    expect(stored?.turns).toEqual({
      '000-model': { kind: 'model', turn: 0, decision: { kind: 'final', text: 'retry' } },
    });
    await items.markSucceeded('e-turns', 'item-0', { durationMs: 1 });
    expect(await items.putTurn('e-turns', 'item-0', '001-model', turn)).toBe(false);
  });
});

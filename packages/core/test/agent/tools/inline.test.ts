import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetBytes } from '../../../../../test/support/parquet';
import { memoryS3 } from '../../../../../test/support/s3-memory';
import { DatasetCatalog } from '../../../src';
import { datasetNames, datasetSchema, runInlineTool } from '../../../src/agent/tools/inline';
import { parquetReader } from '../../../src/data/parquet-head';
import { getJson, putJson } from '../../../src/data/s3-json';
import { parquetFooterReader } from '../../../src/datasets/parquet';

let s3: ReturnType<typeof memoryS3>;
const client = new S3Client({ region: 'us-east-1' });
/** As Dispatch reads datasets: Parquet with the reader that samples the first rows. */
const catalog = new DatasetCatalog({ s3: client, bucket: 'b', parquet: parquetReader });

beforeAll(() => {
  s3 = memoryS3();
  s3.put('b', 'samples/sales.csv', `region,amount\n${'north,10\n'.repeat(10_000)}`, { rows: '10000' });
  s3.put('b', 'samples/empty.csv', '');
  s3.put('b', 'users/u1/mine.csv', 'a\n1\n');
  s3.put('b', 'users/u2/theirs.csv', 'a\n1\n');
});
afterAll(() => s3.mock.restore());

describe('inline tools', () => {
  it('list_datasets lists samples and the caller’s own files, for the model and as a table', async () => {
    const run = await runInlineTool(catalog, 'u1', { name: 'list_datasets', input: {} });
    expect(JSON.parse(run.observation)).toEqual({
      datasets: [
        { id: 'empty.csv', name: 'empty.csv', sample: true },
        { id: 'sales.csv', name: 'sales.csv', sample: true, rows: 10000 },
        { id: 'mine.csv', name: 'mine.csv', sample: false },
      ],
    });
    expect(run.output?.tables?.[0]?.rows).toContainEqual(['mine.csv', null, null, 'yours']);
  });

  it('describe_dataset reads only the first 64 KB of a large file, and knows its full size', async () => {
    const run = await runInlineTool(catalog, 'u1', {
      name: 'describe_dataset',
      input: { datasetId: 'sales.csv' },
    });
    const observation = JSON.parse(run.observation);
    expect(observation).toMatchObject({ datasetId: 'sales.csv', rows: 10000, sizeBytes: 14 + 9 * 10_000 });
    expect(observation.sampledRows).toBeLessThan(10_000);
    expect(observation.columns).toEqual([
      { name: 'region', type: 'categorical', examples: ['north'] },
      { name: 'amount', type: 'integer', examples: ['10'] },
    ]);
  });

  it('turns an empty file and an unknown dataset into observations the model can act on', async () => {
    expect(
      await runInlineTool(catalog, 'u1', { name: 'describe_dataset', input: { datasetId: 'empty.csv' } }),
    ).toEqual({
      ok: false,
      observation: 'empty.csv: The file is empty: it has no header row.',
    });
    expect(
      await runInlineTool(catalog, 'u1', { name: 'describe_dataset', input: { datasetId: 'theirs.csv' } }),
    ).toEqual({
      ok: false,
      observation: 'Dataset theirs.csv was not found; list the datasets to see what is there.',
    });
  });

  it('lets an S3 fault through, so the step is retried', async () => {
    const broken = new DatasetCatalog({ s3: client, bucket: 'no-such-bucket' });
    s3.failNext(new Error('SlowDown'));
    await expect(runInlineTool(broken, 'u1', { name: 'list_datasets', input: {} })).rejects.toThrow(
      'SlowDown',
    );
  });

  it('datasetSchema reads the header, types and values, says nothing for a missing file and why an empty one cannot be read', async () => {
    expect(await datasetSchema(catalog, 'u1', 'sales.csv')).toEqual({
      id: 'sales.csv',
      columns: [
        { name: 'region', type: 'categorical', values: ['north'] },
        { name: 'amount', type: 'integer' },
      ],
    });
    expect(await datasetSchema(catalog, 'u1', 'empty.csv')).toEqual({
      id: 'empty.csv',
      columns: [],
      unreadable: 'The file is empty: it has no header row.',
    });
    expect(await datasetSchema(catalog, 'u1', 'nope.csv')).toBeUndefined();
    s3.failNext(new Error('SlowDown'));
    await expect(datasetSchema(catalog, 'u1', 'sales.csv')).rejects.toThrow('SlowDown');
  });

  it('datasetSchema adds the data dictionary beside the file, and ignores one that is not valid', async () => {
    s3.put(
      'b',
      'samples/sales.csv.dictionary.json',
      JSON.stringify({ columns: { amount: { aliases: ['revenue'] } } }),
    );
    expect(await datasetSchema(catalog, 'u1', 'sales.csv')).toMatchObject({
      columns: [{ name: 'region' }, { name: 'amount', entry: { aliases: ['revenue'] } }],
      dictionary: { columns: { amount: { aliases: ['revenue'] } } },
    });
    s3.put('b', 'samples/sales.csv.dictionary.json', '{ not json');
    expect(await datasetSchema(catalog, 'u1', 'sales.csv')).not.toHaveProperty('dictionary');
    s3.put(
      'b',
      'samples/sales.csv.dictionary.json',
      JSON.stringify({ columns: { amount: { aliases: 'revenue' } } }),
    );
    expect(await datasetSchema(catalog, 'u1', 'sales.csv')).not.toHaveProperty('dictionary');
  });

  it("datasetNames gives the samples' titles and dictionary aliases, and the user's own files by id", async () => {
    s3.put(
      'b',
      'samples/sales.csv.dictionary.json',
      JSON.stringify({ aliases: ['the sales data'], columns: {} }),
    );
    const names = await datasetNames(catalog, 'u1');
    expect(names).toContainEqual({ id: 'mine.csv' });
    expect(names.find((d) => d.id === 'sales.csv')?.aliases).toEqual(['the sales data']);
  });

  describe('of a Parquet dataset', () => {
    /** orders.parquet's schema, as either Parquet reader gives it. */
    const ordersSchema = {
      id: 'orders.parquet',
      columns: [
        { name: 'order_id', type: 'integer' },
        { name: 'region', type: 'categorical', values: ['north', 'south'] },
        { name: 'amount', type: 'numeric' },
        { name: 'ordered_on', type: 'datetime' },
      ],
    };
    beforeAll(async () => {
      const orders = await parquetBytes(
        `SELECT i AS order_id, ['north', 'south'][1 + i % 2] AS region, round(i * 0.75, 2) AS amount,
                DATE '2026-01-01' + i::INTEGER AS ordered_on FROM range(3000) t(i)`,
      );
      s3.put('b', 'users/u1/orders.parquet', orders, { title: 'Orders 2026.parquet' });
      // Saved as Parquet but named .csv: its first bytes say what it is, as they tell the engine.
      s3.put('b', 'users/u1/renamed.csv', orders);
      s3.put('b', 'users/u1/fake.parquet', 'region,amount\nnorth,10\n');
    });

    it('describe_dataset gives the exact row count from the footer and the columns from the first rows', async () => {
      const run = await runInlineTool(catalog, 'u1', {
        name: 'describe_dataset',
        input: { datasetId: 'orders.parquet' },
      });
      expect(run.ok).toBe(true);
      const observation = JSON.parse(run.observation);
      expect(observation).toMatchObject({ datasetId: 'orders.parquet', rows: 3000, sampledRows: 1000 });
      expect(observation.columns).toEqual([
        { name: 'order_id', type: 'integer', examples: ['0', '1', '2'] },
        { name: 'region', type: 'categorical', examples: ['north', 'south'] },
        { name: 'amount', type: 'numeric', examples: ['0', '0.75', '1.5'] },
        { name: 'ordered_on', type: 'datetime', examples: ['2026-01-01', '2026-01-02', '2026-01-03'] },
      ]);
      expect(run.output?.text).toBe('orders.parquet: 4 columns');
    });

    it('reads a Parquet file named .csv as Parquet', async () => {
      const run = await runInlineTool(catalog, 'u1', {
        name: 'describe_dataset',
        input: { datasetId: 'renamed.csv' },
      });
      expect(JSON.parse(run.observation)).toMatchObject({
        rows: 3000,
        columns: [{ name: 'order_id' }, {}, {}, {}],
      });
    });

    it('datasetSchema gives the planner the columns and the values of categories', async () => {
      expect(await datasetSchema(catalog, 'u1', 'orders.parquet')).toEqual(ordersSchema);
    });

    it('says which file is not Parquet, in an observation the model can act on', async () => {
      expect(
        await runInlineTool(catalog, 'u1', {
          name: 'describe_dataset',
          input: { datasetId: 'fake.parquet' },
        }),
      ).toEqual({
        ok: false,
        observation:
          'fake.parquet: The file could not be read as Parquet: it does not end with Parquet\'s "PAR1" marker: it is not Parquet, or it was cut short. Export it again as Parquet (or as CSV) and upload that.',
      });
      expect(await datasetSchema(catalog, 'u1', 'fake.parquet')).toMatchObject({
        columns: [],
        unreadable: expect.stringMatching(/^The file could not be read as Parquet: /),
      });
    });

    it("datasetSchema with Parse's footer reader gives the columns, their stored types and what the footer's statistics tell", async () => {
      // region's two values are the least and greatest the footer keeps: all of them.
      expect(await datasetSchema(catalog.withParquet(parquetFooterReader), 'u1', 'orders.parquet')).toEqual(
        ordersSchema,
      );
    });

    it('in a function with no Parquet reader, lists it without counts and says plainly it cannot be read here', async () => {
      const readingNoParquet = new DatasetCatalog({ s3: client, bucket: 'b' });
      const listed = await runInlineTool(readingNoParquet, 'u1', { name: 'list_datasets', input: {} });
      expect(JSON.parse(listed.observation).datasets).toContainEqual({
        id: 'orders.parquet',
        name: 'Orders 2026.parquet',
        sample: false,
      });
      expect(
        await runInlineTool(readingNoParquet, 'u1', {
          name: 'describe_dataset',
          input: { datasetId: 'orders.parquet' },
        }),
      ).toEqual({ ok: false, observation: 'orders.parquet: Parquet files cannot be read here.' });
      expect(await datasetSchema(readingNoParquet, 'u1', 'orders.parquet')).toEqual({
        id: 'orders.parquet',
        columns: [],
        unreadable: 'Parquet files cannot be read here.',
      });
    });

    it('lists Parquet uploads with their counts', async () => {
      const mine = await runInlineTool(catalog, 'u1', { name: 'list_datasets', input: {} });
      expect(JSON.parse(mine.observation).datasets).toContainEqual({
        id: 'orders.parquet',
        name: 'Orders 2026.parquet',
        sample: false,
        rows: 3000,
        columns: 4,
      });
    });
  });

  it('JSON documents round-trip through S3 pointers', async () => {
    await putJson(client, 's3://b/jobs/x.json', { tool: 'profile' });
    expect(await getJson(client, 's3://b/jobs/x.json')).toEqual({ tool: 'profile' });
  });
});

import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryS3 } from '../../../../test/support/s3-memory';
import { DatasetCatalog, datasetNames, datasetSchema, getJson, putJson, runInlineTool } from '../../src';

let s3: ReturnType<typeof memoryS3>;
const client = new S3Client({ region: 'us-east-1' });
const catalog = new DatasetCatalog({ s3: client, bucket: 'b' });

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
    const run = await runInlineTool(catalog, 'u1', 'list_datasets', {});
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
    const run = await runInlineTool(catalog, 'u1', 'describe_dataset', { datasetId: 'sales.csv' });
    const observation = JSON.parse(run.observation);
    expect(observation).toMatchObject({ datasetId: 'sales.csv', rows: 10000, sizeBytes: 14 + 9 * 10_000 });
    expect(observation.sampledRows).toBeLessThan(10_000);
    expect(observation.columns).toEqual([
      { name: 'region', type: 'categorical', examples: ['north'] },
      { name: 'amount', type: 'integer', examples: ['10'] },
    ]);
  });

  it('turns an empty file and an unknown dataset into observations the model can act on', async () => {
    expect(await runInlineTool(catalog, 'u1', 'describe_dataset', { datasetId: 'empty.csv' })).toEqual({
      ok: false,
      observation: 'empty.csv: The file is empty: it has no header row.',
    });
    expect(await runInlineTool(catalog, 'u1', 'describe_dataset', { datasetId: 'theirs.csv' })).toEqual({
      ok: false,
      observation: 'Dataset theirs.csv was not found; list the datasets to see what is there.',
    });
  });

  it('lets an S3 fault through, so the step is retried', async () => {
    const broken = new DatasetCatalog({ s3: client, bucket: 'no-such-bucket' });
    s3.failNext(new Error('SlowDown'));
    await expect(runInlineTool(broken, 'u1', 'list_datasets', {})).rejects.toThrow('SlowDown');
  });

  it('datasetSchema reads the header, types and values, and says nothing for missing or empty files', async () => {
    expect(await datasetSchema(catalog, 'u1', 'sales.csv')).toEqual({
      id: 'sales.csv',
      columns: [
        { name: 'region', type: 'categorical', values: ['north'] },
        { name: 'amount', type: 'integer' },
      ],
    });
    expect(await datasetSchema(catalog, 'u1', 'empty.csv')).toBeUndefined();
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

  it('JSON documents round-trip through S3 pointers', async () => {
    await putJson(client, 's3://b/jobs/x.json', { tool: 'profile' });
    expect(await getJson(client, 's3://b/jobs/x.json')).toEqual({ tool: 'profile' });
  });
});

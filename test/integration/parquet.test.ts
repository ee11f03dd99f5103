import { join } from 'node:path';
import { samplesDirectory } from '@cascade/analysis/datasets/directory';
import type { ServerMessageOf } from '@cascade/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvAsParquet } from '../support/parquet';
import { connectedSuite } from './connected-suite';
import { askQuestion, type Client } from './harness';

/** Uploads a file as a person would: a presigned URL from dataset.upload, then a PUT with its headers. */
async function upload(client: Client, name: string, body: Uint8Array) {
  const answer = await client.request<ServerMessageOf<'upload'>>({
    action: 'dataset.upload',
    payload: { name, sizeBytes: body.length },
  });
  const put = await fetch(answer.url, { method: 'PUT', headers: answer.headers, body });
  expect(put.status).toBe(200);
  return answer;
}

describe('a Parquet dataset in the local cloud', () => {
  const suite = connectedSuite();
  beforeAll(async () => {
    // The churn sample as someone's Parquet export (zstd, as polars writes it by default).
    const churn = await csvAsParquet(join(samplesDirectory, 'churn.csv'), {
      compression: 'zstd',
    });
    const answer = await upload(suite.client, 'Customers 2026.parquet', churn);
    expect(answer).toMatchObject({
      datasetId: 'Customers-2026.parquet',
      headers: { 'content-type': 'application/vnd.apache.parquet' },
    });
    // Named .parquet, but CSV inside: the kind of file a person renames by mistake.
    await upload(
      suite.client,
      'broken.parquet',
      new TextEncoder().encode('plan,fee\nbasic,10\npremium,30\n'),
    );
  });

  it('is listed with the rows and columns its footer gives, under the name it was uploaded with', async () => {
    const { datasets } = await suite.client.request<ServerMessageOf<'datasets'>>({ action: 'datasets.list' });
    expect(datasets).toContainEqual(
      expect.objectContaining({
        id: 'Customers-2026.parquet',
        name: 'Customers 2026.parquet',
        rows: 2000,
        columns: 12,
        sample: false,
      }),
    );
    // A file that is not Parquet is listed without counts, rather than breaking the list.
    const broken = datasets.find((d) => d.id === 'broken.parquet');
    expect(broken).toMatchObject({ sample: false });
    expect(broken).not.toHaveProperty('rows');
  });

  it('answers "profile X.parquet" from the whole file', async () => {
    const { response } = await askQuestion(suite.client, 'profile Customers-2026.parquet');
    expect(response.status).toBe('SUCCEEDED');
    expect(response.summary).toMatch(/\*\*Customers-2026\.parquet\*\* has 2,000 rows and 12 columns/);
    expect(response.items[0]!.datasets).toEqual(['Customers-2026.parquet']);
    const charts = response.items[0]!.output!.charts!;
    expect(charts.some((c) => c.kind === 'histogram')).toBe(true);
  });

  it('answers "what columns does X.parquet have?" with each column and its type', async () => {
    const { response } = await askQuestion(suite.client, 'what columns does Customers-2026.parquet have?');
    expect(response.status).toBe('SUCCEEDED');
    for (const column of ['customer_id', 'signup_date', 'plan', 'monthly_fee', 'churned', 'last_feedback'])
      expect(response.summary).toContain(`| ${column} |`);
    expect(response.summary).toMatch(/\| monthly_fee \| numeric/);
    expect(response.summary).toMatch(/\| tenure_months \| numeric: whole numbers \(integer\) \|/);
  });

  it('gives the same numbers as the CSV it was saved from', async () => {
    const question = (dataset: string) => `average monthly_fee by plan in ${dataset}`;
    const [fromParquet, fromCsv] = await Promise.all([
      askQuestion(suite.client, question('Customers-2026.parquet')),
      askQuestion(suite.client, question('churn.csv')),
    ]);
    expect(fromParquet.response.status).toBe('SUCCEEDED');
    expect(fromCsv.response.status).toBe('SUCCEEDED');
    const tables = fromCsv.response.items[0]!.output!.tables;
    expect(tables).toHaveLength(1);
    expect(fromParquet.response.items[0]!.output!.tables).toEqual(tables);
  });

  it('says which file cannot be read as Parquet, and why, when asked about it', async () => {
    for (const question of ['profile broken.parquet', 'what columns does broken.parquet have?']) {
      const { response } = await askQuestion(suite.client, question);
      expect(response.items[0]!.output?.text).toContain(
        'I could not read broken.parquet. The file could not be read as Parquet: it does not end with Parquet\'s "PAR1" marker: it is not Parquet, or it was cut short. Export it again as Parquet (or as CSV) and upload that.',
      );
    }
  });
});

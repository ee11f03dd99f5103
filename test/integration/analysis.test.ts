import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { samplesDirectory } from '@cascade/analysis/datasets/directory';
import type { ServerMessageOf } from '@cascade/core';
import { describe, expect, it } from 'vitest';
import { connectedSuite } from './connected-suite';
import { askQuestion, credentials, csvAboveInlineLimit, uploadCsv } from './harness';

describe('the analysis task behind the local cloud', () => {
  const suite = connectedSuite();

  it('lists the sample datasets the repository ships, with their sizes', async () => {
    const { datasets } = await suite.client.request<ServerMessageOf<'datasets'>>({ action: 'datasets.list' });
    const catalog = JSON.parse(readFileSync(join(samplesDirectory, 'catalog.json'), 'utf8')) as {
      file: string;
      rows: number;
    }[];
    expect(datasets.map((d) => d.id).sort()).toEqual(catalog.map((c) => c.file).sort());
    const lalonde = datasets.find((d) => d.id === 'lalonde.csv')!;
    expect(lalonde).toMatchObject({
      sample: true,
      rows: catalog.find((c) => c.file === 'lalonde.csv')!.rows,
    });
  });

  it('profiles a small sample inside Dispatch, with no task to wait for', async () => {
    const { response } = await askQuestion(suite.client, 'profile lalonde.csv');
    expect(response.status).toBe('SUCCEEDED');
    expect(response.summary).toMatch(/\*\*lalonde\.csv\*\* has \d+ rows and 10 columns/);
    const charts = response.items[0]!.output!.charts!;
    expect(charts.some((c) => c.kind === 'histogram')).toBe(true);
    expect(charts.some((c) => c.kind === 'heatmap')).toBe(true);
  });

  it('runs profile of a dataset above the inline size as the analysis task, through its task token', async () => {
    const csv = csvAboveInlineLimit();
    expect(Buffer.byteLength(csv)).toBeGreaterThan(16 * 1024 * 1024);
    await uploadCsv(suite.client, 'big.csv', csv);
    const { ack, response } = await askQuestion(suite.client, 'profile big.csv', 120_000);
    expect(response.status).toBe('SUCCEEDED');
    expect(response.summary).toMatch(/\*\*big\.csv\*\* has 1,200,000 rows and 4 columns/);
    expect(
      suite.client.messages
        .filter((m) => m.action === 'step' && m.executionId === ack.executionId && m.step === 'profile')
        .map((m) => m.action === 'step' && m.status),
    ).toEqual(['started', 'succeeded']);

    // The job and the result went through S3 as pointers, as on AWS.
    const s3 = new S3Client({ region: 'us-east-1', endpoint: suite.cloud.endpoints.edgeUrl, credentials });
    const results = await s3.send(
      new ListObjectsV2Command({
        Bucket: suite.cloud.endpoints.bucket,
        Prefix: `results/${ack.executionId}/`,
      }),
    );
    expect(results.Contents).toHaveLength(1);
    const jobs = await s3.send(
      new ListObjectsV2Command({ Bucket: suite.cloud.endpoints.bucket, Prefix: `jobs/${ack.executionId}/` }),
    );
    expect(jobs.Contents).toHaveLength(1);
    const stored = JSON.parse(
      await (
        await s3.send(
          new GetObjectCommand({ Bucket: suite.cloud.endpoints.bucket, Key: results.Contents![0]!.Key! }),
        )
      ).Body!.transformToString(),
    );
    expect(stored).toMatchObject({
      tool: 'profile',
      rows: expect.any(Number),
      output: { text: expect.any(String) },
    });
    s3.destroy();
  });

  it('estimates an effect with every method and its intervals', async () => {
    const { response } = await askQuestion(
      suite.client,
      'what is the effect of treat on re78 in lalonde.csv adjusting for age, educ, re74 and re75?',
      120_000,
    );
    expect(response.status).toBe('SUCCEEDED');
    expect(response.summary).toContain('Regression adjustment estimates the ATE of **treat** on **re78**');
    expect(response.items[0]!.output!.charts!.some((c) => c.kind === 'intervals')).toBe(true);
  });

  it("says why, in the engine's own sentence, when the data cannot answer", async () => {
    const { response } = await askQuestion(
      suite.client,
      'what is the effect of retention_offer on churned in churn.csv adjusting for customer_id?',
      60_000,
    );
    expect(response.status).toBe('SUCCEEDED');
    expect(response.summary).toMatch(
      /^I couldn't answer the effect of retention_offer on churned .*customer_id/,
    );
  });

  it('fails the item whose analysis task fails, with the task’s own sentence', async () => {
    const { response } = await askQuestion(
      suite.client,
      'what is the effect of treat on earnings in big.csv adjusting for age and educ, using matching, only where age > 1000',
      120_000,
    );
    expect(response.status).toBe('FAILED');
    expect(response.summary).toMatch(/^This could not be answered: No row meets the filters \(age > 1000\)/);
  });
});

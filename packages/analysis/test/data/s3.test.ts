import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createS3Client, parseS3Uri, readJsonObject, writeJsonObject } from '../../src/data/s3';
import { withLocalData } from '../../src/data/source';
import { BadRequestError, DataNotFoundError } from '../../src/errors';
import { s3Body } from '../support/s3-body';

const client = new S3Client({ region: 'us-east-1' });
const s3 = mockClient(client);
afterEach(() => s3.reset());

const failure = (name: string, message = name) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: {}, message });
const denied = () => failure('AccessDenied', 'Access Denied');

describe('data in S3', () => {
  it('is downloaded to a private file under its own name, which is gone afterwards', async () => {
    s3.on(GetObjectCommand, { Bucket: 'data', Key: 'samples/churn.csv' }).resolves({
      Body: s3Body('a,b\n1,2\n'),
    });
    let seen = '';
    const content = await withLocalData(
      's3://data/samples/churn.csv',
      () => client,
      async (path) => {
        seen = path;
        return readFile(path, 'utf8');
      },
    );
    expect(content).toBe('a,b\n1,2\n');
    expect(basename(seen)).toBe('churn.csv');
    expect(existsSync(dirname(seen))).toBe(false);
  });

  it('leaves local paths alone and never makes a client for them', async () => {
    const path = await withLocalData(
      '/tmp/x.csv',
      () => {
        throw new Error('no client needed');
      },
      async (p) => p,
    );
    expect(path).toBe('/tmp/x.csv');
  });

  it('explains a denied read', async () => {
    s3.on(GetObjectCommand).rejects(denied());
    const error = await withLocalData(
      's3://data/x.csv',
      () => client,
      async () => 1,
    ).catch((e: Error) => e);
    expect(error).toBeInstanceOf(DataNotFoundError);
    expect((error as Error).message).toBe(
      "Reading s3://data/x.csv was denied; check the task's permissions.",
    );
  });

  it('names a missing object, and lets any other fault through as it came', async () => {
    s3.on(GetObjectCommand, { Key: 'none.csv' }).rejects(failure('NoSuchKey'));
    s3.on(GetObjectCommand, { Key: 'slow.json' }).rejects(
      failure('SlowDown', 'Please reduce your request rate.'),
    );
    await expect(
      withLocalData(
        's3://data/none.csv',
        () => client,
        async () => 1,
      ),
    ).rejects.toThrow(new DataNotFoundError('There is no object at s3://data/none.csv.'));
    await expect(readJsonObject(client, 's3://data/slow.json')).rejects.toMatchObject({
      name: 'SlowDown',
      message: 'Please reduce your request rate.',
    });
  });

  it('downloads an object without a body as an empty file', async () => {
    s3.on(GetObjectCommand).resolves({});
    const content = await withLocalData(
      's3://data/empty.csv',
      () => client,
      (path) => readFile(path, 'utf8'),
    );
    expect(content).toBe('');
  });

  it('writes a result as JSON where its location says, and refuses a location that is no S3 URI', async () => {
    s3.on(PutObjectCommand).resolves({});
    await writeJsonObject(client, 's3://data/results/r.json', { rows: 2 });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: 'data',
      Key: 'results/r.json',
      Body: '{"rows":2}',
    });
    await expect(writeJsonObject(client, 'results/r.json', {})).rejects.toThrow(
      new BadRequestError('The result location must look like s3://bucket/key; got "results/r.json".'),
    );
  });

  it('refuses a JSON document that does not parse', async () => {
    s3.on(GetObjectCommand).resolves({ Body: s3Body('{not json') });
    await expect(readJsonObject(client, 's3://jobs/j.json')).rejects.toThrow(
      new BadRequestError('s3://jobs/j.json is not valid JSON.'),
    );
  });

  it('parses bucket and key, and rejects anything else', () => {
    expect(parseS3Uri('s3://bucket/a/b.csv')).toEqual({ bucket: 'bucket', key: 'a/b.csv' });
    expect(() => parseS3Uri('s3://bucket', 'The data location')).toThrow(
      'The data location must look like s3://bucket/key; got "s3://bucket".',
    );
  });

  it('uses path-style addressing when an endpoint is configured, as local emulators need', async () => {
    expect(await createS3Client({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }).config.forcePathStyle).toBe(
      true,
    );
    expect(await createS3Client({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569' }).config.forcePathStyle).toBe(
      true,
    );
    expect(await createS3Client({}).config.forcePathStyle).toBe(false);
  });
});

import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, parseS3Uri, putJson, s3Location, s3Uri } from '../../src/data/s3-json';

const client = new S3Client({ region: 'us-east-1' });
const s3 = mockClient(client);
afterEach(() => s3.reset());

describe('S3 pointers', () => {
  it('turn a bucket and key into a URI and back', () => {
    expect(s3Location(s3Uri('b', 'k/e.json'))).toEqual({ bucket: 'b', key: 'k/e.json' });
  });

  it('are undefined, or an error, for anything but s3://bucket/key', () => {
    for (const uri of ['https://x', 's3://bucket', 's3://bucket/']) expect(s3Location(uri)).toBeUndefined();
    expect(() => parseS3Uri('https://x')).toThrow('Not an s3:// URI: https://x');
  });
});

describe('JSON documents', () => {
  it('are written as JSON under their key', async () => {
    s3.on(PutObjectCommand).resolves({});
    await putJson(client, 's3://b/jobs/x.json', { tool: 'profile' });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'b',
      Key: 'jobs/x.json',
      Body: '{"tool":"profile"}',
      ContentType: 'application/json',
    });
  });

  it('are read back parsed, and an object without a body reads as null', async () => {
    s3.on(GetObjectCommand, { Bucket: 'b', Key: 'results/r.json' }).resolves({
      Body: { transformToString: async () => '{"rows":3}' } as never,
    });
    expect(await getJson(client, 's3://b/results/r.json')).toEqual({ rows: 3 });
    s3.on(GetObjectCommand, { Bucket: 'b', Key: 'empty.json' }).resolves({});
    expect(await getJson(client, 's3://b/empty.json')).toBeNull();
  });
});

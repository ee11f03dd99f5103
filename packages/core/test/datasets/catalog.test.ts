import { HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DatasetCatalog, NotFoundError } from '../../src';

describe('DatasetCatalog.locate', () => {
  const s3Client = new S3Client({ region: 'us-east-1' });
  const s3 = mockClient(s3Client);
  const catalog = new DatasetCatalog({ s3: s3Client, bucket: 'b' });
  const notFound = () =>
    new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: {}, message: '' });
  afterEach(() => s3.reset());

  it("prefers the user's own upload, then a sample", async () => {
    s3.on(HeadObjectCommand, { Key: 'users/u/own.csv' }).resolves({ ContentLength: 120 });
    s3.on(HeadObjectCommand, { Key: 'users/u/lalonde.csv' }).rejects(notFound());
    s3.on(HeadObjectCommand, { Key: 'samples/lalonde.csv' }).resolves({});
    expect(await catalog.locate('u', 'own.csv')).toEqual({
      bucket: 'b',
      key: 'users/u/own.csv',
      sample: false,
      sizeBytes: 120,
    });
    // The size decides where an analysis runs; an object that does not say is taken as empty.
    expect(await catalog.locate('u', 'lalonde.csv')).toEqual({
      bucket: 'b',
      key: 'samples/lalonde.csv',
      sample: true,
      sizeBytes: 0,
    });
  });

  it('answers NOT_FOUND for a dataset that is nowhere, and passes other S3 errors on', async () => {
    s3.on(HeadObjectCommand).rejects(notFound());
    await expect(catalog.locate('u', 'nope.csv')).rejects.toBeInstanceOf(NotFoundError);
    s3.reset();
    s3.on(HeadObjectCommand).rejects(new Error('AccessDenied'));
    await expect(catalog.locate('u', 'x.csv')).rejects.toThrow('AccessDenied');
  });
});

import { HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createTableInput,
  DatasetCatalog,
  executionIdFor,
  keyAttributes,
  logger,
  NotFoundError,
  newSessionIdFor,
  tables,
  withCorrelation,
} from '../src';

describe('derived ids', () => {
  it('are stable for the same user and message and differ across users', () => {
    expect(executionIdFor('u1', 'm')).toBe(executionIdFor('u1', 'm'));
    expect(executionIdFor('u1', 'm')).not.toBe(executionIdFor('u2', 'm'));
    expect(newSessionIdFor('u1', 'm')).not.toBe(executionIdFor('u1', 'm'));
    expect(executionIdFor('u1', 'm')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('table definitions', () => {
  it('produce CreateTable requests with every key attribute declared once', () => {
    const input = createTableInput(tables.executions, 'dev-Executions');
    expect(input.TableName).toBe('dev-Executions');
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.AttributeDefinitions?.map((a) => a.AttributeName).sort()).toEqual([
      'executionId',
      'sessionId',
      'startedAt',
      'userId',
    ]);
    expect(input.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['bySession', 'byUser']);
  });

  it('omit indexes for tables without any, and declare sort keys', () => {
    const input = createTableInput(tables.messages, 'm');
    expect(input).not.toHaveProperty('GlobalSecondaryIndexes');
    expect(input.KeySchema).toEqual([
      { AttributeName: 'sessionId', KeyType: 'HASH' },
      { AttributeName: 'messageKey', KeyType: 'RANGE' },
    ]);
  });

  it('carry the TTL attribute of the tables that expire records', () => {
    expect(tables.connections.ttlAttribute).toBe('expiresAt');
    expect(tables.locks.ttlAttribute).toBe('expiresAt');
    expect(keyAttributes(tables.connections).map((a) => a.name)).toEqual(['connectionId', 'userId']);
  });
});

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

describe('withCorrelation', () => {
  it('adds the keys to log lines written inside and removes them after', async () => {
    const append = vi.spyOn(logger, 'appendKeys');
    const remove = vi.spyOn(logger, 'removeKeys');
    const result = await withCorrelation({ connectionId: 'c1', messageId: undefined }, async () => 42);
    expect(result).toBe(42);
    expect(append).toHaveBeenCalledWith({ connectionId: 'c1' });
    expect(remove).toHaveBeenCalledWith(['connectionId']);
  });

  it('removes the keys even when the work fails', async () => {
    const remove = vi.spyOn(logger, 'removeKeys');
    await expect(withCorrelation({ executionId: 'e' }, () => Promise.reject(new Error('x')))).rejects.toThrow(
      'x',
    );
    expect(remove).toHaveBeenCalledWith(['executionId']);
  });
});

import { HeadObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, createUpload, DatasetCatalog } from '../../src';
import { datasetIdFor, decodeTitle, encodeTitle, withSuffix } from '../../src/datasets/upload-names';
import { DatasetUploadRequest } from '../../src/protocol/client';

const upload = (name: string) =>
  DatasetUploadRequest.safeParse({ action: 'dataset.upload', payload: { name, sizeBytes: 10 } });

describe('upload file names', () => {
  it.each([
    'beauty and the labor market.csv',
    'veracruz 2016.csv',
    'Données (2024) – final.CSV',
    '数据.csv',
    `${'x'.repeat(251)}.csv`,
    'sales.csv',
    'sales 2026.parquet',
    'Export.PARQUET',
  ])('accepts %j as a person names a file', (name) => {
    expect(upload(name).success).toBe(true);
  });

  it.each([
    ['reports/sales.csv', 'must not contain / or \\ or control characters'],
    ['..\\sales.csv', 'must not contain / or \\ or control characters'],
    ['sales\n.csv', 'must not contain / or \\ or control characters'],
    ['sales.xlsx', 'must be a .csv or .parquet file name'],
    ['.csv', 'must be a .csv or .parquet file name'],
    ['.parquet', 'must be a .csv or .parquet file name'],
    ['sales.parquet.gz', 'must be a .csv or .parquet file name'],
    [`${'x'.repeat(252)}.csv`, 'must be at most 255 characters'],
  ])('refuses %j: %s', (name, message) => {
    const parsed = upload(name);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message)).toContain(message);
  });

  it('keeps every name that was already a valid id as its id', () => {
    for (const name of ['sales.csv', 'Sales_2024.CSV', 'a.b-c.csv', '-x.csv', `${'y'.repeat(124)}.csv`])
      expect(datasetIdFor(name)).toBe(name);
  });

  it('slugs other names deterministically into an id of letters, digits, _ . -', () => {
    expect(datasetIdFor('beauty and the labor market.csv')).toBe('beauty-and-the-labor-market.csv');
    expect(datasetIdFor('veracruz 2016.csv')).toBe('veracruz-2016.csv');
    expect(datasetIdFor('Données (2024) – final.CSV')).toBe('Donnees-2024-final.CSV');
    expect(datasetIdFor(' spaced  out .csv')).toBe('spaced-out.csv');
    // Cut to 100 characters, and not in the middle of a separator.
    expect(datasetIdFor(`${'long name '.repeat(30)}.csv`)).toBe(
      `${Array(10).fill('long-name').join('-')}.csv`,
    );
    // No Latin letter or digit at all: an id from the name's hash, the same every time.
    expect(datasetIdFor('数据.csv')).toMatch(/^upload-[0-9a-f]{8}\.csv$/);
    expect(datasetIdFor('数据.csv')).toBe(datasetIdFor('数据.csv'));
    expect(datasetIdFor('数据.csv')).not.toBe(datasetIdFor('表.csv'));
  });

  it('keeps a Parquet file’s extension as written, whatever its length', () => {
    expect(datasetIdFor('sales.parquet')).toBe('sales.parquet');
    expect(datasetIdFor('Sales 2026 (final).parquet')).toBe('Sales-2026-final.parquet');
    expect(datasetIdFor('Export Q1.PARQUET')).toBe('Export-Q1.PARQUET');
    expect(datasetIdFor('数据.parquet')).toMatch(/^upload-[0-9a-f]{8}\.parquet$/);
    expect(withSuffix('sales.parquet', 2)).toBe('sales-2.parquet');
  });

  it('refuses to slug a name that is no dataset file (the protocol lets none through)', () => {
    expect(() => datasetIdFor('report .xlsx')).toThrow('report .xlsx does not end in a dataset file');
  });

  it('numbers alternatives before the extension', () => {
    expect(withSuffix('sales.csv', 2)).toBe('sales-2.csv');
    expect(withSuffix('a.b.CSV', 10)).toBe('a.b-10.CSV');
  });

  it('keeps a title that is not plain ASCII through S3 metadata as an RFC 2047 word', () => {
    expect(encodeTitle('veracruz 2016.csv')).toBe('veracruz 2016.csv');
    expect(encodeTitle('Données.csv')).toBe('=?UTF-8?B?RG9ubsOpZXMuY3N2?=');
    expect(encodeTitle(' padded.csv')).toMatch(/^=\?UTF-8\?B\?/);
    for (const title of ['Données.csv', ' padded.csv', '数据.csv', 'plain.csv'])
      expect(decodeTitle(encodeTitle(title))).toBe(title);
    expect(decodeTitle(undefined)).toBeUndefined();
    expect(decodeTitle('LaLonde (1986) job training')).toBe('LaLonde (1986) job training');
  });
});

describe('DatasetCatalog.uploadUrl', () => {
  const s3Client = new S3Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const s3 = mockClient(s3Client);
  const catalog = new DatasetCatalog({ s3: s3Client, bucket: 'data' });
  const notFound = () =>
    new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: {}, message: '' });
  afterEach(() => s3.reset());

  /** The bucket holds these keys, with these titles. */
  function bucketWith(objects: Record<string, string | undefined>) {
    s3.on(HeadObjectCommand).rejects(notFound());
    for (const [key, title] of Object.entries(objects))
      s3.on(HeadObjectCommand, { Key: key }).resolves({ Metadata: title === undefined ? {} : { title } });
  }

  it('presigns a PUT of exactly that many bytes of CSV into the user’s own folder, for 15 minutes', async () => {
    bucketWith({});
    const before = Date.now();
    const target = await catalog.uploadUrl('u-1', 'sales.csv', 1234);
    const url = new URL(target.url);
    expect(target.datasetId).toBe('sales.csv');
    expect(url.hostname).toBe('data.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/users/u-1/sales.csv');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(url.searchParams.has('x-amz-checksum-crc32')).toBe(false);
    expect(target.headers).toEqual({ 'content-type': 'text/csv' });
    expect(Date.parse(target.expiresAt) - before).toBeGreaterThanOrEqual(900_000 - 1000);
  });

  it('puts a named file under its slug and keeps the name as the signed title', async () => {
    bucketWith({});
    const target = await catalog.uploadUrl('u-1', 'Données 2016.csv', 10);
    const url = new URL(target.url);
    expect(target.datasetId).toBe('Donnees-2016.csv');
    expect(url.pathname).toBe('/users/u-1/Donnees-2016.csv');
    // In the signed query, so the client sends no extra header (and no CORS rule needs one).
    expect(decodeTitle(url.searchParams.get('x-amz-meta-title') ?? undefined)).toBe('Données 2016.csv');
    expect(target.headers).toEqual({ 'content-type': 'text/csv' });
  });

  it('stores a Parquet upload with Parquet’s content type, signed so the PUT must send it', async () => {
    bucketWith({});
    const target = await catalog.uploadUrl('u-1', 'Sales 2026.parquet', 4096);
    const url = new URL(target.url);
    expect(target.datasetId).toBe('Sales-2026.parquet');
    expect(url.pathname).toBe('/users/u-1/Sales-2026.parquet');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(target.headers).toEqual({ 'content-type': 'application/vnd.apache.parquet' });
  });

  it('replaces an upload of the same name, including one from before titles were kept', async () => {
    bucketWith({ 'users/u-1/veracruz-2016.csv': 'veracruz 2016.csv', 'users/u-1/old.csv': undefined });
    expect((await catalog.uploadUrl('u-1', 'veracruz 2016.csv', 10)).datasetId).toBe('veracruz-2016.csv');
    expect((await catalog.uploadUrl('u-1', 'old.csv', 10)).datasetId).toBe('old.csv');
  });

  it('gives another name with the same slug the next free suffix, and finds it again', async () => {
    bucketWith({
      'users/u-1/veracruz-2016.csv': 'veracruz 2016.csv',
      'users/u-1/veracruz-2016-2.csv': 'veracruz (2016).csv',
    });
    expect((await catalog.uploadUrl('u-1', 'veracruz_2016.csv', 10)).datasetId).toBe('veracruz_2016.csv');
    expect((await catalog.uploadUrl('u-1', 'veracruz (2016).csv', 10)).datasetId).toBe('veracruz-2016-2.csv');
    expect((await catalog.uploadUrl('u-1', 'veracruz  2016.csv', 10)).datasetId).toBe('veracruz-2016-3.csv');
  });

  it('never takes the id of a sample', async () => {
    bucketWith({ 'samples/lalonde.csv': 'Job training', 'samples/lalonde-2.csv': 'Another sample' });
    const target = await catalog.uploadUrl('u-1', 'lalonde.csv', 10);
    expect(target.datasetId).toBe('lalonde-3.csv');
    expect(decodeTitle(new URL(target.url).searchParams.get('x-amz-meta-title') ?? undefined)).toBe(
      'lalonde.csv',
    );
  });

  it('answers the upload request with the derived id, echoing the messageId', async () => {
    bucketWith({});
    const answer = await createUpload(
      { datasets: catalog },
      { userId: 'u-1', tenantId: 't' },
      { name: 'beauty and the labor market.csv', sizeBytes: 10 },
      'm-1',
    );
    expect(answer).toMatchObject({
      action: 'upload',
      messageId: 'm-1',
      datasetId: 'beauty-and-the-labor-market.csv',
      method: 'PUT',
    });
    expect(new URL(answer.url).pathname).toBe('/users/u-1/beauty-and-the-labor-market.csv');
  });

  it('answers CONFLICT when every suffix is taken by other files', async () => {
    s3.on(HeadObjectCommand).resolves({ Metadata: { title: 'someone else.csv' } });
    const error = await catalog.uploadUrl('u-1', 'sales.csv', 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe(
      'Too many of your datasets are named like sales.csv; rename the file and upload it again.',
    );
  });

  it('passes on S3 errors other than a missing object', async () => {
    s3.on(HeadObjectCommand).rejects(new Error('AccessDenied'));
    await expect(catalog.uploadUrl('u-1', 'sales.csv', 10)).rejects.toThrow('AccessDenied');
  });

  it('lists an upload under the name it was uploaded with', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3.on(ListObjectsV2Command, { Prefix: 'users/u-1/' }).resolves({
      Contents: [{ Key: 'users/u-1/Donnees-2016.csv', Size: 5 }],
    });
    s3.on(HeadObjectCommand).resolves({ Metadata: { title: encodeTitle('Données 2016.csv') } });
    expect(await catalog.list('u-1')).toEqual([
      { id: 'Donnees-2016.csv', name: 'Données 2016.csv', sizeBytes: 5, sample: false },
    ]);
  });
});

import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AsyncBuffer } from 'hyparquet';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inMemory, parquetBytes } from '../../../../test/support/parquet';
import { memoryS3 } from '../../../../test/support/s3-memory';
import { DatasetCatalog } from '../../src';
import { parquetFooterReader, readParquetFooter } from '../../src/datasets/parquet';
import { ParquetReadError } from '../../src/datasets/parquet-reader';

const table = `SELECT i AS id, 'r' || (i % 4) AS region, i * 1.5 AS amount FROM range(5000) t(i)`;
let sales: Buffer;
beforeAll(async () => {
  sales = await parquetBytes(table);
});

describe('reading a Parquet footer', () => {
  it('knows the exact row count and the columns from the footer alone, without reading the data', async () => {
    const file = inMemory(sales);
    const footer = await readParquetFooter(file);
    expect(footer.rows).toBe(5000);
    expect(footer.columnNames).toEqual(['id', 'region', 'amount']);
    // One read of the file's end; the data pages before it are never fetched.
    expect(file.read).toBeLessThanOrEqual(64 * 1024);
  });

  it('says in a sentence that a file is not Parquet, was cut short, or is damaged', async () => {
    const csv = new TextEncoder().encode('a,b\n1,2\n3,4\n');
    await expect(readParquetFooter(inMemory(csv))).rejects.toThrow(
      new ParquetReadError(
        'The file could not be read as Parquet: it does not end with Parquet\'s "PAR1" marker: it is not Parquet, or it was cut short. Export it again as Parquet (or as CSV) and upload that.',
      ),
    );
    await expect(readParquetFooter(inMemory(sales.subarray(0, sales.length - 100)))).rejects.toThrow(
      'it does not end with Parquet\'s "PAR1" marker',
    );
    await expect(readParquetFooter(inMemory(new TextEncoder().encode('PAR1')))).rejects.toThrow(
      ParquetReadError,
    );
    // The footer's length says more bytes than the file has.
    const damaged = Buffer.from(sales);
    damaged.writeUInt32LE(sales.length * 2, sales.length - 8);
    await expect(readParquetFooter(inMemory(damaged))).rejects.toThrow(
      /^The file could not be read as Parquet: it is damaged \(parquet metadata length \d+ exceeds available buffer \d+\)\./,
    );
  });

  it('lets a storage fault through as it was, so the step is retried', async () => {
    const slowDown = new Error('SlowDown');
    const failing: AsyncBuffer = {
      byteLength: sales.length,
      slice: () => Promise.reject(slowDown),
    };
    await expect(readParquetFooter(failing)).rejects.toBe(slowDown);
  });
});

describe('Parquet datasets in the catalog', () => {
  let s3: ReturnType<typeof memoryS3>;
  const catalog = new DatasetCatalog({
    s3: new S3Client({ region: 'us-east-1' }),
    bucket: 'b',
    parquet: parquetFooterReader,
  });
  beforeEach(() => {
    s3 = memoryS3();
  });
  afterAll(() => s3.mock.restore());

  it('lists a Parquet upload with the rows and columns its footer gives, beside CSV files', async () => {
    s3.put('b', 'samples/churn.csv', 'a\n1\n', { rows: '1', columns: '1' });
    s3.put('b', 'users/u1/sales.parquet', sales, { title: 'Sales 2026.parquet' });
    s3.put('b', 'users/u1/notes.txt', 'not a dataset');
    expect(await catalog.list('u1')).toEqual([
      { id: 'churn.csv', name: 'churn.csv', sizeBytes: 4, sample: true, rows: 1, columns: 1 },
      {
        id: 'sales.parquet',
        name: 'Sales 2026.parquet',
        sizeBytes: sales.length,
        sample: false,
        rows: 5000,
        columns: 3,
      },
    ]);
    expect(await catalog.ids('u1')).toEqual(['churn.csv', 'sales.parquet']);
  });

  it('reads a footer once per version of the file: a listing again costs no read of it', async () => {
    s3.put('b', 'users/u2/once.parquet', sales);
    await catalog.list('u2');
    const reads = () => s3.mock.commandCalls(GetObjectCommand).length;
    const before = reads();
    expect(before).toBeGreaterThan(0);
    await catalog.list('u2');
    expect(reads()).toBe(before);
    // A new upload under the same name is another version: its footer is read.
    s3.put('b', 'users/u2/once.parquet', await parquetBytes('SELECT 1 AS only'));
    expect((await catalog.list('u2'))[0]).toMatchObject({ id: 'once.parquet', rows: 1, columns: 1 });
  });

  it('lists a file named .parquet that is not Parquet without counts, rather than failing the listing', async () => {
    s3.put('b', 'users/u3/fake.parquet', 'a,b\n1,2\n');
    expect(await catalog.list('u3')).toEqual([
      { id: 'fake.parquet', name: 'fake.parquet', sizeBytes: 8, sample: false },
    ]);
  });

  it('lets a storage fault reading a footer fail the listing, so the request is tried again', async () => {
    s3.put('b', 'users/u4/sales.parquet', sales);
    s3.mock.on(GetObjectCommand).rejectsOnce(new Error('SlowDown'));
    await expect(catalog.list('u4')).rejects.toThrow('SlowDown');
  });

  it('reads a dataset whose size it does not know only after locating it', async () => {
    await expect(
      catalog.parquetHead({ bucket: 'b', key: 'users/u1/sales.parquet', sample: false }),
    ).rejects.toThrow('The size of users/u1/sales.parquet is not known');
  });

  it('describes the columns from the footer alone with the footer reader: stored types, missing values, categories', async () => {
    s3.put(
      'b',
      'users/u5/sales.parquet',
      await parquetBytes(`SELECT i AS id, 'r' || (i % 4) AS region, i % 2 AS paid,
        CASE WHEN i % 10 = 0 THEN NULL ELSE i * 1.5 END AS amount,
        'customer ' || i AS customer, repeat('many words ', 5) || i AS note FROM range(5000) t(i)`),
    );
    const location = await catalog.locate('u5', 'sales.parquet');
    const { rows, sampledRows, columns } = await catalog.parquetHead(location);
    expect({ rows, sampledRows }).toEqual({ rows: 5000, sampledRows: 0 });
    expect(columns).toEqual([
      { name: 'id', type: 'integer', examples: [], missingInSample: 0 },
      // Four distinct values, as the writer counted them: categories, whose values the footer does not list.
      { name: 'region', type: 'categorical', examples: [], missingInSample: 0 },
      // Only 0 and 1 in every row group: true/false, as a CSV's sniffing reads them.
      { name: 'paid', type: 'boolean', examples: [], missingInSample: 0, values: ['0', '1'] },
      { name: 'amount', type: 'numeric', examples: [], missingInSample: 500 },
      // No distinct count recorded: short text is taken for categories, and the engine refuses too many.
      { name: 'customer', type: 'categorical', examples: [], missingInSample: 0 },
      { name: 'note', type: 'text', examples: [], missingInSample: 0 },
    ]);
  });

  it('without a Parquet reader, lists a Parquet dataset without counts and says it cannot be read here', async () => {
    const readingNoParquet = new DatasetCatalog({ s3: new S3Client({ region: 'us-east-1' }), bucket: 'b' });
    s3.put('b', 'users/u6/sales.parquet', sales);
    expect(await readingNoParquet.list('u6')).toEqual([
      { id: 'sales.parquet', name: 'sales.parquet', sizeBytes: sales.length, sample: false },
    ]);
    expect(s3.mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    await expect(
      readingNoParquet.parquetHead(await readingNoParquet.locate('u6', 'sales.parquet')),
    ).rejects.toThrow(new ParquetReadError('Parquet files cannot be read here.'));
  });
});

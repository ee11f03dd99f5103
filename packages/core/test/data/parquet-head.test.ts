import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AsyncBuffer } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { csvAsParquet, inMemory, parquetBytes } from '../../../../test/support/parquet';
import { sniffCsvHead } from '../../src/data/csv-head';
import { sniffParquetHead } from '../../src/data/parquet-head';
import { readParquetFooter } from '../../src/datasets/parquet';
import { ParquetReadError } from '../../src/datasets/parquet-reader';

const samples = join(import.meta.dirname, '../../../analysis/datasets');

async function look(bytes: Uint8Array, options?: Parameters<typeof sniffParquetHead>[2]) {
  const file = inMemory(bytes);
  const footer = await readParquetFooter(file);
  return { footer, head: await sniffParquetHead(file, footer, options), file };
}

const shape = (columns: { name: string; type: string; examples: string[]; values?: string[] }[]) =>
  columns.map(({ name, type, examples, values }) => ({ name, type, examples, values }));

describe('a look at the head of a Parquet file', () => {
  it.each([
    ['churn.csv', 'zstd'],
    ['lalonde.csv', 'snappy'],
    ['checkout_ab.csv', 'gzip'],
  ] as const)(
    'describes %s saved as Parquet (%s) as its CSV: the same columns, types, examples and categories',
    async (name, compression) => {
      const path = join(samples, name);
      const { footer, head } = await look(await csvAsParquet(path, { compression }));
      const csv = sniffCsvHead(readFileSync(path, 'utf8').slice(0, 64 * 1024), false);
      expect(shape(head.columns)).toEqual(shape(csv.columns));
      expect(head.sampledRows).toBe(Math.min(footer.rows, 1000));
    },
  );

  it('takes the types Parquet stores, which text cannot show', async () => {
    const { head } = await look(
      await parquetBytes(`SELECT
        DATE '2024-01-01' + (i % 30)::INTEGER AS day,
        TIMESTAMP '2024-01-01 08:00:00' + INTERVAL (i) MINUTE AS seen_at,
        i % 3 = 0 AS flagged,
        lpad((i % 7)::VARCHAR, 3, '0') AS code,
        (i % 5)::DOUBLE AS score,
        (i * 1.25)::DECIMAL(10, 2) AS price,
        [i, i + 1] AS pair,
        NULL::INTEGER AS nothing
      FROM range(200) t(i)`),
    );
    expect(head.columns.map((c) => [c.name, c.type])).toEqual([
      ['day', 'datetime'],
      ['seen_at', 'datetime'],
      ['flagged', 'boolean'],
      // Codes stored as text stay text: "007" is not the number 7.
      ['code', 'categorical'],
      ['score', 'integer'],
      ['price', 'numeric'],
      ['pair', 'text'],
      ['nothing', 'empty'],
    ]);
    const examples = Object.fromEntries(head.columns.map((c) => [c.name, c.examples]));
    expect(examples.day).toEqual(['2024-01-01', '2024-01-02', '2024-01-03']);
    expect(examples.seen_at?.[0]).toBe('2024-01-01 08:00:00');
    expect(examples.code).toEqual(['000', '001', '002']);
    expect(examples.pair?.[0]).toBe('[0,1]');
    expect(head.columns.find((c) => c.name === 'flagged')?.values).toEqual(['true', 'false']);
    expect(head.columns.find((c) => c.name === 'nothing')?.missingInSample).toBe(200);
  });

  it('counts as missing only what Parquet holds as null (or NaN): text such as "NA" or "" is a value, as the engine reads it', async () => {
    const { head } = await look(
      await parquetBytes(`SELECT
        CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN 'NA' WHEN 2 THEN '' ELSE 'north' END AS region,
        CASE WHEN i % 5 = 0 THEN 'NaN'::DOUBLE WHEN i % 5 = 1 THEN NULL ELSE i::DOUBLE END AS score
      FROM range(40) t(i)`),
    );
    const [region, score] = head.columns;
    expect(region).toMatchObject({ name: 'region', missingInSample: 10 });
    expect(region?.values).toEqual(['NA', '', 'north']);
    expect(score).toMatchObject({ name: 'score', type: 'integer', missingInSample: 16 });
  });

  it('fetches only the first rows’ columns that fit its budget; the others are named and typed from the footer', async () => {
    const bytes = await parquetBytes(
      `SELECT i AS n, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS noise, i % 2 AS half FROM range(120000) t(i)`,
      { rowGroupSize: 120000 },
    );
    const { head, file } = await look(bytes, { budgetBytes: 1024 * 1024, rows: 100 });
    expect(bytes.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(file.read).toBeLessThan(1.5 * 1024 * 1024);
    expect(head.sampledRows).toBe(100);
    expect(head.columns).toEqual([
      expect.objectContaining({ name: 'n', type: 'integer', examples: ['0', '1', '2'] }),
      { name: 'noise', type: 'text', examples: [], missingInSample: 0 },
      expect.objectContaining({ name: 'half', type: 'boolean', values: ['0', '1'] }),
    ]);
    const numbersOnly = await look(bytes, { budgetBytes: 0 });
    expect(numbersOnly.head.columns.map((c) => [c.name, c.type])).toEqual([
      ['n', 'integer'],
      ['noise', 'text'],
      ['half', 'boolean'],
    ]);
  });

  it('names the columns of a file with no rows', async () => {
    const { footer, head } = await look(await parquetBytes('SELECT 1 AS a, 2.5 AS b WHERE false'));
    expect(footer.rows).toBe(0);
    expect(head).toEqual({
      sampledRows: 0,
      columns: [
        { name: 'a', type: 'empty', examples: [], missingInSample: 0 },
        { name: 'b', type: 'empty', examples: [], missingInSample: 0 },
      ],
    });
  });

  it('says a file whose pages are damaged could not be read, and lets a storage fault through', async () => {
    const bytes = Buffer.from(
      await parquetBytes('SELECT i AS n FROM range(1000) t(i)', { compression: 'zstd' }),
    );
    const footer = await readParquetFooter(inMemory(bytes));
    const pages = Number(footer.metadata.row_groups[0]!.columns[0]!.meta_data!.data_page_offset);
    bytes.fill(0xff, pages + 2, pages + 40);
    await expect(sniffParquetHead(inMemory(bytes), footer)).rejects.toThrow(ParquetReadError);
    const slowDown = new Error('SlowDown');
    const failing: AsyncBuffer = { byteLength: bytes.length, slice: () => Promise.reject(slowDown) };
    await expect(sniffParquetHead(failing, footer)).rejects.toBe(slowDown);
  });
});

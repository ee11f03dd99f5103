import { describe, expect, it } from 'vitest';
import { detectDelimiter, loadCsv } from '../src/data/csv';
import { withDatabase } from '../src/data/database';
import { BadDataError, DataNotFoundError } from '../src/errors';
import { scratchDirectory } from './support/files';

const files = scratchDirectory();

async function load(content: string | Uint8Array) {
  const path = await files.file(content);
  return withDatabase({}, async (db) => {
    const loaded = await loadCsv(db, path);
    const rows = await db.rows('SELECT * FROM data');
    return { ...loaded, data: rows };
  });
}

async function failure(content: string | Uint8Array): Promise<Error> {
  return load(content).then(
    () => {
      throw new Error('expected the load to fail');
    },
    (error: Error) => error,
  );
}

describe('reading CSV files', () => {
  it('reads a header and rows, sniffing column types', async () => {
    const loaded = await load('id,price,name\n1,2.5,a\n2,3.25,b\n');
    expect(loaded.rows).toBe(2);
    expect(loaded.columns).toEqual([
      { name: 'id', sqlType: 'BIGINT' },
      { name: 'price', sqlType: 'DOUBLE' },
      { name: 'name', sqlType: 'VARCHAR' },
    ]);
  });

  it('strips a UTF-8 byte order mark from the first column name', async () => {
    const loaded = await load('\uFEFFa,b\n1,2\n');
    expect(loaded.columns.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it.each([
    [';', 'a;b;c\n1;2;x\n3;4;y\n'],
    ['\t', 'a\tb\tc\n1\t2\tx\n3\t4\ty\n'],
    ['|', 'a|b|c\n1|2|x\n3|4|y\n'],
  ])('reads files separated by %j', async (_, content) => {
    const loaded = await load(content);
    expect(loaded.columns.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(loaded.data).toEqual([
      { a: 1, b: 2, c: 'x' },
      { a: 3, b: 4, c: 'y' },
    ]);
  });

  it('keeps quoted delimiters, doubled quotes and line breaks inside one field', async () => {
    const loaded = await load('id,note\n1,"hello, ""world""\nsecond line"\n2,plain\n');
    expect(loaded.data).toEqual([
      { id: 1, note: 'hello, "world"\nsecond line' },
      { id: 2, note: 'plain' },
    ]);
  });

  it('reads Windows line endings', async () => {
    const loaded = await load('a,b\r\n1,2\r\n3,4\r\n');
    expect(loaded.data).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ]);
  });

  it("treats pandas' missing markers as missing, and nothing else", async () => {
    const loaded = await load('x,y\n1,NA\n2,\nNaN,null\n4,n/a\n5,None\n6,keep\n');
    expect(loaded.data.map((row) => row.x)).toEqual([1, 2, null, 4, 5, 6]);
    expect(loaded.data.map((row) => row.y)).toEqual([null, null, null, null, null, 'keep']);
  });

  it('re-reads every row when a value late in the file breaks the sniffed type', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i},${i % 7}`);
    const loaded = await load(`code,k\n${rows.join('\n')}\nA-17,3\n`);
    expect(loaded.columns[0]).toEqual({ name: 'code', sqlType: 'VARCHAR' });
    expect(loaded.rows).toBe(30_001);
  });

  it('picks the delimiter the header uses most, ignoring quoted text', () => {
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('"a,b";c;d')).toBe(';');
    expect(detectDelimiter('single')).toBe(',');
  });
});

describe('unreadable files are clear errors', () => {
  it('an empty file', async () => {
    const error = await failure('');
    expect(error).toBeInstanceOf(BadDataError);
    expect(error.message).toBe('The file is empty; a CSV needs a header row and at least one data row.');
  });

  it('a file of blank lines', async () => {
    expect((await failure('\n\n  \n')).message).toMatch(/^The file is empty/);
  });

  it('a header without rows', async () => {
    const error = await failure('a,b,c\n');
    expect(error).toBeInstanceOf(BadDataError);
    expect(error.message).toBe('The file has a header row but no data rows.');
  });

  it('a row with more fields than the header, naming the line', async () => {
    const error = await failure('a,b,c\n1,2,3\n4,5,6,7\n8,9,10\n');
    expect(error).toBeInstanceOf(BadDataError);
    expect(error.message).toBe(
      'Line 3 has 4 fields but the header has 3; every row needs one value per column (comma-separated).',
    );
  });

  it('a row with fewer fields than the header', async () => {
    expect((await failure('a;b;c\n1;2;3\n4;5\n')).message).toBe(
      'Line 3 has 2 fields but the header has 3; every row needs one value per column (semicolon-separated).',
    );
  });

  it('a quote that is never closed', async () => {
    expect((await failure('id,note\n1,"open\n2,x\n')).message).toMatch(/^A quoted value is never closed/);
  });

  it('bytes that are not UTF-8 text', async () => {
    const error = await failure(new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0x31, 0x2c, 0xff, 0xfe, 0x0a]));
    expect(error).toBeInstanceOf(BadDataError);
    expect(error.message).toBe(
      'The file is not valid UTF-8 text (line 2); save it as UTF-8 CSV and try again.',
    );
  });

  it('a path with no file', async () => {
    const error = await withDatabase({}, (db) => loadCsv(db, '/nonexistent/data.csv')).catch((e: Error) => e);
    expect(error).toBeInstanceOf(DataNotFoundError);
    expect((error as Error).message).toBe('There is no file at /nonexistent/data.csv.');
  });
});

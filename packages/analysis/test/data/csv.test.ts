import { describeReading } from '@cascade/core/contract';
import { sniffCsvHead } from '@cascade/core/csv-head';
import { describe, expect, it } from 'vitest';
import { loadCsv } from '../../src/data/csv';
import { explainLoadFailure } from '../../src/data/csv-failures';
import { withDatabase } from '../../src/data/database';
import { BadDataError, DataNotFoundError } from '../../src/errors';
import { rejectionOf } from '../support/failures';
import { scratchDirectory } from '../support/files';

const files = scratchDirectory();

async function load(content: string | Uint8Array) {
  const path = await files.file(content);
  return withDatabase({}, async (db) => {
    const loaded = await loadCsv(db, path);
    const rows = await db.rows('SELECT * FROM data');
    return { ...loaded, data: rows };
  });
}

const failure = (content: string | Uint8Array) => rejectionOf(load(content));

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

  it('counts a cell as missing exactly when the head the agent plans with does', async () => {
    const cells = [
      'NA',
      ' NA',
      'na',
      'N/A',
      'n/a',
      '#N/A',
      '<NA>',
      'None',
      'none',
      'NULL',
      'Null',
      'nan',
      '-',
      '?',
      '',
    ];
    const content = `${cells.map((_, i) => `c${i}`).join(',')}\n${cells.join(',')}\n${cells.map(() => 'keep').join(',')}\n`;
    const head = sniffCsvHead(content, true);
    const loaded = await load(content);
    const inEngine = cells.map((_, i) => loaded.data[0]![`c${i}`] === null);
    expect(head.columns.map((column) => column.missingInSample === 1)).toEqual(inEngine);
    expect(inEngine.filter(Boolean).length).toBeGreaterThan(1);
    expect(inEngine.some((missing) => !missing)).toBe(true);
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

  it.each([
    [
      'a row with fewer fields than the header',
      'a;b;c\n1;2;3\n4;5\n',
      'Line 3 has 2 fields but the header has 3; every row needs one value per column (semicolon-separated).',
    ],
    [
      'a quote that is never closed, naming the line it opens on',
      'id,note\n0,ok\n1,"open\n2,x\n',
      'A quoted value that opens on line 3 is never closed, so the rest of the file reads as one value; close the quote (a quote inside a quoted value is written "").',
    ],
    [
      'a quote in the middle of a value (which also keeps DuckDB from skipping the lines before it)',
      'id,note\n1,ok\n2,say "hi, there"\n',
      'Line 3 has a quote inside a value that does not start with one; quote the whole value and write each quote inside it as "".',
    ],
    [
      'text after a closing quote',
      'id,note\n1,"ok" then more\n',
      'Line 2 has text right after a closing quote; a quoted value must end where its field ends (a quote inside a quoted value is written "").',
    ],
  ])('%s', async (_, content, message) => {
    expect((await failure(content)).message).toBe(message);
  });

  it("a 3 MB line of garbage, by its line number and length, without DuckDB's words", async () => {
    const error = await failure(`a,b\n1,2\n${'x'.repeat(3_000_000)},5\n3,4\n`);
    expect(error).toBeInstanceOf(BadDataError);
    expect(error.message).toBe(
      'Line 3 is 3,000,002 bytes long, more than the 2,000,000 a line may have; remove or fix that line (it does not look like a row of data).',
    );
    expect(error.message).not.toMatch(/CSV Error|Original Line/);
  });

  it('a 3 MB first line', async () => {
    expect((await failure(`${'q'.repeat(3_000_000)}\n1,2\n`)).message).toMatch(
      /^Line 1 is 3,000,000 bytes long/,
    );
  });

  it('Latin-1 text, naming the first line that is not UTF-8', async () => {
    const latin1 = Buffer.from('name,city\nx,Bern\ny,Z\xfcrich\n', 'latin1');
    expect((await failure(latin1)).message).toBe(
      'The file is not valid UTF-8 text (line 3); save it as UTF-8 CSV and try again.',
    );
  });

  it('is not fooled by a character split between two reads of the file', async () => {
    // "é" takes bytes 65,535 and 65,536: the first 64 KiB read ends inside it.
    const content = `a,b\n1,${'x'.repeat(65_529)}é\n2,3,4\n`;
    expect(Buffer.from(content).subarray(65_535, 65_537).toString()).toBe('é');
    expect((await failure(content)).message).toBe(
      'Line 3 has 3 fields but the header has 2; every row needs one value per column (comma-separated).',
    );
  });

  it.each([
    ['a PNG image', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]],
    ['a ZIP archive (an Excel .xlsx workbook is one)', [0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0]],
    ['an Excel .xls workbook or another Office document', [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]],
    ['binary data', [0x61, 0x2c, 0x62, 0x0a, 0x31, 0x2c, 0x32, 0x0a, 0, 0x33, 0x34, 0x35, 0x36, 0x0a]],
  ])('%s is not CSV', async (what, bytes) => {
    const is = what === 'binary data' ? 'holds binary data' : `is ${what}`;
    expect((await failure(new Uint8Array(bytes))).message).toBe(
      `The file ${is}, not CSV text; save the data as CSV (text with a header row and one row per line) and try again.`,
    );
  });

  it.each([
    ['with a byte order mark', [0xff, 0xfe, 0x61, 0, 0x2c, 0, 0x62, 0]],
    ['without one', [0x61, 0, 0x2c, 0, 0x62, 0, 0x0a, 0]],
  ])('UTF-16 text %s is not UTF-8', async (_, bytes) => {
    expect((await failure(new Uint8Array(bytes))).message).toBe(
      'The file is UTF-16 text; save it as UTF-8 CSV and try again.',
    );
  });

  it.each([
    ['a JSON array', '[{"a": 1, "b": 2}, {"a": 3, "b": 4}]\n', 'JSON'],
    ['a JSON object', '{\n  "rows": [1, 2]\n}\n', 'JSON'],
    ['an HTML page', '<!DOCTYPE html>\n<html><body>Sign in</body></html>\n', 'an HTML page'],
    ['an XML document', '<?xml version="1.0"?>\n<rows/>\n', 'XML'],
  ])('%s is not CSV', async (_, text, what) => {
    expect((await failure(text)).message).toBe(
      `The file is ${what}, not CSV; save the data as CSV (text with a header row and one row per line) and try again.`,
    );
  });

  it('bytes that are not UTF-8 text', async () => {
    const error = await failure(new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0x31, 0x2c, 0xff, 0xfe, 0x0a]));
    expect(error).toBeInstanceOf(BadDataError);
    expect(error.message).toBe(
      'The file is not valid UTF-8 text (line 2); save it as UTF-8 CSV and try again.',
    );
  });

  it('a failure the file itself does not explain, with general advice and nothing of DuckDB', async () => {
    expect(await explainLoadFailure(await files.file('a;b\n1;2\n'), ';')).toBe(
      'The file could not be read as semicolon-separated CSV; check that it is a table of text with a header row and the same number of values on every line.',
    );
  });

  it('a path with no file', async () => {
    const error = await withDatabase({}, (db) => loadCsv(db, '/nonexistent/data.csv')).catch((e: Error) => e);
    expect(error).toBeInstanceOf(DataNotFoundError);
    expect((error as Error).message).toBe('There is no file at /nonexistent/data.csv.');
  });
});

describe('how the file was read, in notes', () => {
  it('reads one stray word in 60,000 numbers as a missing number, naming its line', async () => {
    const rows = Array.from(
      { length: 60_000 },
      (_, i) => `${i},${i === 41_234 ? 'oops' : (i % 97) / 4},${i % 7}`,
    );
    const loaded = await load(`id,x,k\n${rows.join('\n')}\n`);
    expect(loaded.columns).toEqual([
      { name: 'id', sqlType: 'BIGINT' },
      { name: 'x', sqlType: 'DOUBLE' },
      { name: 'k', sqlType: 'BIGINT' },
    ]);
    expect(loaded.reading).toEqual([
      { kind: 'coerced', column: 'x', count: 1, examples: [{ value: 'oops', line: 41_236 }] },
    ]);
    expect(describeReading(loaded.reading)).toEqual([
      'x is read as numbers; 1 value is not a number and counted as missing ("oops" on line 41,236).',
    ]);
    const x = loaded.data.map((row) => row.x);
    expect(x.filter((v) => v === null)).toHaveLength(1);
    expect(x.reduce((sum: number, v) => sum + ((v as number | null) ?? 0), 0)).toBeCloseTo(
      rows.reduce((sum, _, i) => sum + (i === 41_234 ? 0 : (i % 97) / 4), 0),
      6,
    );
  });

  it('reads whole numbers with placeholders as integers, and counts every placeholder', async () => {
    const rows = Array.from(
      { length: 100 },
      (_, i) => `${[3, 50, 99].includes(i) ? '?' : i === 70 ? '-' : i}`,
    );
    const loaded = await load(`n\n${rows.join('\n')}\n`);
    expect(loaded.columns).toEqual([{ name: 'n', sqlType: 'BIGINT' }]);
    expect(loaded.reading).toEqual([
      {
        kind: 'coerced',
        column: 'n',
        count: 4,
        examples: [
          { value: '?', line: 5 },
          { value: '?', line: 52 },
          { value: '-', line: 72 },
        ],
      },
    ]);
    expect(describeReading(loaded.reading)).toEqual([
      'n is read as numbers; 4 values are not a number and counted as missing ("?" on line 5, "?" on line 52, "-" on line 72, and 1 more).',
    ]);
  });

  it('counts lines, not rows, when a quoted value spans lines', async () => {
    const rows = Array.from(
      { length: 40 },
      (_, i) => `${i},"note ${i}${i === 10 ? '\nsecond line' : ''}",${i === 20 ? 'n.a.' : i}`,
    );
    const loaded = await load(`id,note,v\n${rows.join('\n')}\n`);
    expect(loaded.reading).toEqual([
      { kind: 'coerced', column: 'v', count: 1, examples: [{ value: 'n.a.', line: 23 }] },
    ]);
  });

  it('leaves a column of codes as text: a non-number with a digit is data, not a placeholder', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => (i === 60 ? 'A12' : String(1000 + i)));
    const loaded = await load(`code\n${rows.join('\n')}\n`);
    expect(loaded.columns).toEqual([{ name: 'code', sqlType: 'VARCHAR' }]);
    expect(loaded.reading).toEqual([]);
  });

  it('leaves text as text when more than 5 % of its values are not numbers', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => (i % 16 === 0 ? 'unknown' : String(i)));
    const loaded = await load(`v\n${rows.join('\n')}\n`);
    expect(loaded.columns).toEqual([{ name: 'v', sqlType: 'VARCHAR' }]);
    expect(loaded.reading).toEqual([]);
  });

  it('reads decimal commas in a semicolon-separated file, with dots as thousands', async () => {
    const loaded = await load(
      'name;price;qty;day\na;1.234,5;3;12.05.2020\nb;12,5;4;13.05.2020\nc;-0,75;5;14.05.2020\nd;7;6;15.05.2020\n',
    );
    expect(loaded.columns).toEqual([
      { name: 'name', sqlType: 'VARCHAR' },
      { name: 'price', sqlType: 'DOUBLE' },
      { name: 'qty', sqlType: 'BIGINT' },
      { name: 'day', sqlType: 'DATE' },
    ]);
    expect(loaded.data.map((row) => row.price)).toEqual([1234.5, 12.5, -0.75, 7]);
    expect(loaded.reading).toEqual([{ kind: 'decimal_comma', columns: ['price'] }]);
    expect(describeReading(loaded.reading)).toEqual([
      'Numbers use decimal commas (price) and were read that way.',
    ]);
  });

  it('reads decimal commas in tab- and pipe-separated files too, and a stray word among them', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i}\t${i === 9 ? 'x' : `${i},5`}`);
    const loaded = await load(`i\tv\n${rows.join('\n')}\n`);
    expect(loaded.data.slice(0, 3).map((row) => row.v)).toEqual([0.5, 1.5, 2.5]);
    expect(loaded.reading).toEqual([
      { kind: 'decimal_comma', columns: ['v'] },
      { kind: 'coerced', column: 'v', count: 1, examples: [{ value: 'x', line: 11 }] },
    ]);
    const piped = await load('a|b\n1,25|x\n2,5|y\n');
    expect(piped.data.map((row) => row.a)).toEqual([1.25, 2.5]);
  });

  it('does not read a dotted number with groups other than three as thousands', async () => {
    const loaded = await load('a;b\n1,5;3.5\n2,5;4.25\n');
    expect(loaded.data.map((row) => row.b)).toEqual([3.5, 4.25]);
    expect(loaded.reading).toEqual([{ kind: 'decimal_comma', columns: ['a'] }]);
  });

  it('hints at decimal commas in a comma-separated file, and leaves the values as text', async () => {
    const loaded = await load('name,price,amount\na,"12,5","1,234"\nb,"3,25","12,345"\nc,4,"999"\n');
    expect(loaded.columns.map((c) => c.sqlType)).toEqual(['VARCHAR', 'VARCHAR', 'VARCHAR']);
    expect(loaded.data.map((row) => row.price)).toEqual(['12,5', '3,25', '4']);
    // "1,234" and "12,345" read as thousands: no hint for amount.
    expect(loaded.reading).toEqual([{ kind: 'decimal_comma_suspected', columns: ['price'] }]);
    expect(describeReading(loaded.reading)).toEqual([
      'price looks like numbers written with decimal commas, so it is read as text; save the file with decimal points (or separate fields with semicolons) to use them as numbers.',
    ]);
  });

  it('names renamed headers: a repeated one and an empty one', async () => {
    const loaded = await load('y,x,y,,z\n1,2,3,4,5\n6,7,8,9,10\n');
    expect(loaded.columns.map((c) => c.name)).toEqual(['y', 'x', 'y_1', 'column3', 'z']);
    expect(loaded.reading).toEqual([
      { kind: 'renamed', from: 'y', to: 'y_1', position: 3 },
      { kind: 'renamed', from: '', to: 'column3', position: 4 },
    ]);
    expect(describeReading(loaded.reading)).toEqual([
      'Two columns are headed "y"; column 3 is called y_1.',
      'Column 4 has no header; it is called column3.',
    ]);
  });

  it('compares headers with a quote inside as DuckDB reads them', async () => {
    const loaded = await load('x,say "hi",x\n1,2,3\n');
    expect(loaded.reading).toEqual([{ kind: 'renamed', from: 'x', to: 'x_1', position: 3 }]);
  });

  it('does not call trimmed spaces or a quoted header a renaming', async () => {
    const loaded = await load('" a ","b,c"\n1,2\n');
    expect(loaded.columns.map((c) => c.name)).toEqual(['a', 'b,c']);
    expect(loaded.reading).toEqual([]);
  });

  it('reads integers beyond 2^53 as doubles, not as silently rounded integers', async () => {
    const loaded = await load('id,big,huge\n1,9007199254740993,7460000000000000000000\n2,12,1\n');
    expect(loaded.columns).toEqual([
      { name: 'id', sqlType: 'BIGINT' },
      { name: 'big', sqlType: 'DOUBLE' },
      { name: 'huge', sqlType: 'DOUBLE' },
    ]);
    expect(loaded.data).toEqual([
      { id: 1, big: 9007199254740992, huge: 7.46e21 },
      { id: 2, big: 12, huge: 1 },
    ]);
  });

  it('does not compare a header longer than the first 64 KB read', async () => {
    const long = 'b'.repeat(70_000);
    const loaded = await load(`a,${long},a\n1,2,3\n`);
    expect(loaded.columns.map((c) => c.name)).toEqual(['a', long, 'a_1']);
    expect(loaded.reading).toEqual([]);
  });

  it('adds nothing to a clean file', async () => {
    const loaded = await load('id,price,name,empty\n1,2.5,a,\n2,3.25,b,\n');
    expect(loaded.reading).toEqual([]);
    expect(loaded.columns.map((c) => c.sqlType)).toEqual(['BIGINT', 'DOUBLE', 'VARCHAR', 'VARCHAR']);
  });
});

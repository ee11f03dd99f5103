import { describe, expect, it } from 'vitest';
import { loadCsv } from '../../src/data/csv';
import { type ColumnarOptions, type ColumnarTable, readColumnar } from '../../src/data/csv-columns';
import { withDatabase } from '../../src/data/database';
import { seededRandom } from '../../src/datasets/random';
import { profileTable } from '../../src/engines/profile/profile';
import { profileColumns } from '../../src/engines/profile/profile-columns';
import { scratchDirectory } from '../support/files';

const files = scratchDirectory();

const columnar = (path: string, options: ColumnarOptions = {}) =>
  withDatabase({}, (db) => readColumnar(db, path, options)) as Promise<ColumnarTable | undefined>;

/** The profile both ways: straight from the columns, and from a DuckDB table as the fallback reads it. */
async function bothWays(path: string, options: ColumnarOptions = {}) {
  return withDatabase({}, async (db) => {
    const table = await readColumnar(db, path, options);
    if (typeof table !== 'object') throw new Error('the scan refused a plain file');
    return {
      scanned: await profileColumns(table, { parallel: false }),
      loaded: await profileTable(db, await loadCsv(db, path)),
    };
  });
}

/** Numbers with gaps, ties and negative zeros, integers, and texts that need quoting. */
function plainFile(rows: number, seed: number, lineEnd = '\n'): string {
  const random = seededRandom(seed);
  const texts = [
    'north',
    'south',
    'say "hi"',
    'a, b',
    'multi\nline',
    'ünïcødé',
    '日本',
    '🙂 smile',
    'NA',
    '',
  ];
  const lines = ['x,count,group,y,note'];
  for (let i = 0; i < rows; i++) {
    const x = random.bernoulli(0.05) ? '' : String(Math.round(random.normal(0, 3) * 1e6) / 1e6);
    const count = random.bernoulli(0.05) ? 'NA' : String(random.integer(-5, 40));
    const group = random.pick(['a', 'b', 'c', 'null']);
    const y = random.pick([
      '-0',
      '0',
      '.5',
      '5.',
      '1e3',
      '2.5E-3',
      '123456789012.125',
      '0.30000000000000004',
      'NaN',
    ]);
    const note = random.pick(texts);
    const quoted = /[",\n]/.test(note) ? `"${note.replace(/"/g, '""')}"` : note;
    lines.push([x, count, group, y, quoted].join(','));
  }
  return lines.join(lineEnd) + lineEnd;
}

describe('reading a plain CSV file straight into columns', () => {
  it('gives the same profile as the DuckDB table: numbers, gaps, missing markers, quoted texts and line breaks', async () => {
    const { scanned, loaded } = await bothWays(await files.file(plainFile(3000, 1)));
    expect(scanned).toEqual(loaded);
    expect(scanned.columns.map((c) => [c.name, c.type])).toEqual([
      ['x', 'numeric'],
      ['count', 'integer'],
      ['group', 'categorical'],
      ['y', 'numeric'],
      ['note', 'categorical'],
    ]);
  });

  it('reads Windows line endings and a last line without one the same way', async () => {
    const text = plainFile(500, 2, '\r\n');
    const { scanned, loaded } = await bothWays(await files.file(text.slice(0, -2)));
    expect(scanned).toEqual(loaded);
    expect(scanned.rows).toBe(500);
  });

  it('scans the second half of a file in a worker thread into the same columns', async () => {
    const path = await files.file(plainFile(20_000, 3).replace(/"[^"]*"/g, 'quoted'));
    const alone = await columnar(path, { parallel: false });
    const split = await columnar(path, { parallel: true });
    expect(split!.rows).toBe(20_000);
    expect(split).toEqual(alone);
  });

  it('skips the columns not asked for', async () => {
    const table = await columnar(await files.file(plainFile(100, 4)), { only: ['y'] });
    expect(table!.columns.map((c) => c.kind)).toEqual(['skipped', 'skipped', 'skipped', 'number', 'skipped']);
  });

  it.each([
    ['dates, which DuckDB alone reads', 'a,when\n1,2024-01-01\n2,2024-01-02\n'],
    ['true/false values', 'a,flag\n1,true\n2,false\n'],
    [
      'a word late in a number column',
      `a,b\n${Array.from({ length: 300 }, (_, i) => `${i},x`).join('\n')}\noops,y\n`,
    ],
    [
      'a decimal late in a whole-number column',
      `a\n${Array.from({ length: 30_000 }, (_, i) => i).join('\n')}\n2.5\n`,
    ],
    [
      'text that is mostly numbers',
      `a,b\n${Array.from({ length: 100 }, (_, i) => `${i},${i % 20 === 0 ? '?' : i}`).join('\n')}\n`,
    ],
    ['an infinite number', 'a,b\n1,x\ninf,y\n'],
    ['a blank line', 'a,b\n1,x\n\n2,y\n'],
    ['a ragged line', 'a,b\n1,x\n2\n'],
    ['text with surrounding spaces', 'a,b\n1, x\n2,y\n'],
    ['a quote inside an unquoted cell', 'a,b\n1,x"y\n2,y\n'],
    ['bytes that are not UTF-8', Buffer.from([...Buffer.from('a,b\n1,'), 0xff, 0xfe, 10])],
    // Its digits sum to 2^53 in doubles, so only DuckDB's BIGINT holds it.
    ['a whole number beyond 2^53', 'a,b\n1,x\n9007199254740993,y\n3,z\n'],
  ])('leaves to DuckDB a file with %s', async (_, content) => {
    expect(await columnar(await files.file(content))).toBeUndefined();
  });

  it('says the file is too large when its columns would not fit the memory allowed', async () => {
    const path = await files.file(plainFile(1000, 5).replace(/"[^"]*"/g, 'quoted'));
    // 1000 rows of three number columns (8 bytes a value), two text columns (4) and a number column to work in.
    expect(await columnar(path, { maxBytes: 39_999 })).toBe('too large');
    expect(await columnar(path, { maxBytes: 40_000 })).toMatchObject({ rows: 1000 });
  });

  it('reads numbers to the double DuckDB reads, beyond the fast path too', async () => {
    const values = [
      '0.1',
      '-123.456e-7',
      '9007199254740993',
      '1.7976931348623157e308',
      '4.9e-324',
      '123456789.123456789',
      // 17 digits that sum to 2^53 in doubles: one division of that sum would round twice.
      '90071992547409.93',
      '9007199254740993e-2',
    ];
    const path = await files.file(`v,t\n${values.map((v, i) => `${v},${i}x`).join('\n')}\n`);
    const table = await columnar(path);
    const column = table!.columns[0]!;
    expect(column.kind === 'number' && Array.from(column.values)).toEqual(values.map(Number));
  });
});

import { describe, expect, it } from 'vitest';
import { loadCsv } from '../../../src/data/csv';
import { withDatabase } from '../../../src/data/database';
import { loadData } from '../../../src/data/load';
import { seededRandom } from '../../../src/datasets/random';
import { type ProfileOptions, profileCsv, profileTable } from '../../../src/engines/profile/profile';
import type { ColumnProfile } from '../../../src/engines/profile/types';
import { AnalysisFailedError } from '../../../src/errors';
import { scratchDirectory } from '../../support/files';

const files = scratchDirectory();

const small = [
  'id,score,count,flag,group,when,note',
  '1,1.5,3,true,a,2024-01-01,hello',
  '2,2.5,1,false,b,2024-01-03,world',
  '3,,4,true,a,2024-01-02,"hi, there"',
  '4,4.0,1,true,c,2024-01-05,x',
  '5,10.0,5,NA,a,,y',
].join('\n');

const column = (columns: ColumnProfile[], name: string) => columns.find((c) => c.name === name)!;

/** The profile as it is computed from a DuckDB table, the way every file that is not plain CSV goes. */
const profileAsTable = (path: string, options: ProfileOptions) =>
  withDatabase(options, async (db) => profileTable(db, await loadData(db, path), options));

describe('profile of a small file, checked by hand', () => {
  it('counts rows and infers each column type', async () => {
    const result = await profileCsv(await files.file(small));
    expect(result.rows).toBe(5);
    expect(result.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'integer'],
      ['score', 'numeric'],
      ['count', 'integer'],
      ['flag', 'boolean'],
      ['group', 'categorical'],
      ['when', 'datetime'],
      ['note', 'categorical'],
    ]);
  });

  it('gives numeric columns sample moments, exact linear-interpolation quartiles and extremes', async () => {
    const { columns } = await profileCsv(await files.file(small));
    // score = 1.5, 2.5, 4, 10 (one missing): mean 18/4; squared deviations 9 + 4 + 0.25 + 30.25 over n - 1.
    expect(column(columns, 'score')).toMatchObject({ count: 4, missing: 1, unique: 4, min: 1.5, max: 10 });
    expect(column(columns, 'score').mean).toBeCloseTo(4.5, 14);
    expect(column(columns, 'score').std).toBeCloseTo(Math.sqrt(43.5 / 3), 14);
    // Order statistic h = 3p: q25 = 1.5 + 0.75·1, q50 = 2.5 + 0.5·1.5, q75 = 4 + 0.25·6.
    expect([
      column(columns, 'score').q25,
      column(columns, 'score').q50,
      column(columns, 'score').q75,
    ]).toEqual([2.25, 3.25, 5.5]);
    // count = 3, 1, 4, 1, 5: sorted 1, 1, 3, 4, 5, so the quartiles fall on values.
    expect(column(columns, 'count')).toMatchObject({
      count: 5,
      unique: 4,
      min: 1,
      q25: 1,
      q50: 3,
      q75: 4,
      max: 5,
    });
    expect(column(columns, 'count').std).toBeCloseTo(Math.sqrt(12.8 / 4), 14);
  });

  it("bins numbers into numpy's 20 equal-width bins", async () => {
    const { columns } = await profileCsv(await files.file(small));
    const { edges, counts } = column(columns, 'score').histogram!;
    expect(edges).toHaveLength(21);
    expect(edges[0]).toBe(1.5);
    expect(edges[20]).toBe(10);
    // Width 0.425: 1.5 in bin 0, 2.5 in bin 2 (2.35 ≤ 2.5 < 2.775), 4 in bin 5, 10 in the closed last bin.
    const expected = new Array(20).fill(0);
    for (const bin of [0, 2, 5, 19]) expected[bin] = 1;
    expect(counts).toEqual(expected);
  });

  it('lists top values by count, ties broken by value, and leaves out numeric-only fields', async () => {
    const { columns } = await profileCsv(await files.file(small));
    expect(column(columns, 'group').top).toEqual([
      { value: 'a', count: 3 },
      { value: 'b', count: 1 },
      { value: 'c', count: 1 },
    ]);
    expect(column(columns, 'flag')).toMatchObject({
      count: 4,
      missing: 1,
      top: [
        { value: true, count: 3 },
        { value: false, count: 1 },
      ],
    });
    for (const name of ['group', 'flag', 'when', 'note'])
      for (const field of ['mean', 'std', 'min', 'q25', 'q50', 'q75', 'max', 'histogram'])
        expect(column(columns, name)).not.toHaveProperty(field);
  });

  it('gives datetime columns their range', async () => {
    const { columns } = await profileCsv(await files.file(small));
    expect(column(columns, 'when')).toMatchObject({
      count: 4,
      missing: 1,
      earliest: '2024-01-01',
      latest: '2024-01-05',
    });
  });

  it('correlates numeric and true/false columns (as 0/1) over pairwise-complete rows', async () => {
    const { correlation } = await profileCsv(await files.file(small));
    expect(correlation.columns).toEqual(['id', 'score', 'count', 'flag']);
    // score and count over rows 1, 2, 4, 5: deviations (-3, -2, -0.5, 5.5) and (0.5, -1.5, -1.5, 2.5).
    expect(correlation.matrix[1]![2]).toBeCloseTo(16 / Math.sqrt(43.5 * 11), 14);
    expect(correlation.matrix[2]![1]).toBe(correlation.matrix[1]![2]);
    // id and flag over rows 1-4: deviations (-1.5, -0.5, 0.5, 1.5) and (0.25, -0.75, 0.25, 0.25).
    expect(correlation.matrix[0]![3]).toBeCloseTo(0.5 / Math.sqrt(5 * 0.75), 14);
    expect(correlation.matrix.map((row, i) => row[i])).toEqual([1, 1, 1, 1]);
  });

  it('lists every value of a numeric column with at most 12 of them, most frequent first', async () => {
    const { columns } = await profileCsv(await files.file(small));
    expect(column(columns, 'count').top).toEqual([
      { value: 1, count: 2 },
      { value: 3, count: 1 },
      { value: 4, count: 1 },
      { value: 5, count: 1 },
    ]);
    const many = Array.from({ length: 13 }, (_, i) => i).join('\n');
    expect(column((await profileCsv(await files.file(`v\n${many}\n`))).columns, 'v')).not.toHaveProperty(
      'top',
    );
  });
});

describe('profile of awkward columns', () => {
  it('calls a string column with many distinct values text, and few categorical', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => `${i % 3 === 0 ? 'red' : 'blue'},comment number ${i}`);
    const { columns } = await profileCsv(await files.file(`colour,comment\n${rows.join('\n')}\n`));
    expect(columns.map((c) => c.type)).toEqual(['categorical', 'text']);
    expect(column(columns, 'comment').top).toHaveLength(5);
  });

  it('reports a constant column without a NaN, and warns about it', async () => {
    const result = await profileCsv(await files.file('k,x\n7,1\n7,2\n7,4\n'));
    const k = column(result.columns, 'k');
    expect(k).toMatchObject({ mean: 7, std: 0, min: 7, q25: 7, q50: 7, q75: 7, max: 7, unique: 1 });
    // numpy widens a constant range by 0.5 each side; the value lands in the middle bin.
    expect(k.histogram!.edges[0]).toBe(6.5);
    expect(k.histogram!.counts[10]).toBe(3);
    expect(result.correlation.matrix).toEqual([
      [null, null],
      [null, 1],
    ]);
    expect(result.warnings).toContain(
      'Column "k" has the same value in every row that has one; it carries no information.',
    );
  });

  it('reports an all-missing column with counts only, and warns about it', async () => {
    const result = await profileCsv(await files.file('x,empty\n1,\n2,NA\n3,\n'));
    expect(column(result.columns, 'empty')).toEqual({
      name: 'empty',
      type: 'categorical',
      count: 0,
      missing: 3,
      unique: 0,
      top: [],
    });
    expect(result.warnings).toContain('Column "empty" has no values: all 3 rows are missing.');
  });

  it('gives a single value no standard deviation rather than NaN', async () => {
    const result = await profileCsv(await files.file('x,y\n1,5\n2,\n'));
    expect(column(result.columns, 'y')).toMatchObject({ count: 1, mean: 5, std: null, q50: 5 });
  });

  it('counts infinite values as missing, and says so', async () => {
    const result = await profileCsv(await files.file('x\n1.5\ninf\n2.5\n-Infinity\n'));
    expect(column(result.columns, 'x')).toMatchObject({ count: 2, missing: 2, mean: 2, min: 1.5, max: 2.5 });
    expect(result.warnings).toEqual(['Column "x" had infinite values; they are counted as missing.']);
    expect(JSON.stringify(result)).not.toMatch(/NaN|Infinity/);
  });
});

describe('profile agrees with DuckDB at scale', () => {
  it("matches DuckDB's exact aggregates on 50,000 seeded rows with gaps and ties", async () => {
    const random = seededRandom(7);
    const lines = ['a,b,c'];
    for (let i = 0; i < 50_000; i++) {
      const a = random.bernoulli(0.05) ? '' : random.normal(100, 15).toFixed(3);
      const b = random.bernoulli(0.1) ? '' : String(random.integer(0, 40));
      lines.push(`${a},${b},${random.pick(['x', 'y', 'z'])}`);
    }
    const path = await files.file(`${lines.join('\n')}\n`);
    const result = await profileCsv(path);
    const reference = await withDatabase({}, async (db) => {
      await loadCsv(db, path);
      return db.values(
        `SELECT avg(a), stddev_samp(a), quantile_cont(a, [0.25, 0.5, 0.75]), count(DISTINCT a),
                avg(b), stddev_samp(b), quantile_cont(b, [0.25, 0.5, 0.75]), corr(a, b) FROM data`,
      );
    });
    const [a, b] = [column(result.columns, 'a'), column(result.columns, 'b')];
    expect(a.mean).toBeCloseTo(reference[0] as number, 10);
    expect(a.std).toBeCloseTo(reference[1] as number, 10);
    expect([a.q25, a.q50, a.q75]).toEqual(reference[2]);
    expect(a.unique).toBe(reference[3]);
    expect(b.mean).toBeCloseTo(reference[4] as number, 10);
    expect(b.std).toBeCloseTo(reference[5] as number, 10);
    expect([b.q25, b.q50, b.q75]).toEqual(reference[6]);
    expect(result.correlation.matrix[0]![1]).toBeCloseTo(reference[7] as number, 12);
    expect(a.histogram!.counts.reduce((x, y) => x + y, 0)).toBe(a.count);
  });

  it('gives the same correlations from DuckDB when the columns do not fit in memory together', async () => {
    const random = seededRandom(13);
    const lines = ['a,b,c,k'];
    for (let i = 0; i < 5_000; i++) {
      const a = random.normal();
      const b = random.bernoulli(0.1) ? '' : (0.5 * a + random.normal()).toFixed(5);
      lines.push(`${a.toFixed(5)},${b},${random.bernoulli(0.05) ? '' : random.integer(0, 9)},3`);
    }
    const path = await files.file(`${lines.join('\n')}\n`);
    const inMemory = await profileCsv(path);
    // Room for one column at a time: the distributions still come out, the correlations from a scan.
    const scanned = await profileAsTable(path, { columnGroupBytes: 5_000 * 8 });
    expect(scanned.columns).toEqual(inMemory.columns);
    for (const [i, row] of inMemory.correlation.matrix.entries())
      for (const [j, r] of row.entries()) {
        if (r === null) expect(scanned.correlation.matrix[i]![j]).toBeNull();
        else expect(scanned.correlation.matrix[i]![j]).toBeCloseTo(r, 12);
      }
    expect(inMemory.correlation.matrix[3]).toEqual([null, null, null, null]);
  });

  it('correlates a true/false column the same from memory and from a scan, and a constant one not at all', async () => {
    const random = seededRandom(17);
    const lines = ['x,churned,always,y'];
    for (let i = 0; i < 2_000; i++) {
      const x = random.normal();
      const churned = random.bernoulli(0.02) ? 'NA' : String(x + random.normal() > 0.5);
      lines.push(`${x.toFixed(4)},${churned},true,${random.normal().toFixed(4)}`);
    }
    const path = await files.file(`${lines.join('\n')}\n`);
    const inMemory = await profileCsv(path);
    const scanned = await profileAsTable(path, { columnGroupBytes: 2_000 * 8 });
    expect(inMemory.correlation.columns).toEqual(['x', 'churned', 'always', 'y']);
    expect(scanned.correlation.columns).toEqual(inMemory.correlation.columns);
    const reference = await withDatabase({}, async (db) => {
      await loadCsv(db, path);
      return db.values('SELECT corr(x, CAST(churned AS DOUBLE)), corr(y, CAST(churned AS DOUBLE)) FROM data');
    });
    for (const result of [inMemory, scanned]) {
      expect(result.correlation.matrix[0]![1]).toBeCloseTo(reference[0] as number, 12);
      expect(result.correlation.matrix[3]![1]).toBeCloseTo(reference[1] as number, 12);
      expect(result.correlation.matrix[2]).toEqual([null, null, null, null]);
      expect(result.correlation.matrix[1]![1]).toBeCloseTo(1, 12);
    }
    // The strongest partner of churned is x, which a matrix without churned could not say.
    expect(Math.abs(inMemory.correlation.matrix[0]![1]!)).toBeGreaterThan(0.5);
  });

  it('describes half the columns in a worker thread with the same results', async () => {
    const random = seededRandom(19);
    const lines = ['a,b,c,d'];
    for (let i = 0; i < 3_000; i++)
      lines.push(
        `${random.normal().toFixed(3)},${random.integer(0, 20)},${random.bernoulli(0.1) ? '' : random.normal(5, 2).toFixed(2)},${i % 7}`,
      );
    const path = await files.file(`${lines.join('\n')}\n`);
    expect(await profileCsv(path, { parallel: true })).toEqual(await profileCsv(path, { parallel: false }));
  });

  it('profiles a table larger than its memory limit by spilling to disk', async () => {
    const random = seededRandom(11);
    const lines = ['a,b,c'];
    for (let i = 0; i < 1_000_000; i++)
      lines.push(`${random.normal().toFixed(4)},${random.integer(0, 1e6)},${i}`);
    const path = await files.file(`${lines.join('\n')}\n`);
    // 1M rows × 3 eight-byte columns is 24 MB of table against a 16 MB limit.
    const result = await profileCsv(path, { memoryLimit: '16MB', threads: 1 });
    expect(result.rows).toBe(1_000_000);
    expect(result.columns.map((c) => c.count)).toEqual([1e6, 1e6, 1e6]);
    expect(result.columns[2]).toMatchObject({ unique: 1e6, min: 0, q50: 499_999.5, max: 999_999 });
  }, 60_000);

  it('says so when the data does not fit even when spilling', async () => {
    const path = await files.file(`a,b\n${Array.from({ length: 1000 }, (_, i) => `${i},${i}`).join('\n')}\n`);
    const error = await profileCsv(path, { memoryLimit: '1MB', threads: 1 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(AnalysisFailedError);
    expect((error as Error).message).toMatch(/^The data did not fit in the memory the analysis may use/);
  });
});

import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { analysisErrorCodes, type Cell, type ChartSpec, type QueryResult } from '@cascade/core/contract';
import { ItemOutput } from '@cascade/core/protocol';
import { describe, expect, it, vi } from 'vitest';
import { histogram } from '../../../src/engines/profile/histogram';
import { drawChart } from '../../../src/engines/query/chart';
import { answer, type ChildMessage, errorFrom } from '../../../src/engines/query/child-protocol';
import { memoryCeiling } from '../../../src/engines/query/isolation';
import { resolveLimits } from '../../../src/engines/query/limits';
import { queryData } from '../../../src/engines/query/query-data';
import type { CollectedRows } from '../../../src/engines/query/result-rows';
import { type QueryOptions, queryDataInProcess } from '../../../src/engines/query/run-query';
import { explainSqlError } from '../../../src/engines/query/sql-errors';
import { statementBody } from '../../../src/engines/query/statement-body';
import { findForbidden } from '../../../src/engines/query/syntax-tree';
import {
  BadRequestError,
  ColumnNotFoundError,
  LimitExceededError,
  QueryRejectedError,
} from '../../../src/errors';
import { itemOutputBytes, toItemOutput } from '../../../src/output/item-output';
import { dataset, scratchDirectory } from '../../support/files';

const files = scratchDirectory();
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

interface ReferenceCase {
  file: string;
  sql: string;
  columns: string[];
  rows: Cell[][];
}
interface ReferenceHistogram {
  file: string;
  sql: string;
  edges: number[];
  counts: number[];
}
/** pandas' and numpy's answers (test/reference/query_data.py writes them; the tests only read them). */
const reference: { cases: Record<string, ReferenceCase>; histograms: Record<string, ReferenceHistogram> } =
  JSON.parse(await readFile(new URL('../../reference/query_data.json', import.meta.url), 'utf8'));

const query = (file: string, sql: string, options?: QueryOptions, chart?: ChartSpec) =>
  queryDataInProcess(file, { sql, ...(chart && { chart }) }, options);

/** The failure `work` ends with (it must fail). */
async function failure(work: Promise<unknown>): Promise<Error> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the query to fail').toBeInstanceOf(Error);
  return error as Error;
}

function expectCellsClose(actual: Cell[][], expected: Cell[][]): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, row] of actual.entries())
    for (const [j, cell] of row.entries()) {
      const want = expected[i]![j]!;
      if (typeof want === 'number' && !Number.isInteger(want))
        expect(
          Math.abs((cell as number) - want) / Math.max(1, Math.abs(want)),
          `row ${i} column ${j}`,
        ).toBeLessThan(1e-12);
      else expect(cell, `row ${i} column ${j}`).toEqual(want);
    }
}

describe('query_data answers as pandas does', () => {
  it.each(Object.entries(reference.cases))('%s', async (_, c) => {
    const result = await query(dataset(c.file), c.sql);
    expect(result.columns.map((column) => column.name)).toEqual(c.columns);
    expectCellsClose(result.rows, c.rows);
    expect(result).toMatchObject({ tool: 'query_data', source: c.file, sql: c.sql, truncated: false });
    expect(result.rowCount).toBe(c.rows.length);
  });

  it('reports DuckDB type names and the statement exactly as it ran', async () => {
    const sql =
      '  SELECT plan, count(*) AS n, avg(monthly_fee)::DECIMAL(8,2) AS fee FROM data GROUP BY plan ORDER BY plan;\n';
    const result = await query(dataset('churn.csv'), sql);
    expect(result.sql).toBe(sql.trim());
    expect(result.columns).toEqual([
      { name: 'plan', type: 'VARCHAR' },
      { name: 'n', type: 'BIGINT' },
      { name: 'fee', type: 'DECIMAL(8,2)' },
    ]);
    expect(result.rows[0]).toEqual(['basic', 1004, 17.98]);
  });

  it('reads from the data through range, generate_series, unnest, DESCRIBE and SUMMARIZE', async () => {
    const file = await files.file('x,y\n1,a\n2,b\n3,c\n');
    expect((await query(file, 'SELECT sum(x * i) FROM data, range(3) t(i)')).rows).toEqual([[18]]);
    expect((await query(file, 'SELECT count(*) FROM generate_series(1, 10)')).rows).toEqual([[10]]);
    expect((await query(file, 'SELECT unnest([x, x * 10]) AS v FROM data ORDER BY v')).rows.flat()).toEqual([
      1, 2, 3, 10, 20, 30,
    ]);
    expect((await query(file, 'DESCRIBE data')).rows.map((row) => row.slice(0, 2))).toEqual([
      ['x', 'BIGINT'],
      ['y', 'VARCHAR'],
    ]);
    expect((await query(file, 'SUMMARIZE data')).rowCount).toBe(2);
    // A WITH name may shadow a system view's name: it is the query's own table.
    expect(
      (await query(file, 'WITH sqlite_master AS (SELECT 42 AS x) SELECT x FROM sqlite_master')).rows,
    ).toEqual([[42]]);
  });
});

describe('rows kept and rows counted', () => {
  it('keeps the first 1,000 rows and counts every row', async () => {
    const result = await query(dataset('churn.csv'), 'SELECT customer_id FROM data ORDER BY customer_id');
    expect(result).toMatchObject({ rowCount: 2000, truncated: true });
    expect(result.rows).toHaveLength(1000);
    expect(result.rows[999]).toEqual(['C11000']);
  });

  it('counts rows far beyond the kept ones without holding them', async () => {
    const result = await query(dataset('lalonde.csv'), 'SELECT a.age, b.age FROM data a, data b');
    expect(result).toMatchObject({ rowCount: 614 * 614, truncated: true });
    expect(result.rows).toHaveLength(1000);
  });

  it('returns the columns of an empty result', async () => {
    const result = await query(dataset('churn.csv'), "SELECT plan FROM data WHERE plan = 'gold'");
    expect(result).toMatchObject({ rowCount: 0, rows: [], truncated: false, columns: [{ name: 'plan' }] });
  });
});

describe('values become cells', () => {
  const one = async (sql: string) => (await query(dataset('lalonde.csv'), sql)).rows[0]!;

  it('keeps numbers as numbers while exact, and wide integers as digits', async () => {
    expect(
      await one(
        "SELECT 42::TINYINT, 9007199254740991::BIGINT, 9007199254740993::BIGINT, (2::HUGEINT ** 70)::HUGEINT, 123.45::DECIMAL(10,2), 0.1::FLOAT, '112.216225'::FLOAT, 2.5::DOUBLE, '18446744073709551615'::UBIGINT",
      ),
    ).toEqual([
      42,
      9007199254740991,
      '9007199254740993',
      '1180591620717411303424',
      123.45,
      0.1,
      112.216225,
      2.5,
      '18446744073709551615',
    ]);
  });

  it('writes dates and times as ISO text', async () => {
    expect(
      await one(
        "SELECT DATE '2024-02-29', TIMESTAMP '2024-02-29 12:34:56.789', TIMESTAMPTZ '2024-02-29 12:34:56+00', TIME '01:02:03', TIMESTAMP_NS '2024-01-01 00:00:00.123456789', INTERVAL 1 DAY + INTERVAL 2 HOUR",
      ),
    ).toEqual([
      '2024-02-29',
      '2024-02-29T12:34:56.789',
      '2024-02-29T12:34:56+00:00',
      '01:02:03',
      '2024-01-01T00:00:00.123456789',
      '1 day 02:00:00',
    ]);
  });

  it('writes blobs, lists, structs and maps as text, nested numbers as numbers', async () => {
    expect(
      await one(
        "SELECT 'ab\\x00'::BLOB, [DATE '2024-01-01'], [1, 2]::BIGINT[], {'a': 1.5, 'b': ['x', NULL]}, MAP {'k': 1}, [1, 2]::INTEGER[2], 'a'::ENUM('a', 'b'), true, NULL::INTEGER",
      ),
    ).toEqual([
      'ab\\x00',
      '["2024-01-01"]',
      '[1,2]',
      '{"a":1.5,"b":["x",null]}',
      '{"k":1}',
      '[1,2]',
      'a',
      true,
      null,
    ]);
  });

  it('turns NaN and infinities into null, with a warning', async () => {
    const result = await query(
      dataset('lalonde.csv'),
      "SELECT 'nan'::DOUBLE, 'inf'::DOUBLE, '-inf'::FLOAT, 1.0",
    );
    expect(result.rows).toEqual([[null, null, null, 1]]);
    expect(result.warnings).toEqual(['3 values were NaN or infinite and are shown as empty (null).']);
  });

  it('keeps 200 columns and cuts text at 2,000 characters, saying so', async () => {
    const wide = `SELECT ${Array.from({ length: 250 }, (_, i) => `${i} AS c${i}`).join(', ')}`;
    const result = await query(dataset('lalonde.csv'), wide);
    expect(result.columns).toHaveLength(200);
    expect(result.rows[0]).toHaveLength(200);
    expect(result.warnings).toEqual(['The result has 250 columns; only the first 200 are kept.']);

    const long = await query(
      dataset('lalonde.csv'),
      "SELECT repeat('x', 5000) AS a, repeat('y', 10) AS b, repeat('z', 2001) AS c",
    );
    expect((long.rows[0]![0] as string).length).toBe(2000);
    expect(long.rows[0]![0]).toMatch(/^x+…$/);
    expect(long.rows[0]![1]).toBe('yyyyyyyyyy');
    expect(long.warnings).toEqual(['2 text values longer than 2,000 characters were cut short.']);
    const one = await query(dataset('lalonde.csv'), "SELECT repeat('x', 2001) AS a");
    expect(one.warnings).toEqual(['1 text value longer than 2,000 characters was cut short.']);
  });

  it('stops keeping rows when their text grows past about four million characters', async () => {
    const result = await query(
      dataset('lalonde.csv'),
      "SELECT repeat('x', 1990) a, repeat('y', 1990) b, repeat('z', 1990) c, i FROM range(1000) t(i)",
    );
    // 3 × 1,990 characters and a number (counted as 8) a row: 669 rows fit.
    expect(result).toMatchObject({ rowCount: 1000, truncated: true });
    expect(result.rows).toHaveLength(669);
    expect(result.warnings).toEqual([
      'Only the first 669 rows are kept: together they hold about 4,000,000 characters.',
    ]);
  });
});

describe('hostile SQL is refused or stopped with a sentence, and nothing outside data is read or written', () => {
  const secret = 'TOP-SECRET-7f3a9c';
  const tableFunction = (name: string) =>
    `The table function ${name}() is not available; only the table data can be queried, with range(), generate_series() and unnest() to make rows.`;
  const notReadOnly = (keyword: string) =>
    `Only one read-only SELECT (or WITH … SELECT) over the table data can run; ${keyword} statements are not allowed.`;
  const noFiles =
    'Only the table data (and names defined with WITH) can be queried; files and URLs cannot be read. Write FROM data.';
  const noTable = (name: string) =>
    `Only the table data (and names defined with WITH) can be queried; there is no table "${name}". Write FROM data.`;
  const oneStatement =
    'Send one statement at a time: the text holds 2 statements separated by ";". Only one SELECT (or WITH … SELECT) over the table data can run.';

  /** [what, SQL with {secret} and {dir} for the scratch file and directory, the sentence]. */
  const refused: [string, string, string][] = [
    ['read_csv of another file', "SELECT * FROM read_csv('{secret}')", tableFunction('read_csv')],
    ['read_csv_auto', "SELECT * FROM read_csv_auto('{secret}')", tableFunction('read_csv_auto')],
    ['read_parquet', "SELECT * FROM read_parquet('{dir}/x.parquet')", tableFunction('read_parquet')],
    ['read_json', "SELECT * FROM read_json('{secret}')", tableFunction('read_json')],
    ['read_text', "SELECT content FROM read_text('{secret}')", tableFunction('read_text')],
    ['read_blob', "SELECT content FROM read_blob('{secret}')", tableFunction('read_blob')],
    ['glob', "SELECT * FROM glob('{dir}/*')", tableFunction('glob')],
    ['sniff_csv', "SELECT * FROM sniff_csv('{secret}')", tableFunction('sniff_csv')],
    ['a file path as a table', "SELECT * FROM '{secret}'", noFiles],
    ['a file: URL', "SELECT * FROM 'file://{secret}'", noFiles],
    [
      'an http:// URL',
      "SELECT * FROM read_csv('http://169.254.169.254/latest/meta-data')",
      tableFunction('read_csv'),
    ],
    ['an https:// URL as a table', "SELECT * FROM 'https://example.com/data.csv'", noFiles],
    ['an s3:// URL', "SELECT * FROM 's3://another-bucket/users.csv'", noFiles],
    ['COPY … TO', "COPY data TO '{dir}/copy.csv'", notReadOnly('COPY')],
    ['COPY … FROM', "COPY data FROM '{secret}'", notReadOnly('COPY')],
    ['ATTACH', "ATTACH '{dir}/attached.db' AS other", notReadOnly('ATTACH')],
    ['DETACH', 'DETACH memory', notReadOnly('DETACH')],
    ['INSTALL', 'INSTALL httpfs', notReadOnly('INSTALL')],
    ['LOAD', 'LOAD httpfs', notReadOnly('LOAD')],
    // DuckDB's own statement type for this one is SELECT; json_serialize_sql refuses it.
    ['PRAGMA', 'PRAGMA version', notReadOnly('PRAGMA')],
    ['SET', "SET memory_limit = '100GB'", notReadOnly('SET')],
    ['RESET', 'RESET memory_limit', notReadOnly('RESET')],
    ['EXPORT DATABASE', "EXPORT DATABASE '{dir}/export'", notReadOnly('EXPORT')],
    // DuckDB reads IMPORT's files while parsing; by then the lock already forbids it.
    [
      'IMPORT DATABASE',
      "IMPORT DATABASE '{dir}'",
      'The query tried to reach a file, URL or setting outside its data, which is not allowed; only the table data can be queried.',
    ],
    ['CREATE TABLE', 'CREATE TABLE copy AS SELECT * FROM data', notReadOnly('CREATE')],
    ['CREATE VIEW', 'CREATE VIEW v AS SELECT * FROM data', notReadOnly('CREATE')],
    ['CREATE MACRO', 'CREATE MACRO twice(x) AS x * 2', notReadOnly('CREATE')],
    ['CREATE SECRET', "CREATE SECRET (TYPE s3, KEY_ID 'a', SECRET 'b')", notReadOnly('CREATE')],
    ['INSERT', 'INSERT INTO data SELECT * FROM data', notReadOnly('INSERT')],
    ['UPDATE', "UPDATE data SET plan = 'free'", notReadOnly('UPDATE')],
    ['DELETE', 'DELETE FROM data', notReadOnly('DELETE')],
    ['DROP', 'DROP TABLE data', notReadOnly('DROP')],
    [
      'a WITH that deletes',
      'WITH old AS (SELECT 1) DELETE FROM data',
      'Only one read-only SELECT (or WITH … SELECT) over the table data can run; this statement is not one.',
    ],
    ['DROP after a comment', '/* just a comment */ DROP TABLE data', notReadOnly('DROP')],
    ['two statements', 'SELECT 1; DROP TABLE data', oneStatement],
    ['a statement hidden after a line comment', 'SELECT 1 -- harmless\n; DROP TABLE data', oneStatement],
    ['query() with DDL', "SELECT * FROM query('DROP TABLE data')", tableFunction('query')],
    ['query_table()', "SELECT * FROM query_table('data')", tableFunction('query_table')],
    [
      'getenv',
      "SELECT getenv('AWS_SECRET_ACCESS_KEY')",
      'getenv() is not available in queries: the environment is not data.',
    ],
    [
      'current_setting',
      "SELECT current_setting('temp_directory')",
      'current_setting() is not available in queries: settings describe the machine, not the data.',
    ],
    ['duckdb_settings()', 'SELECT * FROM duckdb_settings()', tableFunction('duckdb_settings')],
    ['information_schema', 'SELECT * FROM information_schema.tables', noTable('information_schema.tables')],
    ['a system view', 'SELECT * FROM sqlite_master', noTable('sqlite_master')],
    [
      'a qualified system view',
      'SELECT * FROM system.main.duckdb_settings',
      noTable('system.main.duckdb_settings'),
    ],
    [
      'a WITH name used outside its scope',
      'SELECT * FROM (WITH sqlite_master AS (SELECT 1) SELECT 1), sqlite_master',
      noTable('sqlite_master'),
    ],
    ['CALL', 'CALL pragma_version()', notReadOnly('CALL')],
    ['EXPLAIN ANALYZE', 'EXPLAIN ANALYZE SELECT * FROM data', notReadOnly('EXPLAIN')],
    [
      'SHOW TABLES',
      'SHOW TABLES',
      'SHOW lists the database itself, which is not available; DESCRIBE data or SUMMARIZE data describe the data.',
    ],
    [
      'a PIVOT statement (a CREATE TYPE in disguise)',
      'PIVOT data ON plan USING count(*)',
      'PIVOT statements are not allowed; write SELECT … FROM data PIVOT (…) with an IN list, or aggregate with CASE.',
    ],
    ['DESCRIBE of another file', "DESCRIBE SELECT * FROM read_csv('{secret}')", tableFunction('read_csv')],
    ['sleep_ms', 'SELECT sleep_ms(100000)', 'sleep_ms() is not available in queries: it only waits.'],
    ['USE', 'USE memory', notReadOnly('USE')],
    ['CHECKPOINT', 'CHECKPOINT', notReadOnly('CHECKPOINT')],
    [
      'a deeply nested expression',
      `SELECT ${'abs('.repeat(1200)}1${')'.repeat(1200)}`,
      'The query nests expressions or subqueries more than 1,000 levels deep; write it with less nesting (a WITH clause can name the steps).',
    ],
    [
      'a very long chain of operators',
      `SELECT ${Array(1500).fill('1').join(' + ')}`,
      'The query nests expressions or subqueries more than 1,000 levels deep; write it with less nesting (a WITH clause can name the steps).',
    ],
  ];

  it.each(refused)('%s', async (_, template, sentence) => {
    const secretPath = await files.file(`value\n${secret}\n`, 'secret.csv');
    const directory = dirname(secretPath);
    const before = (await readdir(directory)).sort();
    const sql = template.replaceAll('{secret}', secretPath).replaceAll('{dir}', directory);
    const error = await failure(query(dataset('churn.csv'), sql));
    expect(error).toBeInstanceOf(QueryRejectedError);
    expect(error.message).toBe(sentence);
    expect(error.message).not.toContain(secret);
    expect((await readdir(directory)).sort()).toEqual(before);
  });

  it('stops a cross join that explodes to hundreds of millions of rows within the time limit', async () => {
    const started = performance.now();
    const error = await failure(
      query(dataset('lalonde.csv'), 'SELECT * FROM data a, data b, data c', { timeoutMs: 300 }),
    );
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.message).toBe(
      'The query ran longer than 0.3 s and was stopped; it produces too many rows or too much work — aggregate with GROUP BY, filter with WHERE, or add LIMIT.',
    );
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('stops an aggregate over a trillion-row cross join within the time limit', async () => {
    const error = await failure(
      query(dataset('lalonde.csv'), 'SELECT count(*) FROM range(1000000) a, range(1000000) b', {
        timeoutMs: 300,
      }),
    );
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.message).toMatch(/^The query ran longer than 0\.3 s and was stopped; /);
  });

  it('stops an infinite recursive CTE', async () => {
    const error = await failure(
      query(
        dataset('lalonde.csv'),
        'WITH RECURSIVE up(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM up) SELECT max(n) FROM up',
        { timeoutMs: 300 },
      ),
    );
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.message).toMatch(
      /^The query (ran longer than 0\.3 s|needed more than 1 GB of memory) and was stopped; /,
    );
  });

  it.each([
    ['string_agg over a huge range', "SELECT length(string_agg(i::VARCHAR, ',')) FROM range(100000000) t(i)"],
    ['list over a huge range', 'SELECT len(list(i)) FROM range(200000000) t(i)'],
  ])('stops %s at the memory limit with a sentence, not DuckDB’s text', async (_, sql) => {
    const error = await failure(query(dataset('lalonde.csv'), sql, { queryMemoryLimit: '64MB' }));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.message).toBe(
      'The query needed more than 64 MB of memory and was stopped; aggregate with GROUP BY, filter with WHERE, or add LIMIT so that less has to be held at once.',
    );
  });

  it('stops a query that would fill the disk with spilled data', { timeout: 30_000 }, async () => {
    const error = await failure(
      query(
        dataset('lalonde.csv'),
        "SELECT count(*) FROM (SELECT i, i::VARCHAR || 'padding-padding' AS s FROM range(30000000) t(i) ORDER BY random())",
        { queryMemoryLimit: '64MB', querySpillLimit: '32MB', timeoutMs: 60_000 },
      ),
    );
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.message).toMatch(
      /^The query needed more than 32 MB of temporary disk space and was stopped; /,
    );
  });

  it('queries nothing but the loaded file: after the lock no setting can be read or changed', async () => {
    const error = await failure(query(dataset('lalonde.csv'), "SELECT * FROM read_csv('/etc/passwd')"));
    expect(error.message).not.toMatch(/root:|passwd|Permission/);
  });
});

describe('SQL mistakes become sentences a person can act on', () => {
  const churnColumns =
    'customer_id, signup_date, plan, region, monthly_fee, tenure_months, support_calls, autopay, satisfaction, retention_offer, churned, last_feedback';
  const parse = (detail: string) =>
    `The SQL could not be parsed: ${detail}. Write one DuckDB SELECT statement over the table data.`;
  it.each([
    [
      'a column the data lacks',
      'SELECT revenue FROM data',
      ColumnNotFoundError,
      `Column "revenue" is not in the data; its columns are: ${churnColumns}.`,
    ],
    [
      'a qualified column the data lacks',
      'SELECT data.revenue FROM data',
      ColumnNotFoundError,
      `Column "revenue" is not in the data; its columns are: ${churnColumns}.`,
    ],
    [
      'a column out of reach in a subquery',
      'SELECT plan FROM (SELECT region FROM data)',
      BadRequestError,
      'Column "plan" is in the data but not available where the query names it (Referenced column "plan" not found in FROM clause! Candidate bindings: "region"); select it in the subquery or CTE it comes through.',
    ],
    ['a misspelt keyword', 'SELCT plan FROM data', BadRequestError, parse('syntax error at or near "SELCT"')],
    [
      'an unfinished statement',
      'SELECT plan FROM data WHERE',
      BadRequestError,
      parse('syntax error at end of input'),
    ],
    [
      'a misspelt function',
      'SELECT flor(monthly_fee) FROM data',
      BadRequestError,
      'DuckDB has no function flor(); did you mean floor()?',
    ],
    [
      'a function on the wrong type',
      'SELECT sum(plan) FROM data',
      BadRequestError,
      "The query failed: No function matches the given name and argument types 'sum(VARCHAR)'. You might need to add explicit type casts.",
    ],
    [
      'a missing GROUP BY',
      'SELECT plan, count(*) FROM data',
      BadRequestError,
      'The query failed: column "plan" must appear in the GROUP BY clause or must be part of an aggregate function. Either add it to the GROUP BY list, or use "ANY_VALUE(plan)" if the exact value of "plan" is not important.',
    ],
    [
      'a failed conversion',
      'SELECT plan::INTEGER FROM data',
      BadRequestError,
      "The query failed: Could not convert string 'basic' to INT32 when casting from source column plan.",
    ],
    [
      'only a comment',
      '-- only a comment',
      BadRequestError,
      'The SQL holds no statement; write one SELECT over the table data.',
    ],
    ['only spaces', '   ', BadRequestError, 'The SQL is empty; write one SELECT over the table data.'],
    [
      'a statement over 10,000 characters',
      `SELECT '${'x'.repeat(10_000)}'`,
      BadRequestError,
      'The SQL is 10,009 characters long; at most 10,000 are accepted.',
    ],
  ])('%s', async (_, sql, kind, sentence) => {
    const error = await failure(query(dataset('churn.csv'), sql));
    expect(error).toBeInstanceOf(kind);
    expect(error.message).toBe(sentence);
    expect(error.message).not.toMatch(/\n|LINE 1|Error:/);
  });
});

describe('in a process of its own', () => {
  // Each case starts a process (and the first bundles its script).
  it('answers as in this process', { timeout: 30_000 }, async () => {
    const args = { sql: 'SELECT plan, count(*) AS n FROM data GROUP BY plan ORDER BY plan' };
    expect(await queryData(dataset('churn.csv'), args)).toEqual(
      await queryDataInProcess(dataset('churn.csv'), args),
    );
  });

  it('fails with the same error class and sentence', { timeout: 30_000 }, async () => {
    const error = await failure(queryData(dataset('churn.csv'), { sql: 'SELECT revenue FROM data' }));
    expect(error).toBeInstanceOf(ColumnNotFoundError);
    expect(error.message).toMatch(/^Column "revenue" is not in the data; its columns are: customer_id, /);
    const refused = await failure(queryData(dataset('churn.csv'), { sql: 'DROP TABLE data' }));
    expect(refused).toBeInstanceOf(QueryRejectedError);
    expect(refused.message).toBe(
      'Only one read-only SELECT (or WITH … SELECT) over the table data can run; DROP statements are not allowed.',
    );
  });

  it('refuses too long a statement before starting a process', async () => {
    await expect(queryData(dataset('churn.csv'), { sql: 'x'.repeat(10_001) })).rejects.toThrow(
      BadRequestError,
    );
  });

  it('kills a statement DuckDB cannot interrupt once its time and a grace period are over', async () => {
    const started = performance.now();
    // Building one 300-million-element list is a single call that DuckDB's interrupt does not reach.
    const error = await failure(
      queryData(dataset('lalonde.csv'), { sql: 'SELECT len(range(300000000))' }, { timeoutMs: 500 }),
    );
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.message).toMatch(/^The query ran longer than 0\.5 s and was stopped; /);
    expect(performance.now() - started).toBeLessThan(10_000);
  }, 30_000);

  it('kills a process whose memory outgrows the limit where DuckDB does not count it, and removes its files', async () => {
    const scratch = async () =>
      (await readdir(tmpdir())).filter((name) => /^cascade-query-\w{6}$/.test(name));
    const before = await scratch();
    // One value of 2 GB: DuckDB builds it outside its buffer manager, so its memory limit never sees it.
    const error = await failure(
      queryData(
        dataset('lalonde.csv'),
        { sql: "SELECT length(repeat('x', 2000000000))" },
        { queryMemoryLimit: '100MB', timeoutMs: 60_000 },
      ),
    );
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.message).toMatch(/^The query needed more than 100 MB of memory and was stopped; /);
    await vi.waitFor(async () =>
      expect((await scratch()).filter((name) => !before.includes(name))).toEqual([]),
    );
  }, 30_000);
});

describe('charts from the result columns', () => {
  it.each(Object.entries(reference.histograms))(
    'a histogram of %s over every row is numpy’s',
    async (_, h) => {
      const result = await query(
        dataset(h.file),
        h.sql,
        {},
        { kind: 'histogram', x: h.sql.split(' ').at(-3)! },
      );
      const chart = result.chart;
      expect(chart?.kind).toBe('histogram');
      if (chart?.kind !== 'histogram') return;
      expect(chart.counts).toEqual(h.counts);
      chart.edges.forEach((edge, i) => {
        expect(Math.abs(edge - h.edges[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(h.edges[i]!)));
      });
      // The counts cover every row, not only the 1,000 returned.
      expect(chart.counts.reduce((a, b) => a + b, 0)).toBe(h.counts.reduce((a, b) => a + b, 0));
    },
  );

  it('bins values on the edges exactly as the profile’s histogram does', async () => {
    // 0.1 steps land on edges where floating point puts a value one bin off unless the edges decide.
    const values = Array.from({ length: 201 }, (_, i) => i / 10);
    const file = await files.file(`v\n${values.join('\n')}\n`);
    const result = await query(file, 'SELECT v FROM data', {}, { kind: 'histogram', x: 'v' });
    expect(result.chart).toMatchObject(histogram(Float64Array.from(values), 0, 20));
  });

  it('draws bars, not a histogram, for a 0/1 or few-valued column, and says why', async () => {
    const result = await query(
      dataset('lalonde.csv'),
      'SELECT treat FROM data',
      {},
      { kind: 'histogram', x: 'treat' },
    );
    expect(result.chart).toEqual({
      kind: 'bar',
      title: 'Rows by treat',
      x: 'treat',
      y: 'rows',
      bars: [
        { label: '0', value: 414 },
        { label: '1', value: 200 },
      ],
    });
    expect(result.warnings).toEqual([
      '"treat" has only 2 distinct values, so the chart counts the rows of each instead of drawing a histogram.',
    ]);
    const flags = await query(
      dataset('churn.csv'),
      'SELECT churned FROM data',
      {},
      { kind: 'histogram', x: 'churned' },
    );
    expect(flags.chart).toMatchObject({ kind: 'bar', bars: [{ label: 'false' }, { label: 'true' }] });
  });

  it('leaves infinite values out of a histogram, with a warning', async () => {
    const file = await files.file(`v\n${Array.from({ length: 30 }, (_, i) => i).join('\n')}\n`);
    const result = await query(
      file,
      "SELECT CASE WHEN v = 0 THEN 'inf'::DOUBLE ELSE v END AS w FROM data",
      {},
      { kind: 'histogram', x: 'w' },
    );
    expect(result.chart).toMatchObject({ kind: 'histogram', edges: expect.arrayContaining([1, 29]) });
    expect(result.warnings).toContain('The histogram leaves out 1 infinite or NaN value.');
  });

  it('draws bars by category, split into series', async () => {
    const result = await query(
      dataset('churn.csv'),
      'SELECT plan, churned, count(*) AS customers FROM data GROUP BY ALL ORDER BY plan, churned',
      {},
      { kind: 'bar', x: 'plan', y: 'customers', series: 'churned', title: 'Customers by plan' },
    );
    expect(result.chart).toMatchObject({
      kind: 'bar',
      title: 'Customers by plan',
      x: 'plan',
      y: 'customers',
    });
    if (result.chart?.kind !== 'bar') throw new Error('no bar chart');
    expect(result.chart.bars).toHaveLength(6);
    expect(result.chart.bars[0]).toEqual({ label: 'basic', value: 743, series: 'false' });
    const total = result.chart.bars.reduce((sum, bar) => sum + bar.value, 0);
    expect(total).toBe(2000);
  });

  it('says when bars show only the first rows, and keeps at most 100 bars', async () => {
    const result = await query(
      dataset('churn.csv'),
      'SELECT customer_id, monthly_fee FROM data',
      {},
      { kind: 'bar', x: 'customer_id', y: 'monthly_fee' },
    );
    if (result.chart?.kind !== 'bar') throw new Error('no bar chart');
    expect(result.chart.bars).toHaveLength(100);
    expect(result.warnings).toEqual([
      'The chart shows the first 1,000 of 2,000 rows; aggregate (GROUP BY) to chart them all.',
      'The chart shows the first 100 of 1,000 bars.',
    ]);
  });

  it('draws a line over dates in date order', async () => {
    const result = await query(
      dataset('checkout_ab.csv'),
      'SELECT CAST(visited_at AS DATE) AS day, avg(basket_value) AS basket FROM data GROUP BY day ORDER BY basket',
      {},
      { kind: 'line', x: 'day', y: 'basket' },
    );
    if (result.chart?.kind !== 'line') throw new Error('no line chart');
    const days = result.chart.points.map((p) => p.x as string);
    expect(days).toEqual([...days].sort());
    expect(days[0]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(result.chart.title).toBe('basket over day');
  });

  it('draws a line over numbers in numeric order, one per series', async () => {
    const result = await query(
      dataset('lalonde.csv'),
      'SELECT educ, treat, avg(re78) AS earnings FROM data GROUP BY ALL ORDER BY earnings',
      {},
      { kind: 'line', x: 'educ', y: 'earnings', series: 'treat' },
    );
    if (result.chart?.kind !== 'line') throw new Error('no line chart');
    const xs = result.chart.points.map((p) => p.x as number);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(new Set(result.chart.points.map((p) => p.series))).toEqual(new Set(['0', '1']));
  });

  it('draws a scatter of every returned row, or of rows sampled evenly from a longer result', async () => {
    const small = await query(
      dataset('lalonde.csv'),
      'SELECT age, re78 FROM data',
      {},
      { kind: 'scatter', x: 'age', y: 're78' },
    );
    if (small.chart?.kind !== 'scatter') throw new Error('no scatter');
    expect(small.chart.points).toHaveLength(614);

    const pairs = await query(
      dataset('lalonde.csv'),
      'SELECT a.age AS x, b.re78 AS y FROM data a, (SELECT * FROM data LIMIT 10) b',
      {},
      { kind: 'scatter', x: 'x', y: 'y' },
    );
    expect(pairs).toMatchObject({ rowCount: 6140, truncated: true });
    if (pairs.chart?.kind !== 'scatter') throw new Error('no scatter');
    // Every 4th of 6,140 rows: 1,535 points, each a pair the query produces.
    expect(pairs.chart.points).toHaveLength(1535);
    const ages = new Set((await query(dataset('lalonde.csv'), 'SELECT DISTINCT age FROM data')).rows.flat());
    for (const point of pairs.chart.points) expect(ages.has(point.x)).toBe(true);
  });

  it.each<[string, ChartSpec, string]>([
    [
      'a missing column',
      { kind: 'bar', x: 'plan', y: 'revenue' },
      'The bar chart was left out: the result has no column "revenue"; its columns are plan, n.',
    ],
    [
      'no y for a bar chart',
      { kind: 'bar', x: 'plan' },
      'The bar chart was left out: a bar chart needs y, a numeric column.',
    ],
    [
      'text as y',
      { kind: 'line', x: 'n', y: 'plan' },
      'The line chart was left out: y "plan" is VARCHAR, not a number.',
    ],
    [
      'text as a line’s x',
      { kind: 'line', x: 'plan', y: 'n' },
      'The line chart was left out: x "plan" is VARCHAR; a line needs numbers, dates or times on x.',
    ],
    [
      'text in a scatter',
      { kind: 'scatter', x: 'plan', y: 'n' },
      'The scatter chart was left out: x "plan" is VARCHAR, not a number.',
    ],
  ])('leaves the chart out for %s, with a warning, and keeps the result', async (_, chart, warning) => {
    const result = await query(
      dataset('churn.csv'),
      'SELECT plan, count(*) AS n FROM data GROUP BY plan ORDER BY plan',
      {},
      chart,
    );
    expect(result.chart).toBeUndefined();
    expect(result.warnings).toEqual([warning]);
    expect(result.rows).toHaveLength(3);
  });

  it('leaves out a histogram of text with many values, or of a column with none', async () => {
    const text = await query(
      dataset('churn.csv'),
      'SELECT customer_id FROM data',
      {},
      { kind: 'histogram', x: 'customer_id' },
    );
    expect(text.warnings).toEqual([
      'The histogram chart was left out: a histogram needs numbers, and "customer_id" is VARCHAR with 2,000 distinct values.',
    ]);
    const empty = await query(
      dataset('churn.csv'),
      'SELECT NULL::DOUBLE AS x',
      {},
      { kind: 'histogram', x: 'x' },
    );
    expect(empty.warnings).toEqual(['The histogram chart was left out: "x" has no values.']);
  });

  it('turns a failed pass over all rows into a warning, not a failed query', async () => {
    const collected: CollectedRows = {
      columns: [{ name: 'x', type: 'DOUBLE' }],
      rows: [[1], [2]],
      rowCount: 5000,
      warnings: [],
    };
    const timedOut = () =>
      Promise.reject(new LimitExceededError('The query ran longer than 10 s and was stopped; aggregate.'));
    expect(await drawChart({ kind: 'histogram', x: 'x' }, collected, timedOut)).toEqual({
      warnings: [
        'The histogram chart was left out: its pass over all rows ran longer than 10 s and was stopped; aggregate.',
      ],
    });
    await expect(
      drawChart({ kind: 'scatter', x: 'x', y: 'x' }, collected, () => Promise.reject(new Error('bug'))),
    ).rejects.toThrow('bug');
  });

  it('runs its pass over all rows on a statement that ends in a semicolon and a comment', async () => {
    const result = await query(
      dataset('lalonde.csv'),
      'SELECT re78 AS "a;b", \'--;\' AS note FROM data; -- the earnings',
      {},
      { kind: 'histogram', x: 'a;b' },
    );
    expect(result.chart?.kind).toBe('histogram');
  });
});

describe('the statement inside a subquery', () => {
  it.each([
    ['SELECT 1;', 'SELECT 1'],
    ['SELECT 1 ; -- done\n  ', 'SELECT 1'],
    ['SELECT 1 /* a /* nested */ comment */ ;', 'SELECT 1'],
    ["SELECT ';' -- x", "SELECT ';'"],
    ['SELECT \'it\'\'s;\' AS "a""b;"; ', 'SELECT \'it\'\'s;\' AS "a""b;"'],
    ["SELECT E'it\\'s;';", "SELECT E'it\\'s;'"],
    ['SELECT $tag$ ; -- $tag$, $$;$$ ;', 'SELECT $tag$ ; -- $tag$, $$;$$'],
    ["SELECT 'unterminated", "SELECT 'unterminated"],
    ['SELECT 1 /* unterminated', 'SELECT 1'],
  ])('%j is %j', (sql, body) => {
    expect(statementBody(sql)).toBe(body);
  });
});

describe('the syntax tree check', () => {
  it('lets WITH names reach only the query that defines them, including a recursive one', () => {
    const table = (name: string) => ({
      type: 'BASE_TABLE',
      table_name: name,
      schema_name: '',
      catalog_name: '',
    });
    const cte = (name: string, body: unknown) => ({ cte_map: { map: [{ key: name, value: body }] } });
    expect(findForbidden(undefined)).toBeUndefined();
    expect(findForbidden([cte('t', { from_table: table('t') })])).toBeUndefined();
    // A tree without the fields the rules read is refused, not waved through.
    expect(findForbidden([{ type: 'BASE_TABLE', table_name: 'data' }])).toBeInstanceOf(QueryRejectedError);
    expect(findForbidden([{ left: cte('t', {}), right: table('t') }])?.message).toMatch(
      /there is no table "t"/,
    );
    expect(
      findForbidden([{ from_table: { ...table('data'), schema_name: 'main', catalog_name: 'memory' } }]),
    ).toBeUndefined();
    expect(findForbidden([{ from_table: { ...table('data'), schema_name: 'other' } }])?.message).toMatch(
      /there is no table "other\.data"/,
    );
  });
});

describe('chat output', () => {
  const result = (overrides: Partial<QueryResult>): QueryResult => ({
    tool: 'query_data',
    source: 'churn.csv',
    sql: 'SELECT 1',
    columns: [{ name: 'n', type: 'INTEGER' }],
    rows: [[1]],
    rowCount: 1,
    truncated: false,
    reading: [],
    warnings: [],
    ...overrides,
  });

  it('states a single value in the answer, with the SQL that ran', async () => {
    const output = ItemOutput.parse(
      toItemOutput(await query(dataset('churn.csv'), 'SELECT avg(monthly_fee) AS mean_fee FROM data')),
    );
    expect(output.text).toBe(
      '**churn.csv**: the query returned one value: mean_fee = **32.5439**.\n\n```sql\nSELECT avg(monthly_fee) AS mean_fee FROM data\n```',
    );
    expect(output.tables).toEqual([]);
    expect(output.charts).toEqual([]);
  });

  it('shows at most 100 rows and says how many more there are', async () => {
    const output = toItemOutput(await query(dataset('churn.csv'), 'SELECT customer_id, plan FROM data'));
    expect(output.text).toMatch(
      /^\*\*churn\.csv\*\*: the query returned 2,000 rows × 2 columns; the first 1,000 are kept\. The table shows the first 100; 1,900 more are not shown\./,
    );
    expect(output.tables![0]).toMatchObject({ title: 'First 100 rows', columns: ['customer_id', 'plan'] });
    expect(output.tables![0]!.rows).toHaveLength(100);
  });

  it('states a missing single value as such', () => {
    expect(toItemOutput(result({ rows: [[null]] })).text).toMatch(
      /^\*\*churn\.csv\*\*: the query returned one value: n = \*\*missing \(null\)\*\*\./,
    );
  });

  it('says when no rows came back, lists warnings and fences SQL that holds backticks', () => {
    const output = toItemOutput(
      result({ sql: 'SELECT 1 AS "```"', rowCount: 0, rows: [], warnings: ['Something to know.'] }),
    );
    expect(output.text).toBe(
      '**churn.csv**: the query returned no rows.\n\n````sql\nSELECT 1 AS "```"\n````\n\n- ⚠ Something to know.',
    );
    expect(output.tables).toEqual([{ title: 'Result', columns: ['n'], rows: [] }]);
  });

  it('keeps the chart and as many rows as fit when a result is wide and long', async () => {
    const wide = result({
      columns: Array.from({ length: 40 }, (_, j) => ({ name: `c${j}`, type: 'VARCHAR' })),
      rows: Array.from({ length: 1000 }, () => Array.from({ length: 40 }, () => 'x'.repeat(2000))),
      rowCount: 5000,
      truncated: true,
      chart: {
        kind: 'scatter',
        title: 'y against x',
        x: 'x',
        y: 'y',
        points: Array.from({ length: 2000 }, (_, i) => ({ x: i / 3, y: Math.sqrt(i) })),
      },
    });
    const output = ItemOutput.parse(toItemOutput(wide));
    expect(bytes(output)).toBeLessThanOrEqual(itemOutputBytes);
    expect(output.charts).toHaveLength(1);
    const rows = output.tables![0]!.rows;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(100);
    expect((rows[0]![0] as string).length).toBe(200);
    expect(output.text).toContain(
      `The table shows the first ${rows.length}; ${(5000 - rows.length).toLocaleString('en-US')} more are not shown.`,
    );
  });

  it('rounds chart numbers to what a chart can show', () => {
    const output = toItemOutput(
      result({
        chart: {
          kind: 'line',
          title: 't',
          x: 'x',
          y: 'y',
          points: [
            { x: 1 / 3, y: 2 / 3 },
            { x: '2024-01-01', y: 1 },
          ],
        },
      }),
    );
    expect(output.charts![0]).toMatchObject({
      points: [
        { x: 0.33333333, y: 0.66666667 },
        { x: '2024-01-01', y: 1 },
      ],
    });
    const bars = toItemOutput(
      result({ chart: { kind: 'bar', title: 't', x: 'x', y: 'y', bars: [{ label: 'a', value: 1 / 7 }] } }),
    );
    expect(bars.charts![0]).toMatchObject({ bars: [{ label: 'a', value: 0.14285714 }] });
    const edges = toItemOutput(
      result({ chart: { kind: 'histogram', title: 't', column: 'x', edges: [0, 1 / 3], counts: [1] } }),
    );
    expect(edges.charts![0]).toMatchObject({ edges: [0, 0.33333333] });
  });
});

describe('the parts of the sandbox, one by one', () => {
  it('answers a job over the channel: each statement, then the result or the failure', async () => {
    const messages: ChildMessage[] = [];
    const send = async (message: ChildMessage) => {
      messages.push(message);
    };
    const logged: unknown[] = [];
    await answer({ path: dataset('churn.csv'), args: { sql: 'SELECT 1 AS one' }, options: {} }, send, (e) =>
      logged.push(e),
    );
    expect(messages.map((m) => m.type)).toEqual(['statement', 'result']);
    await answer(
      { path: dataset('churn.csv'), args: { sql: 'SELECT nope FROM data' }, options: {} },
      send,
      (e) => logged.push(e),
    );
    expect(messages.at(-1)).toMatchObject({ type: 'error', code: 'ColumnNotFound' });
    expect(logged).toEqual([]);
    // Something unexpected is logged, and the answer says nothing of it.
    await answer(
      { path: dataset('churn.csv'), args: { sql: 42 as unknown as string }, options: {} },
      send,
      (e) => logged.push(e),
    );
    expect(messages.at(-1)).toEqual({
      type: 'error',
      code: 'AnalysisFailed',
      message: 'The analysis failed unexpectedly; please try again.',
    });
    expect(logged).toHaveLength(1);
  });

  it.each(analysisErrorCodes)('rebuilds a %s failure with its sentence', (code) => {
    const error = errorFrom({ code, message: 'A sentence.' });
    expect([error.code, error.message]).toEqual([code, 'A sentence.']);
  });

  it('refuses limits that are not sizes or times', () => {
    expect(() => resolveLimits({ queryMemoryLimit: 'lots' })).toThrow(
      'The query memory limit "lots" is not a size; write it like 512MB or 2GB.',
    );
    expect(() => resolveLimits({ timeoutMs: 0 })).toThrow(
      'The query time limit must be a positive number of milliseconds.',
    );
    // DuckDB's share of the analysis's limit caps the query's; the whole is the process's ceiling.
    expect(resolveLimits({ memoryLimit: '256MB' })).toEqual({
      timeoutMs: 10_000,
      memoryBytes: 128e6,
      spillBytes: 4e9,
      processBytes: 256e6,
    });
  });

  it("stops the query's process at the analysis's memory limit, even where DuckDB's would allow more", () => {
    const mb = 1e6;
    // 100 MB held at the first statement, a query allowance of 1 GB and 512 MiB of headroom…
    expect(memoryCeiling(100 * mb, resolveLimits({}))).toBe(100 * mb + 1e9 + 512 * 2 ** 20);
    // …but never past the 1228 MB the analysis was given.
    expect(memoryCeiling(100 * mb, resolveLimits({ memoryLimit: '1228MB' }))).toBe(1228 * mb);
  });

  it('runs with the threads it is given', async () => {
    const result = await query(dataset('churn.csv'), 'SELECT count(*) FROM data', { threads: 1 });
    expect(result.rows).toEqual([[2000]]);
  });

  it('says nothing of DuckDB internals for errors no sentence is written for', () => {
    const limits = resolveLimits({});
    const explain = (message: string) => explainSqlError(new Error(message), ['a'], limits) as Error;
    expect(
      explain('INTERNAL Error: Attempted to access index 3 within vector of size 3\nStack Trace: …'),
    ).toMatchObject({
      name: 'AnalysisFailedError',
      message: 'The query failed inside the database engine; try writing it another way.',
    });
    expect(explain('INTERRUPT Error: Interrupted!')).toBeInstanceOf(LimitExceededError);
    expect(
      explain('Catalog Error: Table with name secrets does not exist!\nDid you mean "pg_tables"?').message,
    ).toBe(
      'Only the table data (and names defined with WITH) can be queried; there is no table "secrets". Write FROM data.',
    );
    expect(explain('Catalog Error: Scalar Function with name frobnicate does not exist!').message).toBe(
      'DuckDB has no function frobnicate().',
    );
    const plain = new TypeError('not DuckDB');
    expect(explainSqlError(plain, [], limits)).toBe(plain);
    expect(explainSqlError('a string', [], limits)).toBe('a string');
  });
});

import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/cli/args';
import { type Io, main } from '../../src/cli/main';
import { dataset, scratchDirectory } from '../support/files';

const files = scratchDirectory();
const bin = new URL('../../bin/cascade-analysis.mjs', import.meta.url).pathname;
/** estimate-effect on the LaLonde sample, up to the outcome's name. */
const lalondeEffectOf = [
  'estimate-effect',
  '--data',
  dataset('lalonde.csv'),
  '--treatment',
  'treat',
  '--outcome',
];

/** Runs main() in-process, capturing what it prints. */
async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** A new process loads Node, DuckDB and the data: seconds on a loaded two-core runner, not milliseconds. */
const spawnTimeout = 30_000;

/** Runs the installed command as a person would, in its own process. */
function spawn(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...argv],
      { env: { ...process.env, NODE_OPTIONS: '' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('the cascade-analysis command', () => {
  it(
    'profile --json prints exactly one JSON document',
    async () => {
      const { code, stdout, stderr } = await spawn(['profile', '--data', dataset('churn.csv'), '--json']);
      expect([code, stderr]).toEqual([0, '']);
      const result = JSON.parse(stdout);
      expect(result).toMatchObject({ rows: 2000, correlation: { columns: expect.any(Array) } });
      expect(result.columns).toHaveLength(12);
    },
    spawnTimeout,
  );

  it(
    'estimate-effect reports a readable summary and tables without --json',
    async () => {
      const { code, stdout } = await spawn([
        ...lalondeEffectOf,
        're78',
        '--covariates',
        'age,educ,black,hispan,married,nodegree,re74,re75',
      ]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^Effect of treat on re78 \(lalonde\.csv; 614 rows/);
      expect(stdout).toContain('\nEstimates\nmethod');
      expect(stdout).toContain('Regression adjustment    ATE');
    },
    spawnTimeout,
  );

  it(
    'fails with one sentence on stderr and a non-zero exit',
    async () => {
      const { code, stdout, stderr } = await spawn([...lalondeEffectOf, 'income', '--json']);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        'Column "income" is not in the data; its columns are: treat, age, educ, black, hispan, married, nodegree, re74, re75, re78.\n',
      );
    },
    spawnTimeout,
  );

  it('estimate-effect --json carries the contract fields and only the chosen methods', async () => {
    const { code, stdout } = await run([
      'estimate-effect',
      '--data',
      dataset('checkout_ab.csv'),
      '--treatment',
      'new_checkout',
      '--outcome',
      'basket_value',
      '--covariates',
      'device, returning ,items_viewed',
      '--methods',
      'difference_in_means,regression_adjustment',
      '--json',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(Object.keys(result)).toEqual(
      expect.arrayContaining(['n', 'treated', 'control', 'estimates', 'balance', 'warnings']),
    );
    expect(result.estimates.map((e: { method: string }) => e.method)).toEqual([
      'difference_in_means',
      'regression_adjustment',
    ]);
    for (const e of result.estimates)
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['method', 'estimand', 'estimate', 'se', 'ci']));
    expect(result.estimates[1].seHc1).toBeGreaterThan(0);
  });

  it('reports bad data from the file as one sentence', async () => {
    const { code, stderr } = await run(['profile', '--data', await files.file('a,b\n1,2\n3\n'), '--json']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'Line 3 has 1 fields but the header has 2; every row needs one value per column (comma-separated).\n',
    );
  });

  it.each([
    [
      ['summarize'],
      'Unknown command "summarize"; use profile, estimate-effect, query, compare-groups, fit-regression or task.',
    ],
    [['profile'], '--data is required: a CSV file path or s3://bucket/key.'],
    [
      ['profile', '--data', 'x.csv', '--treatment', 't'],
      /^Unknown option '--treatment'.*Run cascade-analysis --help for usage\.$/,
    ],
    [
      ['estimate-effect', '--data', 'x.csv', '--outcome', 'y'],
      'estimate-effect needs --treatment <column> and --outcome <column>.',
    ],
    [
      ['estimate-effect', '--data', 'x.csv', '--treatment', 't', '--outcome', 'y', '--methods', 'magic'],
      /^Unknown method "magic"; choose from difference_in_means, /,
    ],
    [['query', '--data', 'x.csv'], 'query needs --sql "<one SELECT statement over the table data>".'],
    [
      ['query', '--data', 'x.csv', '--sql', 'x'.repeat(10_001)],
      '--sql: Too big: expected string to have <=10000 characters.',
    ],
    [
      ['compare-groups', '--data', 'x.csv', '--outcome', 'y'],
      'compare-groups needs --outcome <column> and --group <column>.',
    ],
    [
      ['compare-groups', '--data', 'x.csv', '--outcome', 'y', '--group', 'g', '--groups', 'a'],
      '--groups needs at least two values, e.g. --groups a,b.',
    ],
    [
      ['fit-regression', '--data', 'x.csv', '--outcome', 'y'],
      'fit-regression needs --outcome <column> and --predictors a,b.',
    ],
    [
      ['fit-regression', '--data', 'x.csv', '--outcome', 'y', '--predictors', 'a', '--model', 'probit'],
      'Unknown model "probit"; choose from auto, ols, logistic.',
    ],
    [['query', '--data', 'x.csv', '--sql', 'SELECT 1', '--outcome', 'y'], /^Unknown option '--outcome'/],
  ])('rejects %j as a usage error (exit 2)', async (argv, message) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(2);
    if (typeof message === 'string') expect(stderr).toBe(`${message}\n`);
    else expect(stderr.trimEnd()).toMatch(message);
  });

  it('prints usage for --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const command of ['profile', 'estimate-effect', 'query', 'compare-groups', 'fit-regression'])
      expect(stdout).toContain(`cascade-analysis ${command} --data`);
  });

  it('query --json prints the result document', { timeout: 30_000 }, async () => {
    const { code, stdout, stderr } = await run([
      'query',
      '--data',
      dataset('churn.csv'),
      '--sql',
      'SELECT plan, count(*) AS n FROM data GROUP BY plan ORDER BY plan',
      '--json',
    ]);
    expect([code, stderr]).toEqual([0, '']);
    expect(JSON.parse(stdout)).toMatchObject({
      tool: 'query_data',
      source: 'churn.csv',
      columns: [
        { name: 'plan', type: 'VARCHAR' },
        { name: 'n', type: 'BIGINT' },
      ],
      rows: [
        ['basic', 1004],
        ['premium', 306],
        ['standard', 690],
      ],
      rowCount: 3,
    });
  });

  it('query prints the answer, the SQL and the table without --json', { timeout: 30_000 }, async () => {
    const { code, stdout } = await run([
      'query',
      '--data',
      dataset('churn.csv'),
      '--sql',
      'SELECT plan, count(*) AS n FROM data GROUP BY plan ORDER BY plan',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^churn\.csv: the query returned 3 rows × 2 columns\./);
    expect(stdout).toContain('```sql\nSELECT plan, count(*) AS n FROM data GROUP BY plan ORDER BY plan\n```');
    expect(stdout).toContain('Result\nplan         n\n');
  });

  it('query refuses anything but one SELECT with one sentence and exit 1', { timeout: 30_000 }, async () => {
    const { code, stdout, stderr } = await run([
      'query',
      '--data',
      dataset('churn.csv'),
      '--sql',
      'DROP TABLE data',
    ]);
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toBe(
      'Only one read-only SELECT (or WITH … SELECT) over the table data can run; DROP statements are not allowed.\n',
    );
  });

  it('compare-groups and fit-regression build their contract requests', () => {
    expect(
      parseCommand([
        'compare-groups',
        '--data',
        'a.csv',
        '--outcome',
        'y',
        '--group',
        'arm',
        '--groups',
        'b, a',
        '--json',
      ]),
    ).toEqual({
      command: 'analyze',
      request: {
        tool: 'compare_groups',
        data: 'a.csv',
        args: { outcome: 'y', group: 'arm', groups: ['b', 'a'] },
      },
      json: true,
    });
    expect(
      parseCommand(['compare-groups', '--data', 'a.csv', '--outcome', 'y', '--group', 'arm']),
    ).toMatchObject({
      request: { args: { outcome: 'y', group: 'arm' } },
      json: false,
    });
    expect(
      parseCommand([
        'fit-regression',
        '--data',
        'a.csv',
        '--outcome',
        'y',
        '--predictors',
        'x1, x2',
        '--model',
        'ols',
      ]),
    ).toEqual({
      command: 'analyze',
      request: {
        tool: 'fit_regression',
        data: 'a.csv',
        args: { outcome: 'y', predictors: ['x1', 'x2'], model: 'ols' },
      },
      json: false,
    });
    expect(
      parseCommand(['fit-regression', '--data', 'a.csv', '--outcome', 'y', '--predictors', 'x1']),
    ).toMatchObject({
      request: { args: { outcome: 'y', predictors: ['x1'] } },
    });
    expect(
      parseCommand(['estimate-effect', '--data', 'a.csv', '--treatment', 't', '--outcome', 'y']),
    ).toMatchObject({
      request: { tool: 'estimate_effect', args: { treatment: 't', outcome: 'y', covariates: [] } },
    });
    expect(parseCommand(['query', '--data', 's3://bucket/key.csv', '--sql', 'SELECT 1'])).toEqual({
      command: 'analyze',
      request: { tool: 'query_data', data: 's3://bucket/key.csv', args: { sql: 'SELECT 1' } },
      json: false,
    });
  });

  it('task mode without a token exits 2', async () => {
    const { code } = await run(['task']);
    expect(code).toBe(2);
  });
});

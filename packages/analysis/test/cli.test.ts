import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type Io, main } from '../src/cli/main';
import { scratchDirectory } from './support/files';

const files = scratchDirectory();
const dataset = (name: string) => new URL(`../datasets/${name}`, import.meta.url).pathname;
const bin = new URL('../bin/cascade-analysis.mjs', import.meta.url).pathname;

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
  it('profile --json prints exactly one JSON document', async () => {
    const { code, stdout, stderr } = await spawn(['profile', '--data', dataset('churn.csv'), '--json']);
    expect([code, stderr]).toEqual([0, '']);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ rows: 2000, correlation: { columns: expect.any(Array) } });
    expect(result.columns).toHaveLength(12);
  });

  it('estimate-effect reports a readable summary and tables without --json', async () => {
    const { code, stdout } = await spawn([
      'estimate-effect',
      '--data',
      dataset('lalonde.csv'),
      '--treatment',
      'treat',
      '--outcome',
      're78',
      '--covariates',
      'age,educ,black,hispan,married,nodegree,re74,re75',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Effect of treat on re78 \(lalonde\.csv; 614 rows/);
    expect(stdout).toContain('\nEstimates\nmethod');
    expect(stdout).toContain('Regression adjustment    ATE');
  });

  it('fails with one sentence on stderr and a non-zero exit', async () => {
    const { code, stdout, stderr } = await spawn([
      'estimate-effect',
      '--data',
      dataset('lalonde.csv'),
      '--treatment',
      'treat',
      '--outcome',
      'income',
      '--json',
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'Column "income" is not in the data; its columns are: treat, age, educ, black, hispan, married, nodegree, re74, re75, re78.\n',
    );
  });

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
    [['summarize'], 'Unknown command "summarize"; use profile, estimate-effect or task.'],
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
  ])('rejects %j as a usage error (exit 2)', async (argv, message) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(2);
    if (typeof message === 'string') expect(stderr).toBe(`${message}\n`);
    else expect(stderr.trimEnd()).toMatch(message);
  });

  it('prints usage for --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('cascade-analysis profile --data');
  });

  it('task mode without a token exits 2', async () => {
    const { code } = await run(['task']);
    expect(code).toBe(2);
  });
});

import { describe, expect, it, vi } from 'vitest';
import {
  effectObservation,
  formatNumber,
  formatPercent,
  type ItemRecord,
  markdownTable,
  type Notifier,
  observationOf,
  orderedTurns,
  parseS3Uri,
  profileObservation,
  readableError,
  round,
  runEvents,
  s3Uri,
  summarizeRun,
  toolInputSchema,
  turnKey,
  validateToolCall,
} from '../../src';

describe('validateToolCall', () => {
  it('accepts a call that matches the declaration and returns the parsed input', () => {
    expect(
      validateToolCall('estimate_effect', { datasetId: 'a.csv', treatment: 't', outcome: 'y', extra: 1 }),
    ).toEqual({
      ok: true,
      name: 'estimate_effect',
      input: { datasetId: 'a.csv', treatment: 't', outcome: 'y' },
    });
    expect(validateToolCall('list_datasets', undefined)).toMatchObject({ ok: true });
  });

  it('turns an unknown tool into a sentence that lists the real ones', () => {
    expect(validateToolCall('drop_table', {})).toEqual({
      ok: false,
      problem:
        'There is no tool named "drop_table". The tools are: list_datasets, describe_dataset, query_data, compare_groups, fit_regression, profile, estimate_effect, final_answer.',
    });
  });

  it('turns bad arguments into a sentence naming each field', () => {
    const result = validateToolCall('estimate_effect', { datasetId: '../x', treatment: '' });
    expect(result.ok).toBe(false);
    const { problem } = result as { problem: string };
    expect(problem).toMatch(
      /^The arguments for estimate_effect are invalid \(datasetId: .*; treatment: .*; outcome: .*\)\. Fix them and call it again\.$/,
    );
  });

  it('describes inputs as JSON Schema without the $schema key Bedrock does not want', () => {
    expect(toolInputSchema('profile')).toEqual({
      type: 'object',
      properties: {
        datasetId: expect.objectContaining({
          type: 'string',
          description: 'The dataset id, e.g. "churn.csv".',
        }),
      },
      required: ['datasetId'],
      additionalProperties: false,
    });
  });
});

describe('readableError', () => {
  const lambdaCause = (errorType: string, errorMessage: string) =>
    JSON.stringify({ errorType, errorMessage, trace: [] });

  it.each([
    [
      { route: 'task' as const, error: { Error: 'States.Timeout' } },
      'The analysis took longer than its time limit and was stopped.',
    ],
    [{ error: { Error: 'States.Timeout' } }, 'A step took longer than its time limit.'],
    [
      { route: 'task' as const, error: { Error: 'States.HeartbeatTimeout' } },
      'The analysis task stopped responding and was given up.',
    ],
    [
      { route: 'task' as const, error: { Error: 'ColumnNotFound', Cause: 'The column "x" does not exist.' } },
      'The column "x" does not exist.',
    ],
    [
      {
        error: {
          Error: 'NotFoundError',
          Cause: lambdaCause('NotFoundError', 'Dataset a.csv was not found.'),
        },
      },
      'Dataset a.csv was not found.',
    ],
    [
      {
        error: {
          Error: 'TypeError',
          Cause: lambdaCause('TypeError', "Cannot read properties of undefined (reading 'x')"),
        },
      },
      'An internal step failed (TypeError); please try again.',
    ],
    [
      { error: { Error: 'Lambda.Unknown', Cause: 'The Lambda runtime crashed' } },
      'An internal step failed (Lambda.Unknown); please try again.',
    ],
    [
      { route: 'task' as const, error: { Error: 'States.TaskFailed', Cause: 'x' } },
      'An internal step failed (States.TaskFailed); please try again.',
    ],
    [
      {
        error: {
          Error: 'ModelRejectedError',
          Cause: lambdaCause(
            'ModelRejectedError',
            'No access to model anthropic.claude-3-haiku-20240307-v1:0 in region eu-west-1: request access in the Bedrock console.',
          ),
        },
      },
      'No access to model anthropic.claude-3-haiku-20240307-v1:0 in region eu-west-1: request access in the Bedrock console.',
    ],
    [
      {
        error: {
          Error: 'ModelUnavailableError',
          Cause: lambdaCause(
            'ModelUnavailableError',
            'Could not reach the model endpoint at http://127.0.0.1:11434/v1: connection refused',
          ),
        },
      },
      'Could not reach the model endpoint at http://127.0.0.1:11434/v1: connection refused',
    ],
    [{}, 'The item failed for an unknown reason.'],
  ])('%j → %s', (state, sentence) => {
    expect(readableError(state)).toBe(sentence);
  });
});

describe('observations for the model', () => {
  it('keep the numbers a profile answer needs and the strongest correlations, booleans included', () => {
    const observation = profileObservation({
      tool: 'profile',
      source: 'p.csv',
      rows: 3,
      columns: [
        {
          name: 'a',
          type: 'numeric',
          count: 3,
          missing: 0,
          unique: 3,
          mean: 1.23456789,
          std: 0.5,
          min: 0,
          q50: 1,
          max: 2,
          top: [],
        },
        {
          name: 'c',
          type: 'categorical',
          count: 3,
          missing: 1,
          unique: 2,
          top: [
            { value: 'x', count: 2 },
            { value: 'y', count: 1 },
            { value: 'z', count: 1 },
            { value: 'w', count: 1 },
          ],
        },
      ],
      correlation: {
        columns: ['a', 'b', 'flag'],
        matrix: [
          [1, 0.2, -0.9],
          [0.2, 1, null],
          [-0.9, null, 1],
        ],
      },
      reading: [{ kind: 'renamed', from: 'a', to: 'a_1', position: 3 }],
      warnings: ['w'],
    });
    expect(observation).toEqual({
      rows: 3,
      columnCount: 2,
      columns: [
        {
          name: 'a',
          type: 'numeric',
          missing: 0,
          unique: 3,
          mean: 1.23457,
          std: 0.5,
          min: 0,
          q50: 1,
          max: 2,
        },
        {
          name: 'c',
          type: 'categorical',
          missing: 1,
          unique: 2,
          top: [
            { value: 'x', count: 2 },
            { value: 'y', count: 1 },
            { value: 'z', count: 1 },
          ],
        },
      ],
      strongestCorrelations: [
        { a: 'a', b: 'flag', r: -0.9 },
        { a: 'a', b: 'b', r: 0.2 },
      ],
      reading: ['Two columns are headed "a"; column 3 is called a_1.'],
      warnings: ['w'],
    });
  });

  it('keep every estimate, the headline and the worst-balanced covariates', () => {
    const observation = effectObservation({
      tool: 'estimate_effect',
      source: 'l.csv',
      treatment: 't',
      outcome: 'y',
      covariates: ['x', 'y2'],
      n: 10,
      treated: 4,
      control: 6,
      dropped: 0,
      headline: 'ipw_att',
      estimates: [
        {
          method: 'ipw_att',
          estimand: 'ATT',
          estimate: 1.23456789,
          se: 0.1,
          ci: [1.0000001, 1.5],
          pValue: 1e-30,
        },
      ],
      balance: [
        { covariate: 'x', smdBefore: 0.5, smdAfter: 0.01, smdAfterAtt: 0 },
        { covariate: 'y2', smdBefore: 0.4, smdAfter: -0.2, smdAfterAtt: null },
      ],
      reading: [],
      warnings: [],
    });
    expect(observation).toMatchObject({
      headline: 'ipw_att',
      estimates: [{ estimate: 1.23457, ci: [1, 1.5], pValue: 1e-30 }],
      worstBalanceAfterAdjustment: [{ covariate: 'y2' }, { covariate: 'x' }],
      warnings: [],
    });
    expect(observation).not.toHaveProperty('reading');
    expect(round(Number.NaN)).toBeNaN();
  });

  it("keep a query's first hundred rows, rounded, with the SQL and the true row count", () => {
    const rows = Array.from({ length: 150 }, (_, i) => [`g${i}`, i + 0.123456789]);
    const observation = observationOf({
      tool: 'query_data',
      source: 'q.csv',
      sql: 'SELECT g, x FROM data',
      columns: [
        { name: 'g', type: 'VARCHAR' },
        { name: 'x', type: 'DOUBLE' },
      ],
      rows,
      rowCount: 5000,
      truncated: true,
      reading: [],
      warnings: [],
    });
    expect(observation).toMatchObject({ sql: 'SELECT g, x FROM data', rowCount: 5000, rowsShownHere: 100 });
    expect((observation.rows as unknown[][]).length).toBe(100);
    expect((observation.rows as unknown[][])[1]).toEqual(['g1', 1.12346]);
  });

  it('keep the tests and groups of a comparison, and the coefficients of a regression, rounded', () => {
    const compared = observationOf({
      tool: 'compare_groups',
      source: 'c.csv',
      outcome: 'y',
      group: 'g',
      outcomeKind: 'numeric',
      n: 20,
      dropped: 1,
      groups: [
        { level: 'a', n: 10, mean: 1.234567891, std: 1, median: 1 },
        { level: 'b', n: 10, mean: 2, std: null, median: 2 },
      ],
      tests: [
        {
          test: 'welch_t',
          statistic: -2.123456789,
          df: 17.5,
          pValue: 0.0412345678,
          difference: { estimate: -0.765432198, ci: [-1.5, -0.03], label: 'a − b' },
          effectSize: { name: 'cohens_d', value: -0.95432101 },
        },
      ],
      reading: [],
      warnings: [],
    });
    expect(compared).toMatchObject({
      groups: [{ mean: 1.23457 }, { std: null }],
      tests: [
        {
          statistic: -2.12346,
          pValue: 0.0412346,
          difference: { estimate: -0.765432 },
          effectSize: { value: -0.954321 },
        },
      ],
    });
    const fitted = observationOf({
      tool: 'fit_regression',
      source: 'r.csv',
      outcome: 'y',
      model: 'logistic',
      positive: 'true',
      predictors: ['x'],
      references: [],
      n: 50,
      dropped: 0,
      coefficients: [
        {
          term: 'x',
          estimate: 0.123456789,
          se: 0.05,
          statistic: 2.4,
          pValue: 0.0164,
          ci: [0.02, 0.22],
          oddsRatio: 1.131401,
        },
      ],
      covariance: 'HC1',
      fit: { pseudoR2: 0.0512345, logLikelihood: -30.1 },
      reading: [],
      warnings: [],
    });
    expect(fitted).toMatchObject({
      positive: 'true',
      coefficients: [{ estimate: 0.123457, oddsRatio: 1.1314 }],
      fit: { pseudoR2: 0.0512345 },
    });
  });
});

describe('formatting', () => {
  it('formats numbers for reading', () => {
    expect([
      formatNumber(1234567.8),
      formatNumber(123.456),
      formatNumber(1.23456),
      formatNumber(0.012345),
      formatNumber(Number.POSITIVE_INFINITY),
    ]).toEqual(['1,234,568', '123.5', '1.235', '0.01235', 'Infinity']);
    expect(formatPercent(1, 3)).toBe('33.3 %');
    expect(formatPercent(1, 400)).toBe('0.25 %');
    expect(formatPercent(1, 0)).toBe('0 %');
  });

  it('escapes table cells', () => {
    expect(markdownTable(['a'], [['x|y\nz']])).toBe('| a |\n| --- |\n| x\\|y z |');
  });

  it('orders transcript turns by key, and s3 URIs round-trip', () => {
    expect(turnKey(3, 'tool')).toBe('003-tool');
    expect(orderedTurns(undefined)).toEqual([]);
    expect(parseS3Uri(s3Uri('b', 'k/e.json'))).toEqual({ bucket: 'b', key: 'k/e.json' });
    expect(() => parseS3Uri('https://x')).toThrow('Not an s3:// URI');
  });
});

describe('summarizeRun', () => {
  const item = (id: string, status: 'SUCCEEDED' | 'FAILED', text = `Answer ${id}\nmore`): ItemRecord => ({
    executionId: 'e',
    itemId: id,
    index: 0,
    input: 'x',
    status,
    ...(status === 'SUCCEEDED' ? { output: { text } } : { error: `Error ${id}` }),
  });

  it('is the answer itself for a single item', () => {
    expect(summarizeRun([item('1', 'SUCCEEDED', 'The mean is 3.')], 'SUCCEEDED')).toBe('The mean is 3.');
    expect(summarizeRun([item('1', 'FAILED')], 'FAILED')).toBe('This could not be answered: Error 1');
  });

  it('is an overview table for a batch, capped at 50 rows', () => {
    const items = Array.from({ length: 52 }, (_, i) => item(`i${i}`, i === 0 ? 'FAILED' : 'SUCCEEDED'));
    const summary = summarizeRun(items, 'PARTIAL');
    expect(summary.startsWith('**51 of 52 items succeeded**, 1 failed.')).toBe(true);
    expect(summary).toContain('| i0 | ✗ | Error i0 |');
    expect(summary).toContain('| i1 | ✓ | Answer i1 |');
    expect(summary).toContain('…and 2 more items.');
    expect(summarizeRun(items.slice(1, 3), 'SUCCEEDED').startsWith('**All 2 items succeeded.**')).toBe(true);
  });

  it('shortens a long first line', () => {
    expect(
      summarizeRun([item('a', 'SUCCEEDED', 'x'.repeat(300)), item('b', 'SUCCEEDED')], 'SUCCEEDED'),
    ).toContain(`${'x'.repeat(119)}…`);
  });
});

describe('runEvents', () => {
  const run = { executionId: 'e', sessionId: 's', userId: 'u' };

  it('computes percent from finished items and never goes past 100', async () => {
    const toUser = vi.fn().mockResolvedValue({ sent: 1, gone: 0, failed: 0 });
    const events = runEvents({ toUser, toConnection: vi.fn(), disconnect: vi.fn() } as Notifier, run);
    await events.progress(
      { totalItems: 3, completedItems: 1, failedItems: 0 },
      { id: 'a', status: 'SUCCEEDED', durationMs: 5 },
    );
    await events.progress(
      { totalItems: 0, completedItems: 0, failedItems: 0 },
      { id: 'b', status: 'FAILED', durationMs: 1, error: 'x' },
    );
    expect(toUser.mock.calls.map(([, m]) => m.percent)).toEqual([33.3, 100]);
  });

  it('never fails a step because an event could not be sent', async () => {
    const toUser = vi.fn().mockRejectedValue(new Error('too large'));
    await expect(
      runEvents({ toUser, toConnection: vi.fn(), disconnect: vi.fn() } as Notifier, run).step(
        'a',
        'parse',
        'started',
      ),
    ).resolves.toBeUndefined();
  });
});

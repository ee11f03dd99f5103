import { describe, expect, it } from 'vitest';
import { type Observed, type QueryObservation, writeAnswer } from '../../../src/agent/planner/answers';
import type { Frame } from '../../../src/agent/planner/frame';

/**
 * The answers a person reads, written from tool results: the number in a sentence, ties and
 * missing values said, what the question was read as above, how it was computed below.
 */

const query = (
  sql: string,
  columns: string[],
  rows: QueryObservation['rows'],
  extra: Partial<QueryObservation> = {},
): Observed => ({
  tool: 'query_data',
  input: { datasetId: 'churn.csv', sql },
  result: {
    sql,
    columns: columns.map((name) => ({ name, type: 'DOUBLE' })),
    rows,
    rowCount: rows.length,
    ...extra,
  },
});

describe('aggregates', () => {
  it('says one number in a sentence and shows the SQL it came from', () => {
    const frame: Frame = {
      kind: 'aggregate',
      datasetId: 'churn.csv',
      measures: [{ fn: 'mean', column: 'monthly_fee' }, { fn: 'count' }],
      by: [],
      filters: [{ column: 'plan', op: '=', value: 'pro' }],
    };
    const sql = `SELECT avg("monthly_fee") AS mean_monthly_fee, count(*) AS rows FROM data WHERE "plan" = 'pro'`;
    const answer = writeAnswer(frame, [query(sql, ['mean_monthly_fee', 'rows'], [[49.87654, 1234]])], 12);
    expect(answer).toContain(
      "_Question read as: the average of monthly_fee and the number of rows in churn.csv, for rows where plan = 'pro'._",
    );
    expect(answer).toContain(
      "The average of monthly_fee for rows where plan = 'pro' is **49.88**; The number of rows for rows where plan = 'pro' is **1,234**.",
    );
    expect(answer).toContain('**How this was computed**: SQL over churn.csv (the table `data`)');
    expect(answer).toContain(`\`\`\`sql\n${sql}\n\`\`\``);
  });

  it('says a measure with no values is undefined rather than zero', () => {
    const frame: Frame = {
      kind: 'aggregate',
      datasetId: 'churn.csv',
      measures: [{ fn: 'rate', column: 'churned' }],
      by: [],
      filters: [],
    };
    expect(writeAnswer(frame, [query('q', ['share_churned'], [[null]])], undefined)).toContain(
      'is **undefined (no values)**',
    );
  });

  it('says how many rows the conditions keep, and refuses to compute over none', () => {
    const frame: Frame = {
      kind: 'aggregate',
      datasetId: 'churn.csv',
      measures: [{ fn: 'rate', column: 'churned' }],
      by: [],
      filters: [{ column: 'signup_date', op: '>=', value: '2025-01-01' }],
    };
    expect(writeAnswer(frame, [query('q', ['share_churned', 'rows'], [[0.25, 40]])], undefined)).toContain(
      "The share of churned = true for rows where signup_date >= '2025-01-01' is **25 %** (over 40 rows).",
    );
    expect(writeAnswer(frame, [query('q', ['share_churned', 'rows'], [[null, 0]])], undefined)).toContain(
      "I can't compute the share of churned = true for rows where signup_date >= '2025-01-01': no row of churn.csv meets those conditions",
    );
  });

  it('lists groups, twelve at most, and counts the rest', () => {
    const frame: Frame = {
      kind: 'aggregate',
      datasetId: 'churn.csv',
      measures: [{ fn: 'rate', column: 'churned' }],
      by: ['region'],
      filters: [],
    };
    const rows = Array.from({ length: 14 }, (_, i) => [`r${i}`, i / 100]);
    const answer = writeAnswer(frame, [query('q', ['region', 'share_churned'], rows)], undefined);
    expect(answer).toContain('The share of churned = true by region: r0 **0 %**, r1 **1 %**');
    expect(answer).toContain('r11 **11 %**, and 2 more groups in the table.');
    expect(answer).not.toContain('r12');
  });

  it('names every group tied for the top and the runner-up', () => {
    const frame: Frame = {
      kind: 'aggregate',
      datasetId: 'churn.csv',
      measures: [{ fn: 'mean', column: 'monthly_fee' }],
      by: ['plan'],
      filters: [],
      rank: { descending: true, limit: 1 },
    };
    const answer = writeAnswer(
      frame,
      [
        query(
          'q',
          ['plan', 'mean_monthly_fee'],
          [
            ['pro', 60],
            ['team', 60],
            ['basic', 20.5],
          ],
        ),
      ],
      undefined,
    );
    expect(answer).toContain(
      '**pro** and **team** share the highest average of monthly_fee: **60** (next: basic at 20.5).',
    );
  });

  it('ranks the lowest n groups and says when there are no rows', () => {
    const frame: Frame = {
      kind: 'aggregate',
      datasetId: 'churn.csv',
      measures: [{ fn: 'sum', column: 'support_calls' }],
      by: ['region', 'plan'],
      filters: [{ column: 'tenure_months', op: '>', value: 100 }],
      rank: { descending: false, limit: 2 },
    };
    const rows = [
      ['north', 'pro', 3],
      ['south', null, 4],
      ['east', 'basic', 9],
    ];
    expect(
      writeAnswer(frame, [query('q', ['region', 'plan', 'total_support_calls'], rows)], undefined),
    ).toContain(
      'The 2 region · plan values with the lowest total of support_calls for rows where tenure_months > 100: **north · pro** 3, **south · (missing)** 4.',
    );
    expect(
      writeAnswer(
        { ...frame, rank: { descending: true, limit: 1 } },
        [query('q', ['region'], [])],
        undefined,
      ),
    ).toContain('No rows for rows where tenure_months > 100.');
  });
});

describe('values, top values and rows', () => {
  const values = (column: string, rows: [string | null, number][]) => query('q', [column, 'rows'], rows);

  it('lists distinct values with counts and shares, and the rows with no value', () => {
    const frame: Frame = { kind: 'values', datasetId: 'churn.csv', column: 'plan', filters: [] };
    const answer = writeAnswer(
      frame,
      [
        values('plan', [
          ['basic', 50],
          ['pro', 30],
          [null, 20],
        ]),
      ],
      undefined,
    );
    expect(answer).toContain(
      'plan has **2** distinct values: **basic** (50, 50 %), **pro** (30, 30 %). 20 rows have no plan.',
    );
  });

  it('shows only the five most common of many values', () => {
    const frame: Frame = {
      kind: 'values',
      datasetId: 'churn.csv',
      column: 'city',
      filters: [{ column: 'plan', op: '=', value: 'pro' }],
    };
    const rows = Array.from({ length: 30 }, (_, i) => [`c${i}`, 30 - i] as [string, number]);
    const answer = writeAnswer(frame, [values('city', rows)], undefined);
    expect(answer).toContain(
      "city has **30** distinct values among rows where plan = 'pro'; the most common are **c0**",
    );
    expect(answer).not.toContain('**c5**');
  });

  it('says the most and least common values with ties at the boundary', () => {
    const rows: [string, number][] = [
      ['a', 5],
      ['b', 3],
      ['c', 3],
      ['d', 1],
    ];
    const top = (n: number, least: boolean): Frame => ({
      kind: 'top',
      datasetId: 'churn.csv',
      column: 'device',
      n,
      least,
      filters: [],
    });
    expect(writeAnswer(top(1, false), [values('device', rows)], undefined)).toContain(
      'The most common device is **a** (5, 41.7 %).',
    );
    expect(writeAnswer(top(2, false), [values('device', rows)], undefined)).toContain(
      'The 2 most common values of device: **a** (5, 41.7 %), **b** (3, 25 %) (c is tied with the last one).',
    );
    expect(writeAnswer(top(1, true), [values('device', rows)], undefined)).toContain(
      'The least common device is **d** (1, 8.33 %).',
    );
    expect(writeAnswer(top(1, false), [values('device', [])], undefined)).toContain('device has no values.');
  });

  it('names rows by their id column, or by position without one', () => {
    const frame: Frame = {
      kind: 'rows',
      datasetId: 'churn.csv',
      column: 'monthly_fee',
      descending: true,
      n: 2,
      filters: [],
    };
    expect(
      writeAnswer(
        frame,
        [
          query(
            'q',
            ['customer_id', 'monthly_fee'],
            [
              ['C7', 99],
              ['C2', 98.5],
            ],
          ),
        ],
        undefined,
      ),
    ).toContain(
      'The 2 rows with the highest monthly_fee: **C7** (99), **C2** (98.5). Every column of them is in the table.',
    );
    expect(
      writeAnswer({ ...frame, n: 1, descending: false }, [query('q', ['monthly_fee'], [[3]])], undefined),
    ).toContain('The row with the lowest monthly_fee: **row 1** (3). Every column of it is in the table.');
  });
});

describe('missing values, shape and distributions', () => {
  it('tabulates the columns with gaps, most first', () => {
    const frame: Frame = { kind: 'missing', datasetId: 'churn.csv', columns: [] };
    const answer = writeAnswer(
      frame,
      [query('q', ['rows', 'plan', 'satisfaction', 'last_feedback'], [[200, 0, 10, 50]])],
      undefined,
    );
    expect(answer).toContain(
      '**2** of 3 columns have missing values (out of 200 rows): last_feedback **50** (25 %), satisfaction **10** (5 %). The other 1 columns are complete.',
    );
    expect(answer).toContain('| last_feedback | 50 | 25 % |');
  });

  it('says when nothing is missing, and answers for named columns', () => {
    expect(
      writeAnswer(
        { kind: 'missing', datasetId: 'd.csv', columns: [] },
        [query('q', ['rows', 'a', 'b'], [[10, 0, 0]])],
        undefined,
      ),
    ).toContain('d.csv has no missing values: all 2 columns are complete in its 10 rows.');
    expect(
      writeAnswer(
        { kind: 'missing', datasetId: 'd.csv', columns: ['a'] },
        [query('q', ['rows', 'a'], [[8, 2]])],
        undefined,
      ),
    ).toContain('a is missing in **2** of 8 rows (25 %).');
  });

  it('gives the size with the column count when it is known', () => {
    expect(
      writeAnswer({ kind: 'shape', datasetId: 'd.csv' }, [query('q', ['rows'], [[12345]])], 7),
    ).toContain('**d.csv** has **12,345** rows and **7** columns.');
    expect(
      writeAnswer({ kind: 'shape', datasetId: 'd.csv' }, [query('q', ['rows'], [[5]])], undefined),
    ).toMatch(/\*\*d\.csv\*\* has \*\*5\*\* rows\./);
  });

  it('summarises a distribution with quartiles and the interquartile range', () => {
    const frame: Frame = {
      kind: 'distribution',
      datasetId: 'churn.csv',
      column: 'tenure_months',
      filters: [{ column: 'plan', op: '=', value: 'pro' }],
    };
    const columns = ['n', 'missing', 'mean', 'median', 'std', 'min', 'max', 'q25', 'q75', 'skewness'];
    expect(
      writeAnswer(
        frame,
        [query('q', columns, [[100, 3, 20.25, 18, 9.5, 1, 60, 12, 27.5, 1.234]])],
        undefined,
      ),
    ).toContain(
      "tenure_months (rows where plan = 'pro'): 100 values (3 missing), mean **20.25**, median **18**, standard deviation 9.5; from 1 to 60, with the middle half between 12 and 27.5 (quartiles; interquartile range 15.5). Skewness **1.23**: strongly right-skewed, a longer tail of high values.",
    );
    expect(
      writeAnswer(
        frame,
        [query('q', columns, [[0, 3, null, null, null, null, null, null, null, null]])],
        undefined,
      ),
    ).toContain('tenure_months has no values here.');
  });
});

describe('correlations', () => {
  const columns = ['column', 'with', 'r', 'n'];
  it('gives one pair with its strength and sign', () => {
    const frame: Frame = {
      kind: 'correlation',
      datasetId: 'churn.csv',
      columns: ['tenure_months', 'support_calls'],
      filters: [],
    };
    expect(
      writeAnswer(frame, [query('q', columns, [['tenure_months', 'support_calls', -0.42, 980]])], undefined),
    ).toContain(
      'The correlation between tenure_months and support_calls is **r = -0.42** (980 rows with both): moderate negative association.',
    );
  });

  it('ranks the others against one column, and lists every pair of several', () => {
    const rows = [
      ['monthly_fee', 'churned', 0.61, 10],
      ['monthly_fee', 'tenure_months', 0.2, 10],
      ['monthly_fee', 'support_calls', -0.05, 10],
    ];
    const one: Frame = { kind: 'correlation', datasetId: 'churn.csv', columns: ['monthly_fee'], filters: [] };
    expect(writeAnswer(one, [query('q', columns, rows)], undefined)).toContain(
      'monthly_fee is most correlated with **churned** (r = +0.61, strong), then tenure_months (r = +0.2), support_calls (r = -0.05). ',
    );
    const many: Frame = {
      ...one,
      columns: ['monthly_fee', 'churned', 'tenure_months'],
      filters: [{ column: 'plan', op: '=', value: 'pro' }],
    };
    expect(writeAnswer(many, [query('q', columns, rows)], undefined)).toContain(
      "Correlations between monthly_fee, churned and tenure_months, among rows where plan = 'pro', strongest first: monthly_fee–churned **r = +0.61**",
    );
  });

  it('says the shape of a distribution in words', () => {
    const frame: Frame = { kind: 'distribution', datasetId: 'd.csv', column: 'x', filters: [] };
    const shape = (skew: number) =>
      writeAnswer(frame, [query('q', ['n', 'skewness'], [[10, skew]])], undefined).match(
        /Skewness [^\n]*/,
      )?.[0];
    expect(shape(0.2)).toBe('Skewness **0.2**: roughly symmetric.');
    expect(shape(-0.7)).toBe('Skewness **-0.7**: moderately left-skewed, a longer tail of low values.');
  });

  it('says when the correlation is undefined', () => {
    const frame: Frame = { kind: 'correlation', datasetId: 'churn.csv', columns: ['a', 'b'], filters: [] };
    expect(writeAnswer(frame, [query('q', columns, [['a', 'b', null, 0]])], undefined)).toContain(
      'The correlation is undefined here: a column does not vary, or no row has both values.',
    );
  });
});

describe('comparisons', () => {
  const frame: Frame = {
    kind: 'compare',
    datasetId: 'churn.csv',
    outcome: 'monthly_fee',
    group: 'churned',
    filters: [],
  };
  const numeric: Observed = {
    tool: 'compare_groups',
    input: { datasetId: 'churn.csv', outcome: 'monthly_fee', group: 'churned' },
    result: {
      outcome: 'monthly_fee',
      group: 'churned',
      outcomeKind: 'numeric',
      n: 100,
      dropped: 2,
      groups: [
        { level: 'false', n: 70, mean: 40, median: 39, std: 5 },
        { level: 'true', n: 30, mean: 52.5, median: 50, std: 6 },
      ],
      tests: [
        {
          test: 'welch_t',
          statistic: -9.87,
          df: 50.2,
          pValue: 1e-9,
          difference: { estimate: 12.5, ci: [9.9, 15.1], label: 'true − false' },
          effectSize: { name: 'cohens_d', value: 2.2 },
        },
        { test: 'mann_whitney', statistic: 120, pValue: 0.0312 },
      ],
      warnings: ['One group has fewer than 30 rows.'],
    },
  };

  it('leads with the verdict, then the groups, each test, and what it does not show', () => {
    const answer = writeAnswer(frame, [numeric], undefined);
    expect(answer).toContain(
      'monthly_fee differs between the groups of churned: the difference is statistically significant at the 5 % level (p < 0.001).',
    );
    expect(answer).toContain('- churned = true: mean **52.5**, median 50 (n = 30)');
    expect(answer).toContain('t = -9.87, p < 0.001; difference true − false **+12.5** (95 % CI 9.9 to 15.1)');
    expect(answer).toContain('U = 120, p = 0.031.');
    expect(answer).toContain('not necessarily caused by the grouping');
    expect(answer).toContain('- One group has fewer than 30 rows.');
    expect(answer).toContain('100 rows used, 2 left out for a missing monthly_fee.');
  });

  it('gives rates for a yes/no outcome and shares for a named value of a categorical one', () => {
    const binary: Observed = {
      tool: 'compare_groups',
      input: { datasetId: 'churn.csv' },
      result: {
        outcome: 'churned',
        group: 'plan',
        outcomeKind: 'binary',
        positive: 'true',
        n: 40,
        dropped: 0,
        groups: [
          { level: 'basic', n: 20, rate: 0.25 },
          { level: 'pro', n: 20, rate: 0.2 },
        ],
        tests: [{ test: 'chi_square', statistic: 0.14, df: 1, pValue: 0.71 }],
      },
    };
    const answer = writeAnswer({ ...frame, outcome: 'churned', group: 'plan' }, [binary], undefined);
    expect(answer).toContain(
      'churned does not differ significantly between the groups of plan: the difference is not statistically significant (p = 0.71): the data are consistent with no difference.',
    );
    expect(answer).toContain('- plan = basic: **25 %** churned = true (n = 20)');
    expect(answer).toContain('χ² = 0.14, p = 0.71.');

    const categorical: Observed = {
      tool: 'compare_groups',
      input: { datasetId: 'churn.csv' },
      result: {
        outcome: 'device',
        group: 'plan',
        outcomeKind: 'categorical',
        n: 40,
        dropped: 0,
        groups: [
          { level: 'basic', n: 20, counts: { mobile: 5, desktop: 15 } },
          { level: 'pro', n: 0, counts: {} },
        ],
        tests: [],
      },
    };
    const shares = writeAnswer(
      { ...frame, outcome: 'device', group: 'plan', outcomeValue: 'desktop' },
      [categorical],
      undefined,
    );
    expect(shares).toContain('Share with device = desktop: plan = basic **75 %**, plan = pro **0 %**.');
    expect(shares).toContain('- plan = basic (n = 20)');
  });
});

describe('regressions and effects', () => {
  const coefficient = (term: string, estimate: number, pValue: number) => ({
    term,
    estimate,
    se: 0.1,
    pValue,
    ci: [estimate - 0.2, estimate + 0.2] as [number, number],
  });

  it('reports significant terms first, the others by name, references and the caveat', () => {
    const observed: Observed = {
      tool: 'fit_regression',
      input: { datasetId: 'churn.csv' },
      result: {
        outcome: 'monthly_fee',
        model: 'ols',
        n: 500,
        dropped: 4,
        references: [{ predictor: 'plan', level: 'basic' }],
        coefficients: [
          coefficient('(intercept)', 10, 0),
          coefficient('plan[pro]', 20.5, 0.0004),
          coefficient('tenure_months', 0.3, 0.02),
          coefficient('support_calls', 0.01, 0.6),
        ],
        fit: { r2: 0.5123, adjustedR2: 0.509 },
      },
    };
    const frame: Frame = {
      kind: 'regression',
      datasetId: 'churn.csv',
      outcome: 'monthly_fee',
      predictors: ['plan', 'tenure_months', 'support_calls'],
      filters: [],
    };
    const answer = writeAnswer(frame, [observed], undefined);
    expect(answer).toContain(
      'Linear regression (OLS) of monthly_fee on 3 terms, n = 500, R² 0.512 (adjusted 0.509).',
    );
    expect(answer).toMatch(
      /- \*\*plan\[pro\]\*\*: \+20\.5 \(95 % CI 20\.3 to 20\.7, p < 0\.001\)\n- \*\*tenure_months\*\*/,
    );
    expect(answer).toContain('Not significant: support_calls.');
    expect(answer).toContain('their reference level: plan = basic.');
    expect(answer).toContain('(4 left out for missing values)');
  });

  it('reads a logistic model in odds ratios and says a numeric "effect" is an association', () => {
    const observed: Observed = {
      tool: 'fit_regression',
      input: { datasetId: 'churn.csv' },
      result: {
        outcome: 'churned',
        model: 'logistic',
        positive: 'true',
        n: 500,
        dropped: 0,
        references: [],
        coefficients: [coefficient('(intercept)', -1, 0.01), coefficient('support_calls', 0.5, 0.2)],
        fit: { pseudoR2: 0.08 },
      },
    };
    const frame: Frame = {
      kind: 'regression',
      datasetId: 'churn.csv',
      outcome: 'churned',
      predictors: ['support_calls'],
      association: 'support_calls',
      filters: [],
    };
    const answer = writeAnswer(frame, [observed], undefined);
    expect(answer).toMatch(
      /^_Question read as: a regression of churned on support_calls in churn\.csv\._\n\nsupport_calls is a number, not a yes\/no treatment/,
    );
    expect(answer).toContain("of churned (= true) on 1 term, n = 500, McFadden's pseudo-R² 0.08.");
    expect(answer).toContain('No predictor is significant at the 5 % level.');
  });

  const effect = (
    estimates: { method: string; estimate: number; ci: [number, number]; pValue?: number }[],
    headline: string,
  ): Observed => ({
    tool: 'estimate_effect',
    input: { datasetId: 'marketing.csv' },
    result: {
      treatment: 'saw_ad',
      outcome: 'spend',
      covariates: ['age'],
      n: 1000,
      treated: 400,
      control: 600,
      dropped: 12,
      headline,
      estimates: estimates.map((e) => ({ ...e, estimand: 'ATE', se: 1 })),
    },
  });

  it('heads an effect with the chosen method and says whether its interval includes zero', () => {
    const frame: Frame = {
      kind: 'effect',
      datasetId: 'marketing.csv',
      treatment: 'saw_ad',
      outcome: 'spend',
      covariates: ['age'],
      chosen: true,
      fixed: ['device'],
      filters: [{ column: 'device', op: '=', value: 'mobile' }],
    };
    const answer = writeAnswer(
      frame,
      [
        effect(
          [
            { method: 'difference_in_means', estimate: 5, ci: [2, 8] },
            { method: 'ipw_hajek', estimate: 1.5, ci: [-0.5, 3.5], pValue: 0.1412 },
          ],
          'ipw_hajek',
        ),
      ],
      undefined,
    );
    expect(answer).toContain(
      'On marketing.csv (n = 1,000: 400 with saw_ad, 600 without; 12 rows left out for missing values):',
    );
    expect(answer).toMatch(
      /IPW \(Hájek\) estimates the ATE of \*\*saw_ad\*\* on \*\*spend\*\* at \*\*\+1\.5\*\* \(95 % CI -0\.5 to 3\.5, p = 0\.14\), an interval that includes zero/,
    );
    expect(answer).toContain('| IPW (Hájek) | ATE | +1.5 | -0.5 to 3.5 | 0.14 |');
    expect(answer).toContain('| Difference in means | ATE | +5 | 2 to 8 | – |');
    expect(answer).toContain('device is the same in every row used');
    expect(answer).toContain('The question named no covariates, so I adjusted for age');
    expect(answer).toContain('causal only if nothing else that affects both');
  });

  it('says when nothing was adjusted for', () => {
    const frame: Frame = {
      kind: 'effect',
      datasetId: 'marketing.csv',
      treatment: 'saw_ad',
      outcome: 'spend',
      covariates: [],
      filters: [],
    };
    const answer = writeAnswer(
      frame,
      [effect([{ method: 'difference_in_means', estimate: 5, ci: [2, 8] }], 'difference_in_means')],
      undefined,
    );
    expect(answer).toContain('an interval that excludes zero');
    expect(answer).toContain(
      'No covariates were adjusted for, so this is only the raw difference between the groups.',
    );
    const adjusted = writeAnswer(
      { ...frame, covariates: ['age', 'region'] },
      [effect([{ method: 'ipw_hajek', estimate: 1, ci: [0.5, 2] }], 'ipw_hajek')],
      undefined,
    );
    expect(adjusted).toContain('Adjusted for age and region.');
  });
});

describe('profiles, columns and the dataset list', () => {
  it('profiles a dataset: size, gaps, numeric summaries and the strongest correlations', () => {
    const observed: Observed = {
      tool: 'profile',
      input: { datasetId: 'churn.csv' },
      result: {
        rows: 200,
        columns: [
          { name: 'plan', type: 'categorical', missing: 0, unique: 3 },
          { name: 'fee', type: 'numeric', missing: 20, unique: 50, mean: 41.234, q50: 40 },
        ],
        strongestCorrelations: [{ a: 'fee', b: 'churned', r: 0.3 }],
        reading: ['fee is read as numbers; 2 values are not a number and counted as missing.'],
      },
    };
    const answer = writeAnswer({ kind: 'profile', datasetId: 'churn.csv' }, [observed], undefined);
    expect(answer).toContain('**churn.csv** has 200 rows and 2 columns.');
    expect(answer).toContain('Missing values: fee 20 (10 %).');
    expect(answer).toContain('Numeric columns (mean, median): fee 41.23, 40.');
    expect(answer).toContain('Strongest correlations: fee–churned (r = +0.3).');
    expect(answer).toContain('- fee is read as numbers');
    expect(answer).toContain('profile of the whole of churn.csv');
  });

  const described: Observed = {
    tool: 'describe_dataset',
    input: { datasetId: 'churn.csv' },
    result: {
      datasetId: 'churn.csv',
      rows: 2000,
      sampledRows: 500,
      columns: [
        { name: 'plan', type: 'categorical', examples: ['basic', 'pro'] },
        { name: 'signup', type: 'datetime', examples: ['2024-01-02'] },
        { name: 'notes', type: 'mystery', examples: ['x'] },
      ],
    },
  };

  it('tabulates the columns with their types in words', () => {
    const answer = writeAnswer({ kind: 'columns', datasetId: 'churn.csv' }, [described], undefined);
    expect(answer).toContain(
      '**churn.csv** has 2,000 rows and 3 columns: plan, signup, notes. Types are inferred from the first 500 rows.',
    );
    expect(answer).toContain('| plan | categorical: a few repeated text values | basic, pro |');
    expect(answer).toContain('| notes | mystery | x |');
  });

  it('answers for the columns asked about', () => {
    expect(
      writeAnswer({ kind: 'columns', datasetId: 'churn.csv', columns: ['signup'] }, [described], undefined),
    ).toContain(
      '**signup** holds **a date (or date and time)**, for example 2024-01-02 (inferred from the first 500 rows of churn.csv).',
    );
  });

  it('lists datasets with an example question, or says there are none', () => {
    const list = (datasets: unknown[]): Observed => ({
      tool: 'list_datasets',
      input: {},
      result: { datasets },
    });
    const answer = writeAnswer(
      { kind: 'datasets' },
      [
        list([
          { id: 'churn.csv', name: 'Churn', rows: 10, columns: 3, sample: true },
          { id: 'mine.csv', sample: false },
        ]),
      ],
      undefined,
    );
    expect(answer).not.toContain('Question read as');
    expect(answer).toContain('You can analyse 2 datasets:');
    expect(answer).toContain('| mine.csv | mine.csv | ? | ? | yours |');
    expect(answer).toContain('"what columns does churn.csv have?"');
    expect(writeAnswer({ kind: 'datasets' }, [list([])], undefined)).toBe(
      'There are no datasets yet. Upload a CSV or Parquet file to get started.',
    );
  });
});

describe('what the answer says about reading the question', () => {
  const frame: Frame = { kind: 'shape', datasetId: 'd.csv' };
  it('names corrected words and a skipped previous question', () => {
    const answer = writeAnswer(frame, [query('q', ['rows'], [[3]])], undefined, {
      corrections: [{ from: 'rwos', to: 'rows' }],
      skipped: `what is ${'x'.repeat(100)}`,
    });
    expect(answer).toMatch(
      /^_I did not understand your previous question \("what is x+…"\), so this builds on the one before it\._/,
    );
    expect(answer).toContain('_Question read as: the size of d.csv (reading "rwos" as "rows")._');
  });
});

describe('the rest of what answers say', () => {
  it('names a single winner, a single distinct value, several values tied with the last, and shares of no rows', () => {
    const ranked: Frame = {
      kind: 'aggregate',
      datasetId: 'churn.csv',
      measures: [{ fn: 'max', column: 'tenure_months' }],
      by: ['plan'],
      filters: [],
      rank: { descending: false, limit: 1 },
    };
    expect(
      writeAnswer(ranked, [query('q', ['plan', 'max_tenure_months'], [['basic', 12]])], undefined),
    ).toContain('**basic** has the lowest maximum of tenure_months: **12**.');
    const values: Frame = { kind: 'values', datasetId: 'churn.csv', column: 'plan', filters: [] };
    expect(writeAnswer(values, [query('q', ['plan', 'rows'], [['basic', 4]])], undefined)).toContain(
      'plan has **1** distinct value: **basic** (4, 100 %).',
    );
    const top: Frame = {
      kind: 'top',
      datasetId: 'churn.csv',
      column: 'plan',
      n: 1,
      least: false,
      filters: [],
    };
    const tied = [
      ['a', 2],
      ['b', 2],
      ['c', 2],
    ] as [string, number][];
    expect(writeAnswer(top, [query('q', ['plan', 'rows'], tied)], undefined)).toContain(
      '(b and c are tied with the last one)',
    );
    const missing: Frame = { kind: 'missing', datasetId: 'churn.csv', columns: ['plan'] };
    expect(writeAnswer(missing, [query('q', ['rows', 'plan'], [[0, 0]])], undefined)).toContain(
      'plan is missing in **0** of 0 rows (0 %).',
    );
  });

  it('says how strong a correlation is, Spearman or Pearson', () => {
    const frame: Frame = {
      kind: 'correlation',
      datasetId: 'churn.csv',
      columns: ['a', 'b'],
      method: 'spearman',
      filters: [],
    };
    const answer = (r: number) =>
      writeAnswer(frame, [query('q', ['column', 'with', 'r', 'n'], [['a', 'b', r, 10]])], undefined);
    expect(answer(0.05)).toContain('**ρ = +0.05** (10 rows with both): almost no association.');
    expect(answer(-0.2)).toContain('weak negative association');
    expect(answer(0.2)).toContain("Spearman's rank correlations (Pearson's r of the ranks");
  });

  it('names each test by its statistic', () => {
    const frame: Frame = {
      kind: 'compare',
      datasetId: 'churn.csv',
      outcome: 'fee',
      group: 'plan',
      filters: [],
    };
    const tests = ['welch_anova', 'kruskal_wallis', 'two_proportion_z'].map((test) => ({
      test,
      statistic: 2,
      pValue: 0.2,
    }));
    const answer = writeAnswer(
      frame,
      [
        {
          tool: 'compare_groups',
          input: { datasetId: 'churn.csv' },
          result: {
            outcome: 'fee',
            group: 'plan',
            outcomeKind: 'numeric',
            n: 9,
            dropped: 0,
            groups: [],
            tests,
          },
        },
      ],
      undefined,
    );
    expect(answer).toContain('F = 2, p = 0.2.');
    expect(answer).toContain('H = 2, p = 0.2.');
    expect(answer).toContain('z = 2, p = 0.2.');
  });

  it('gives odds ratios for significant terms of a logistic model', () => {
    const frame: Frame = {
      kind: 'regression',
      datasetId: 'churn.csv',
      outcome: 'churned',
      predictors: ['support_calls'],
      filters: [],
    };
    const answer = writeAnswer(
      frame,
      [
        {
          tool: 'fit_regression',
          input: { datasetId: 'churn.csv' },
          result: {
            outcome: 'churned',
            model: 'logistic',
            n: 100,
            dropped: 0,
            references: [],
            coefficients: [
              { term: 'support_calls', estimate: Math.log(2), se: 0.1, pValue: 0.0001, ci: [0.5, 0.9] },
            ],
            fit: { pseudoR2: 0.1 },
          },
        },
      ],
      undefined,
    );
    expect(answer).toContain('Significant at the 5 % level (odds ratios above 1 raise the odds):');
    expect(answer).toContain('- **support_calls**: odds ratio 2 (coefficient +0.693, p < 0.001)');
  });
});

import type { Coefficient, RegressionResult } from '@cascade/core/contract';
import { ItemOutput } from '@cascade/core/protocol';
import { describe, expect, it } from 'vitest';
import { AnalysisRequest, runAnalysis } from '../../../src/analysis';
import { fitRegression } from '../../../src/engines/regression/fit-regression';
import { BadDataError, BadRequestError, ColumnNotFoundError } from '../../../src/errors';
import { toItemOutput } from '../../../src/output/item-output';
import { itFailsAs, rejectionOf } from '../../support/failures';
import { dataset, scratchDirectory } from '../../support/files';
import {
  casePath,
  estimateTolerance,
  expectAllFinite,
  expectClose,
  pValueTolerance,
  reference,
} from '../../support/reference';

const files = scratchDirectory();

type Args = Parameters<typeof fitRegression>[1];

interface Expected {
  n: number;
  dropped: number;
  references: RegressionResult['references'];
  terms: string[];
  positive?: string;
  df?: number;
  coefficients: Coefficient[];
  fit: RegressionResult['fit'];
  /** Logistic only: statsmodels' Logit(...).fit(cov_type='HC1') errors, which are HC0. */
  statsmodelsHc1Se?: number[];
}

describe('fit_regression agrees with statsmodels', () => {
  it.each(Object.entries(reference.regression))('%s', async (_, c) => {
    const expected = c.expected as unknown as Expected;
    const result = await fitRegression(await casePath(c), c.args as Args);

    expect(result).toMatchObject({
      n: expected.n,
      dropped: expected.dropped,
      references: expected.references,
      model: (c.args as Args).model,
      covariance: 'HC1',
    });
    expect(result.positive).toBe(expected.positive);
    expect(result.df).toBe(expected.df);
    expect(result.coefficients.map((k) => k.term)).toEqual(expected.terms);
    result.coefficients.forEach((actual, j) => {
      const e = expected.coefficients[j]!;
      for (const key of ['estimate', 'se', 'statistic'] as const)
        expectClose(actual[key], e[key], estimateTolerance, `${e.term} ${key}`);
      expectClose(actual.pValue, e.pValue, pValueTolerance, `${e.term} p-value`);
      expectClose(actual.ci[0], e.ci[0], estimateTolerance, `${e.term} ci low`);
      expectClose(actual.ci[1], e.ci[1], estimateTolerance, `${e.term} ci high`);
      if (e.oddsRatio === undefined) expect(actual.oddsRatio).toBeUndefined();
      else {
        expectClose(actual.oddsRatio, e.oddsRatio, estimateTolerance, `${e.term} odds ratio`);
        expectClose(actual.oddsRatioCi![0], e.oddsRatioCi![0], estimateTolerance, `${e.term} OR low`);
        expectClose(actual.oddsRatioCi![1], e.oddsRatioCi![1], estimateTolerance, `${e.term} OR high`);
      }
    });
    for (const [key, value] of Object.entries(expected.fit))
      expectClose(result.fit[key as keyof RegressionResult['fit']], value, estimateTolerance, key);
    expect(Object.keys(result.fit).sort()).toEqual(Object.keys(expected.fit).sort());
    expectAllFinite(result);
  });

  it("differs from statsmodels' Logit HC1 only by its missing small-sample factor n/(n − k)", async () => {
    const c = reference.regression['logistic regression of churn with booleans, dummies and missing rows']!;
    const expected = c.expected as unknown as Expected;
    const result = await fitRegression(dataset(c.file), c.args as Args);
    const k = result.coefficients.length;
    for (const [j, coefficient] of result.coefficients.entries())
      expectClose(
        coefficient.se * Math.sqrt((result.n - k) / result.n),
        expected.statsmodelsHc1Se![j]!,
        estimateTolerance,
        coefficient.term,
      );
  });
});

describe('fit_regression as a job', () => {
  it('runs from a request parsed from the contract', async () => {
    const request = AnalysisRequest.parse({
      tool: 'fit_regression',
      data: dataset('lalonde.csv'),
      args: { outcome: 're78', predictors: ['treat', 'age'], model: 'ols' },
    });
    const result = await runAnalysis(request, { s3: () => expect.unreachable() });
    expect(result).toMatchObject({ tool: 'fit_regression', model: 'ols', n: 614 });
  });
});

describe('choosing the model', () => {
  it('auto fits logistic regression to a true/false outcome and OLS to a number', async () => {
    const churn = dataset('churn.csv');
    const logistic = await fitRegression(churn, { outcome: 'churned', predictors: ['tenure_months'] });
    expect(logistic).toMatchObject({ model: 'logistic', positive: 'true' });
    const linear = await fitRegression(churn, { outcome: 'monthly_fee', predictors: ['plan'] });
    expect(linear.model).toBe('ols');
    expect(linear.positive).toBeUndefined();
  });

  it('OLS of a true/false outcome when asked: a linear probability model', async () => {
    const result = await fitRegression(dataset('churn.csv'), {
      outcome: 'churned',
      predictors: ['support_calls'],
      model: 'ols',
    });
    expect(result.model).toBe('ols');
    // The intercept and slope are shares of churners, between 0 and 1.
    expect(result.coefficients[0]!.estimate).toBeGreaterThan(0);
    expect(result.coefficients[1]!.estimate).toBeLessThan(1);
  });

  it('names the dummies after their levels, the most common level as the reference', async () => {
    const result = await fitRegression(dataset('churn.csv'), {
      outcome: 'monthly_fee',
      predictors: ['plan'],
      filters: [{ column: 'region', op: 'in', value: ['north', 'south'] }],
    });
    expect(result.references).toEqual([{ predictor: 'plan', level: 'basic' }]);
    expect(result.coefficients.map((c) => c.term)).toEqual(['(intercept)', 'plan=standard', 'plan=premium']);
    expect(result.n).toBe(1086);
    expect(result.filters).toEqual([{ column: 'region', op: 'in', value: ['north', 'south'] }]);
  });
});

describe('warnings a person can act on', () => {
  it('rows left out for missing values, and too few events per coefficient', async () => {
    const lines = ['y,x,g'];
    for (let i = 0; i < 40; i++)
      lines.push(`${i % 7 === 0 ? 1 : 0},${(i * 37) % 11},${i % 3 === 0 ? 'a' : 'b'}`);
    lines.push(',3,a', '1,,b');
    const result = await fitRegression(await files.file(`${lines.join('\n')}\n`), {
      outcome: 'y',
      predictors: ['x', 'g'],
    });
    expect(result).toMatchObject({ model: 'logistic', n: 40, dropped: 2 });
    expect(result.warnings).toEqual([
      '"y" or a predictor is missing in 2 rows; they were left out.',
      'Only 6 rows have the rarer value of "y" for 2 coefficients besides the intercept; below about 10 per coefficient logistic estimates and their intervals are unreliable. Use fewer predictors or more rows.',
    ]);
  });

  it('leaves out an odds ratio too large to write, and keeps the coefficient', async () => {
    // x in units of 1e-5: a modest effect over its range is a coefficient in the thousands.
    const lines = ['y,x'];
    for (let i = 0; i < 100; i++) lines.push(`${(i * 7919) % 100 < i ? 1 : 0},${(i * 1e-5).toPrecision(3)}`);
    const result = await fitRegression(await files.file(`${lines.join('\n')}\n`), {
      outcome: 'y',
      predictors: ['x'],
    });
    const slope = result.coefficients[1]!;
    expect(slope.estimate).toBeGreaterThan(710);
    expect(slope.oddsRatio).toBeUndefined();
    expect(result.coefficients[0]!.oddsRatio).toBeGreaterThan(0);
    expectAllFinite(result);
  });
});

describe('requests the data cannot answer are clear errors', () => {
  const table = [
    'y,b,x,x2,g,when,same,one,blank,word,flag',
    '3.1,1,1,2,a,2024-01-01,4,k,,p,yes',
    '4.0,0,2,4,b,2024-01-02,4,k,,q,no',
    '5.2,1,3,6,a,2024-01-03,4,k,,p,yes',
    '5.9,0,4,8,c,2024-01-04,4,k,,r,no',
    '7.1,1,5,10,b,2024-01-05,4,k,,q,yes',
    '8.3,0,6,12,c,2024-01-06,4,k,,p,no',
    '8.8,1,7,14,a,2024-01-07,4,k,,q,yes',
  ].join('\n');

  const failure = async (args: Args, content = table) =>
    rejectionOf(fitRegression(await files.file(`${content}\n`), args));

  const many = (column: (i: number) => string) =>
    `y,id\n${Array.from({ length: 60 }, (_, i) => `${i % 2},${column(i)}`).join('\n')}`;

  itFailsAs<Args>(failure, [
    [
      { outcome: 'y', predictors: ['x', 'y'] },
      BadRequestError,
      '"y" cannot be both the outcome and a predictor.',
    ],
    [{ outcome: 'y', predictors: ['x', 'x'] }, BadRequestError, 'Predictor "x" is listed twice.'],
    [
      { outcome: 'y', predictors: ['z'] },
      ColumnNotFoundError,
      'Column "z" is not in the data; its columns are: y, b, x, x2, g, when, same, one, blank, word, flag.',
    ],
    [
      { outcome: 'y', predictors: ['when'] },
      BadDataError,
      'Predictor "when" holds dates; use a number derived from it (such as a year) instead.',
    ],
    [
      { outcome: 'y', predictors: ['x', 'same'] },
      BadDataError,
      'Predictor "same" has the same value in every row used; it cannot explain anything, so leave it out.',
    ],
    [
      { outcome: 'y', predictors: ['one'] },
      BadDataError,
      'Predictor "one" has the same value in every row used; it cannot explain anything, so leave it out.',
    ],
    [
      { outcome: 'y', predictors: ['x', 'x2'] },
      BadDataError,
      'Predictor "x2" is a linear combination of the predictors before it (and the intercept), so its coefficient cannot be told apart from theirs; leave it out.',
    ],
    [
      { outcome: 'b', predictors: ['g', 'x', 'x2'] },
      BadDataError,
      'Predictor "x2" is a linear combination of the predictors before it (and the intercept), so its coefficient cannot be told apart from theirs; leave it out.',
    ],
    [
      { outcome: 'flag', predictors: ['b'] },
      BadDataError,
      'Logistic regression has no finite estimates: "b" alone predicts "flag" perfectly for some rows (separation). Leave out that predictor, merge rare categories, or keep only rows where both outcomes occur.',
    ],
    [
      { outcome: 'y', predictors: ['x', 'g', 'word', 'b'] },
      BadDataError,
      'The model has 7 coefficients (the intercept, numeric predictors and a dummy per category but the reference), so it needs more than 7 complete rows; there are 7. Use fewer predictors or more rows.',
    ],
    [
      { outcome: 'y', predictors: ['x'], model: 'logistic' },
      BadDataError,
      'Logistic regression needs an outcome with exactly two values (such as 0/1 or yes/no), but "y" is a number with many values; use OLS for it.',
    ],
    [
      { outcome: 'g', predictors: ['x'], model: 'logistic' },
      BadDataError,
      'Logistic regression needs an outcome with exactly two values (such as 0/1 or yes/no), but "g" has 3 values ("a", "b", "c"); compare it between groups instead.',
    ],
    [
      { outcome: 'g', predictors: ['x'] },
      BadDataError,
      'Outcome "g" holds text with 3 values ("a", "b", "c"); regression needs a number or a two-valued outcome. To see how it differs between groups, compare groups instead.',
    ],
    [
      { outcome: 'when', predictors: ['x'] },
      BadDataError,
      'Outcome "when" holds dates; explain a number derived from it (such as a year) instead.',
    ],
    [
      { outcome: 'same', predictors: ['x'] },
      BadDataError,
      'Outcome "same" is "4" in every row used; there is no variation to explain.',
    ],
    [
      { outcome: 'y', predictors: ['blank'] },
      BadDataError,
      'Column "blank" has no values: every row is missing.',
    ],
    [
      { outcome: 'y', predictors: ['x'], filters: [{ column: 'x', op: '>', value: 99 }] },
      BadDataError,
      'No row meets the filters (x > 99); loosen them.',
    ],
    [
      { outcome: 'x2', predictors: ['x'] },
      BadDataError,
      'The predictors explain "x2" exactly (every residual is zero), so no uncertainty is left to estimate; check that no predictor is a copy of the outcome.',
    ],
  ]);

  it('OLS of a two-valued text outcome', async () => {
    const error = await failure(
      { outcome: 'reply', predictors: ['x'], model: 'ols' },
      'reply,x\nyes,1\nunsure,2\nyes,3\nunsure,4',
    );
    expect(error.message).toBe(
      'Outcome "reply" holds text ("unsure", "yes"), which OLS cannot fit; use the logistic model for a two-valued outcome.',
    );
  });

  it('a predictor with more than 50 categories', async () => {
    const error = await failure(
      { outcome: 'y', predictors: ['id'] },
      many((i) => `user${i}`),
    );
    expect(error.message).toBe(
      'Predictor "id" has more than 50 distinct values; it looks like an identifier or free text, not a category to use as a predictor.',
    );
  });

  it('an outcome of free text', async () => {
    const error = await failure(
      { outcome: 'id', predictors: ['y'] },
      many((i) => `note ${i}`),
    );
    expect(error.message).toBe(
      'Outcome "id" holds text with more than 50 values; regression needs a number or a two-valued outcome. To see how it differs between groups, compare groups instead.',
    );
  });

  it('separation by the predictors together, where none does it alone', async () => {
    // y is 1 exactly where u + v > 10, while u's and v's own ranges overlap between the outcomes.
    const points = [
      [0, 5, 0],
      [5, 0, 0],
      [3, 3, 0],
      [2, 6, 0],
      [6, 2, 0],
      [1, 4, 0],
      [8, 4, 1],
      [4, 8, 1],
      [6, 6, 1],
      [10, 3, 1],
      [3, 10, 1],
      [9, 9, 1],
    ];
    const rows = ['u,v,y', ...points.map((p) => p.join(','))];
    const error = await failure({ outcome: 'y', predictors: ['u', 'v'] }, rows.join('\n'));
    expect(error.message).toBe(
      'Logistic regression has no finite estimates: the predictors predict "y" perfectly for some rows (separation). Leave out the predictor that does it, merge rare categories, or keep only rows where both outcomes occur.',
    );
  });

  it('no row complete in every column', async () => {
    const error = await failure({ outcome: 'y', predictors: ['x'] }, 'y,x\n1,\n,2\n3,\n');
    expect(error.message).toBe(
      'No row has values for all of "y", "x"; leave out a column with many missing values.',
    );
  });

  it('infinite values', async () => {
    const error = await failure({ outcome: 'y', predictors: ['x'] }, 'y,x\n1,2\n2,inf\n3,1\n4,5\n');
    expect(error.message).toBe('Column "x" has infinite values; remove or cap them.');
    const outcome = await failure({ outcome: 'y', predictors: ['x'] }, 'y,x\n1,2\n-inf,3\n3,1\n4,5\n');
    expect(outcome.message).toBe('Column "y" has infinite values; remove or cap them.');
  });
});

describe('reference levels', () => {
  const coefficient = (result: Awaited<ReturnType<typeof fitRegression>>, term: string) =>
    result.coefficients.find((c) => c.term === term)!.estimate;

  it('compares with the level asked for: the same model, its dummies re-expressed exactly', async () => {
    const args = { outcome: 'satisfaction', predictors: ['plan', 'support_calls'] };
    const common = await fitRegression(dataset('churn.csv'), args);
    const premium = await fitRegression(dataset('churn.csv'), { ...args, references: { plan: 'premium' } });
    expect(common.references).toEqual([{ predictor: 'plan', level: 'basic' }]);
    expect(premium.references).toEqual([{ predictor: 'plan', level: 'premium' }]);
    // Against premium, basic's dummy is minus premium's dummy against basic; the others shift by it.
    expect(coefficient(premium, 'plan=basic')).toBeCloseTo(-coefficient(common, 'plan=premium'), 9);
    expect(coefficient(premium, 'plan=standard')).toBeCloseTo(
      coefficient(common, 'plan=standard') - coefficient(common, 'plan=premium'),
      9,
    );
    expect(coefficient(premium, 'support_calls')).toBeCloseTo(coefficient(common, 'support_calls'), 9);
    expect(premium.fit.r2).toBeCloseTo(common.fit.r2!, 12);
  });

  it('says which levels there are when the one asked for is not among them, and refuses one for a column not in the model', async () => {
    const args = { outcome: 'satisfaction', predictors: ['plan'] };
    await expect(
      fitRegression(dataset('churn.csv'), { ...args, references: { plan: 'gold' } }),
    ).rejects.toThrow(
      'plan has no level "gold" in the rows used; its levels are "basic", "standard", "premium".',
    );
    await expect(
      fitRegression(dataset('churn.csv'), { ...args, references: { region: 'north' } }),
    ).rejects.toThrow(BadRequestError);
  });
});

describe('chat output of a regression', () => {
  it('OLS: the fit, the clear predictors with intervals, the tables, and an interval chart without the intercept', async () => {
    const result = await fitRegression(dataset('churn.csv'), {
      outcome: 'satisfaction',
      predictors: ['plan', 'support_calls', 'tenure_months'],
    });
    const output = ItemOutput.parse(toItemOutput(result));
    const lines = output.text.split('\n');
    expect(lines[0]).toBe(
      '**Linear regression (OLS) of satisfaction** on plan, support_calls, tenure_months (churn.csv; 1,835 rows, 165 left out for missing values).',
    );
    expect(output.text).toMatch(/^R² = 0\.\d+ \(adjusted 0\.\d+\), residual standard error [\d.]+\.$/m);
    expect(output.text).toContain(
      'Categories are compared with a reference level (the most common, unless one was asked for): plan = basic.',
    );
    expect(output.text).toContain(
      'Standard errors are heteroskedasticity-robust (HC1); intervals and p-values use t with 1,830 degrees of freedom.',
    );
    expect(output.tables!.map((t) => t.title)).toEqual(['Coefficients', 'Fit']);
    expect(output.tables![0]!.rows).toHaveLength(5);
    const chart = output.charts![0]!;
    expect(chart.kind === 'intervals' && chart.intervals.map((i) => i.label)).toEqual([
      'plan=standard',
      'plan=premium',
      'support_calls',
      'tenure_months',
    ]);
  });

  it('logistic: odds ratios for the clear predictors, dummies named against their reference', async () => {
    const result = await fitRegression(dataset('churn.csv'), {
      outcome: 'churned',
      predictors: ['support_calls', 'autopay', 'plan'],
    });
    const output = ItemOutput.parse(toItemOutput(result));
    expect(output.text.split('\n')[0]).toBe(
      '**Logistic regression of churned = true** on support_calls, autopay, plan (churn.csv; 2,000 rows).',
    );
    expect(output.text).toMatch(
      /^- support_calls: odds ratio 1\.\d+ \(95 % CI 1\.\d+ to 1\.\d+\), p < 0\.001\.$/m,
    );
    expect(output.tables![0]!.columns).toContain('odds ratio');
    expect(output.tables![1]!.rows.map((r) => r[0])).toEqual([
      "McFadden's pseudo-R²",
      'log-likelihood',
      'AIC',
      'rows',
    ]);
    const termLines = output.text.split('\n').filter((line) => line.startsWith('- plan'));
    for (const line of termLines) expect(line).toMatch(/^- plan = \w+ \(vs basic\)/);
  });

  it('says so when no predictor is clearly associated, and points to the table beyond six', async () => {
    const lines = ['y,a,b,c,d,e,f,g,h'];
    for (let i = 0; i < 200; i++) {
      const x = Array.from({ length: 8 }, (_, j) => ((i * (j + 3) * 7919) % 101) / 10);
      lines.push(`${(x.reduce((s, v) => s + v, 0) + ((i * 31) % 7)).toFixed(3)},${x.join(',')}`);
    }
    const path = await files.file(`${lines.join('\n')}\n`);
    const clear = toItemOutput(
      await fitRegression(path, { outcome: 'y', predictors: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] }),
    );
    expect(clear.text).toContain('- and 2 more in the table.');
    const none = toItemOutput(
      await fitRegression(dataset('checkout_ab.csv'), {
        outcome: 'basket_value',
        predictors: ['items_viewed'],
        filters: [
          { column: 'session_id', op: 'in', value: ['s00001', 's00002', 's00003', 's00004', 's00005'] },
        ],
      }),
    );
    expect(none.text).toContain('No predictor is clearly associated with basket_value (every p ≥ 0.05).');
    expect(none.text).toContain("where session_id IN ('s00001'");
  });
});

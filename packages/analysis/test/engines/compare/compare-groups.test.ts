import type { CompareResult, GroupSummary, TestResult } from '@cascade/core/contract';
import { ItemOutput } from '@cascade/core/protocol';
import { describe, expect, it } from 'vitest';
import { AnalysisRequest, runAnalysis } from '../../../src/analysis';
import { compareGroups } from '../../../src/engines/compare/compare-groups';
import { BadDataError, BadRequestError, ColumnNotFoundError } from '../../../src/errors';
import { itemOutputBytes, toItemOutput } from '../../../src/output/item-output';
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

type Args = Parameters<typeof compareGroups>[1];

interface ExpectedTest {
  test: TestResult['test'];
  statistic: number;
  df?: number;
  df2?: number;
  pValue: number;
  difference?: { estimate: number; ci: [number, number] };
  effectSize?: { name: string; value: number };
  smallExpected?: number;
}

interface Expected {
  n: number;
  dropped: number;
  kind: CompareResult['outcomeKind'];
  positive?: string;
  groups: (GroupSummary & { std?: number })[];
  tests: ExpectedTest[];
}

function expectSameTest(actual: TestResult, expected: ExpectedTest) {
  const what = expected.test;
  expect(actual.test).toBe(expected.test);
  expectClose(actual.statistic, expected.statistic, estimateTolerance, `${what} statistic`);
  expectClose(actual.pValue, expected.pValue, pValueTolerance, `${what} p-value`);
  if (expected.df !== undefined) expectClose(actual.df, expected.df, estimateTolerance, `${what} df`);
  else expect(actual.df).toBeUndefined();
  if (expected.df2 !== undefined) expectClose(actual.df2, expected.df2, estimateTolerance, `${what} df2`);
  if (expected.difference) {
    expectClose(
      actual.difference!.estimate,
      expected.difference.estimate,
      estimateTolerance,
      `${what} difference`,
    );
    expectClose(actual.difference!.ci[0], expected.difference.ci[0], estimateTolerance, `${what} ci low`);
    expectClose(actual.difference!.ci[1], expected.difference.ci[1], estimateTolerance, `${what} ci high`);
  } else expect(actual.difference).toBeUndefined();
  expect(actual.effectSize!.name).toBe(expected.effectSize!.name);
  expectClose(actual.effectSize!.value, expected.effectSize!.value, estimateTolerance, `${what} effect size`);
}

describe('compare_groups agrees with SciPy and statsmodels', () => {
  it.each(Object.entries(reference.compare))('%s', async (_, c) => {
    const expected = c.expected as unknown as Expected;
    const result = await compareGroups(await casePath(c), c.args as Args);

    expect(result).toMatchObject({ n: expected.n, dropped: expected.dropped, outcomeKind: expected.kind });
    expect(result.positive).toBe(expected.positive);
    expect(result.groups.map((g) => [g.level, g.n])).toEqual(expected.groups.map((g) => [g.level, g.n]));
    result.groups.forEach((g, j) => {
      const e = expected.groups[j]!;
      for (const key of ['mean', 'std', 'median', 'rate'] as const)
        if (e[key] !== undefined) expectClose(g[key], e[key]!, estimateTolerance, `${g.level} ${key}`);
        else expect(g[key]).toBeUndefined();
      expect(g.counts).toEqual(e.counts);
    });
    expect(result.tests.map((t) => t.test)).toEqual(expected.tests.map((t) => t.test));
    for (const [j, t] of result.tests.entries()) expectSameTest(t, expected.tests[j]!);

    const chi = expected.tests.find((t) => t.test === 'chi_square');
    expect(result.warnings.some((w) => w.includes('expected counts are below 5'))).toBe(
      (chi?.smallExpected ?? 0) > 0,
    );
    expectAllFinite(result);
  });

  it('states the first group minus the second, with its label', async () => {
    const result = await compareGroups(dataset('checkout_ab.csv'), {
      outcome: 'basket_value',
      group: 'new_checkout',
    });
    expect(result.tests[0]!.difference!.label).toBe('1 − 0');
    // The new checkout's sessions are worth more: every signed effect points the same way.
    expect(result.tests[0]!.difference!.estimate).toBeGreaterThan(0);
    expect(result.tests[0]!.effectSize!.value).toBeGreaterThan(0);
    expect(result.tests[1]!.effectSize!.value).toBeGreaterThan(0);
  });
});

describe('compare_groups as a job', () => {
  it('runs from a request, its filters and named groups parsed from the contract', async () => {
    const request = AnalysisRequest.parse({
      tool: 'compare_groups',
      data: dataset('churn.csv'),
      args: {
        outcome: 'churned',
        group: 'plan',
        groups: ['premium', 'basic'],
        filters: [{ column: 'tenure_months', op: 'between', value: [6, 24] }],
      },
    });
    const result = await runAnalysis(request, { s3: () => expect.unreachable() });
    expect(result).toMatchObject({ tool: 'compare_groups', source: 'churn.csv', outcomeKind: 'binary' });
    expect(result.tool === 'compare_groups' && result.groups.map((g) => g.level)).toEqual([
      'premium',
      'basic',
    ]);
  });
});

describe('choosing and naming the groups', () => {
  it('orders true before false, and reads the filters', async () => {
    const result = await compareGroups(dataset('churn.csv'), {
      outcome: 'monthly_fee',
      group: 'churned',
      filters: [{ column: 'plan', op: '=', value: 'basic' }],
    });
    expect(result.groups.map((g) => g.level)).toEqual(['true', 'false']);
    expect(result.n).toBe(1004);
    expect(result.filters).toEqual([{ column: 'plan', op: '=', value: 'basic' }]);
  });

  it('finds a level however a number or a truth value is written', async () => {
    const path = await files.file('g,b,y\n1,true,3\n1,true,5\n1,false,9\n0,false,4\n0,true,7\n0,false,6\n');
    const byNumber = await compareGroups(path, { outcome: 'y', group: 'g', groups: ['1.0', '00'] });
    expect(byNumber.groups.map((g) => g.level)).toEqual(['1', '0']);
    const byTruth = await compareGroups(path, { outcome: 'y', group: 'b', groups: ['False', 'TRUE'] });
    expect(byTruth.groups.map((g) => [g.level, g.mean])).toEqual([
      ['false', 19 / 3],
      ['true', 5],
    ]);
  });

  it('writes whole doubles as whole numbers and sorts number levels as numbers', async () => {
    const path = await files.file('dose,y\n10.0,1\n10.0,3\n2.0,2\n2.0,5\n2.5,4\n2.5,8\n');
    const result = await compareGroups(path, { outcome: 'y', group: 'dose' });
    expect(result.groups.map((g) => g.level)).toEqual(['2', '2.5', '10']);
  });

  it('treats two numbers other than 0/1 as a binary outcome, the larger one positive', async () => {
    const path = await files.file('g,y\na,3\na,7\na,7\nb,3\nb,3\nb,7\n');
    const result = await compareGroups(path, { outcome: 'y', group: 'g' });
    expect(result).toMatchObject({ outcomeKind: 'binary', positive: '7' });
    expect(result.groups.map((g) => g.counts)).toEqual([
      { '3': 1, '7': 2 },
      { '3': 2, '7': 1 },
    ]);
  });

  it('a two-valued text outcome counts yes (or true, or 1) as positive wherever it sorts', async () => {
    const path = await files.file('g,y\na,Yes\na,maybe\na,Yes\nb,maybe\nb,maybe\nb,Yes\n');
    const result = await compareGroups(path, { outcome: 'y', group: 'g' });
    expect(result.positive).toBe('Yes');
    expect(result.groups.map((g) => g.rate)).toEqual([2 / 3, 1 / 3]);
  });

  it('a two-valued text outcome without yes/true counts the second value in order', async () => {
    const path = await files.file('g,y\na,stay\na,leave\na,stay\nb,leave\nb,leave\nb,stay\n');
    const result = await compareGroups(path, { outcome: 'y', group: 'g' });
    expect(result.positive).toBe('stay');
    expect(result.groups.map((g) => g.rate)).toEqual([2 / 3, 1 / 3]);
  });
});

describe('warnings a person can act on', () => {
  it('left-out rows, small groups, and a group too small to test', async () => {
    const path = await files.file('g,y\na,1\na,2\na,3\nb,4\nb,6\nb,9\nb,\nc,5\n,7\n');
    const result = await compareGroups(path, { outcome: 'y', group: 'g' });
    expect(result.groups).toEqual([
      expect.objectContaining({ level: 'a', n: 3 }),
      expect.objectContaining({ level: 'b', n: 3 }),
      { level: 'c', n: 1 },
    ]);
    expect(result.tests.map((t) => t.test)).toEqual(['welch_t', 'mann_whitney']);
    expect(result).toMatchObject({ n: 6, dropped: 2 });
    expect(result.warnings).toEqual([
      'Group "c" has only one row with a value of "y", too few to compare; it was left out of the tests.',
      '"y" is missing in 1 row of the compared groups; it was left out.',
      '"g" is missing in 1 row; it was left out.',
      `"a" has 3 rows, "b" has 3 rows: below 30 rows Welch's t-test relies on roughly normal values; the Mann–Whitney test does not.`,
    ]);
  });

  it("leaves out Welch's ANOVA when a group has no spread, and keeps Kruskal–Wallis", async () => {
    const path = await files.file('g,y\na,1\na,1\nb,2\nb,3\nc,4\nc,6\n');
    const result = await compareGroups(path, { outcome: 'y', group: 'g' });
    expect(result.tests.map((t) => t.test)).toEqual(['kruskal_wallis']);
    expect(result.warnings).toEqual([
      `Welch's ANOVA was left out because "a" has the same value in every row (it weighs each group by its spread); the Kruskal–Wallis test does not need that.`,
    ]);
  });

  it('a group with no outcome at all is listed but not tested', async () => {
    const path = await files.file('g,y\na,1\na,2\nb,4\nb,6\nc,\nc,\nd,3\nd,9\n');
    const result = await compareGroups(path, { outcome: 'y', group: 'g', groups: ['a', 'b', 'c'] });
    expect(result.groups.at(-1)).toEqual({ level: 'c', n: 0 });
    expect(result.warnings[0]).toBe(
      'Group "c" has no rows with a value of "y", too few to compare; it was left out of the tests.',
    );
    expect(result.dropped).toBe(2);
  });

  it('says which expected counts are small in a chi-square test of three groups', async () => {
    const path = await files.file(
      `g,y\n${['a,x', 'a,y', 'a,z', 'b,x', 'b,x', 'b,y', 'c,z', 'c,z', 'c,y', 'c,x'].join('\n')}\n`,
    );
    const result = await compareGroups(path, { outcome: 'y', group: 'g' });
    expect(result.outcomeKind).toBe('categorical');
    expect(result.warnings).toEqual([
      '9 of 9 expected counts are below 5 (the smallest is 0.9), so the chi-square p-value is only approximate; combine rare groups or values, or use more rows.',
    ]);
  });
});

describe('requests the data cannot answer are clear errors', () => {
  const table =
    'g,y,when,label,same,blank,b\na,1,2024-01-01,p,4,,true\na,2,2024-01-02,q,4,,false\nb,5,2024-01-03,r,4,,true\nb,7,2024-01-04,s,4,,true\nc,3,2024-01-05,t,4,,false\n';

  const failure = async (args: Args, content = table) =>
    rejectionOf(compareGroups(await files.file(content), args));

  const idRows = `id,y\n${Array.from({ length: 60 }, (_, i) => `u${i},${i}`).join('\n')}\n`;
  const textRows = `g,note\n${Array.from({ length: 60 }, (_, i) => `${i % 2 ? 'a' : 'b'},note ${i}`).join('\n')}\n`;

  itFailsAs<Args>(failure, [
    [
      { outcome: 'y', group: 'y' },
      BadRequestError,
      'The outcome and the group are both "y"; name two different columns.',
    ],
    [
      { outcome: 'Y', group: 'g' },
      ColumnNotFoundError,
      'Column "Y" is not in the data; its columns are: g, y, when, label, same, blank, b.',
    ],
    [
      { outcome: 'y', group: 'g', filters: [{ column: 'size', op: '>', value: 3 }] },
      ColumnNotFoundError,
      'Column "size" is not in the data; its columns are: g, y, when, label, same, blank, b.',
    ],
    [
      { outcome: 'y', group: 'g', groups: ['a', 'd'] },
      BadDataError,
      'Group "d" is not a value of "g"; its values are "a", "b", "c".',
    ],
    [{ outcome: 'y', group: 'g', groups: ['a', 'a'] }, BadRequestError, 'Group "a" is listed twice.'],
    [
      { outcome: 'y', group: 'g', filters: [{ column: 'g', op: '=', value: 'a' }] },
      BadDataError,
      '"g" has only one value ("a") among the rows that meet the filters; a comparison needs at least two groups.',
    ],
    [
      {
        outcome: 'y',
        group: 'g',
        filters: [
          { column: 'g', op: '!=', value: 'z' },
          { column: 'y', op: '>', value: 'many' },
        ],
      },
      BadRequestError,
      `The filter y > 'many' does not fit column "y", which holds whole numbers; compare it with a value of that kind.`,
    ],
    [
      { outcome: 'y', group: 'g', filters: [{ column: 'y', op: '>', value: 100 }] },
      BadDataError,
      'No row meets the filters (y > 100); loosen them.',
    ],
    [
      { outcome: 'when', group: 'g' },
      BadDataError,
      'Outcome "when" holds dates; compare a number derived from it (such as a year) instead.',
    ],
    [
      { outcome: 'same', group: 'g' },
      BadDataError,
      'Outcome "same" is "4" in every row compared; there is no difference to test.',
    ],
    [{ outcome: 'blank', group: 'g' }, BadDataError, 'Column "blank" has no values: every row is missing.'],
    [
      { outcome: 'y', group: 'blank', filters: [{ column: 'y', op: '<', value: 3 }] },
      BadDataError,
      'Column "blank" has no values among the rows that meet the filters: every row is missing.',
    ],
    [
      { outcome: 'y', group: 'g', groups: ['a', 'c'] },
      BadDataError,
      'Fewer than two groups have at least 2 rows with a value of "y" ("a": 2, "c": 1); a comparison needs two.',
    ],
  ]);

  it('a group column with more than 50 values', async () => {
    const error = await failure({ outcome: 'y', group: 'id' }, idRows);
    expect(error.message).toBe(
      '"id" has 60 distinct values, too many groups to compare (at most 50); name the groups to compare, or group by a column with fewer values.',
    );
  });

  it('a missing level among many names the most common ones', async () => {
    const error = await failure({ outcome: 'y', group: 'id', groups: ['u1', 'nobody'] }, idRows);
    expect(error.message).toMatch(
      /^Group "nobody" is not a value of "id"; its most common values are "u0", "u1", /,
    );
  });

  it('a free-text outcome', async () => {
    const error = await failure({ outcome: 'note', group: 'g' }, textRows);
    expect(error.message).toBe(
      'Outcome "note" has more than 50 distinct values; it looks like an identifier or free text, not a category to compare.',
    );
  });

  it('infinite values in the outcome', async () => {
    const error = await failure({ outcome: 'y', group: 'g' }, 'g,y\na,1\na,inf\nb,2\nb,3\n');
    expect(error.message).toBe('Column "y" has infinite values; remove or cap them.');
  });
});

describe('chat output of a comparison', () => {
  it('a numeric outcome in two groups: the verdict, both tests, and a bar of each mean with its interval', async () => {
    const result = await compareGroups(dataset('checkout_ab.csv'), {
      outcome: 'basket_value',
      group: 'device',
      groups: ['desktop', 'mobile'],
    });
    const output = ItemOutput.parse(toItemOutput(result));
    expect(output.text.split('\n')[0]).toBe(
      "Mean basket_value differs between desktop and mobile: 47.21 vs 34.93, difference 12.28 (95 % CI 11.41 to 13.15), Welch's t-test p < 0.001.",
    );
    expect(output.text).toContain('checkout_ab.csv: 4,600 rows compared.');
    expect(output.text).toContain("- Welch's t-test: t = 27.53 (df 3,225), p < 0.001; Cohen's d 0.86.");
    expect(output.text).toContain(
      '- Mann–Whitney U test: U = 3,502,851, p < 0.001; rank-biserial correlation 0.45.',
    );
    expect(output.tables!.map((t) => t.title)).toEqual(['basket_value by device', 'Tests']);
    const chart = output.charts![0]!;
    expect(chart).toMatchObject({ kind: 'bar', x: 'device', y: 'mean basket_value' });
    const bars = chart.kind === 'bar' ? chart.bars : [];
    expect(bars.map((b) => b.label)).toEqual(['desktop', 'mobile']);
    for (const [j, bar] of bars.entries()) {
      expect(bar.value).toBeCloseTo(result.groups[j]!.mean!, 3);
      expect(bar.lo!).toBeLessThan(bar.value);
      expect(bar.hi!).toBeGreaterThan(bar.value);
    }
  });

  it('a rate in two groups reads in percentage points, with Wilson intervals on the bars', async () => {
    const result = await compareGroups(dataset('churn.csv'), {
      outcome: 'churned',
      group: 'retention_offer',
    });
    const output = toItemOutput(result);
    expect(output.text.split('\n')[0]).toBe(
      'The share of churned = true does not differ clearly between retention_offer = 1 and retention_offer = 0: 22.3 % vs 21.2 %, difference 1.03 percentage points (95 % CI -2.72 to 4.79), two-proportion z-test p = 0.59.',
    );
    const chart = output.charts![0]!;
    const bars = chart.kind === 'bar' ? chart.bars : [];
    // statsmodels' proportion_confint(164, 737, method='wilson'): 0.1939766 to 0.2539485.
    expect(bars[0]!.lo).toBeCloseTo(0.1939766, 5);
    expect(bars[0]!.hi).toBeCloseTo(0.2539485, 5);
    expect(output.tables![0]!.columns).toEqual(['retention_offer', 'n', 'share true', 'false', 'true']);
  });

  it('more than two groups name the highest and the lowest', async () => {
    const numeric = toItemOutput(
      await compareGroups(dataset('checkout_ab.csv'), { outcome: 'basket_value', group: 'device' }),
    );
    expect(numeric.text.split('\n')[0]).toBe(
      "Mean basket_value differs between the 3 device groups (highest: desktop, 47.21; lowest: tablet, 33.9); Welch's one-way ANOVA p < 0.001.",
    );
    expect(numeric.text).toContain("- Welch's one-way ANOVA: F = 403.5 (df 2, 1,086), p < 0.001; ω² 0.14.");
    const rates = toItemOutput(
      await compareGroups(dataset('churn.csv'), { outcome: 'churned', group: 'plan' }),
    );
    expect(rates.text.split('\n')[0]).toMatch(
      /^The share of churned = true differs between the 3 plan groups \(highest: /,
    );
  });

  it('a categorical outcome: the distribution, and a bar per group and value', async () => {
    const result = await compareGroups(dataset('churn.csv'), { outcome: 'plan', group: 'region' });
    const output = ItemOutput.parse(toItemOutput(result));
    expect(output.text.split('\n')[0]).toBe(
      "The distribution of plan does not differ clearly between the 4 region groups; chi-square test of independence p = 0.29 (Cramér's V 0.044).",
    );
    expect(output.text).toContain('1,915 rows compared; 85 left out for missing values.');
    expect(output.text).toContain('- ⚠ "region" is missing in 85 rows; they were left out.');
    const chart = output.charts![0]!;
    expect(chart.kind === 'bar' && chart.bars.length).toBe(12);
    expect(Buffer.byteLength(JSON.stringify(output))).toBeLessThan(itemOutputBytes);
  });

  it('a categorical table keeps a group left out of the tests, with empty counts', async () => {
    const path = await files.file('g,y\na,x\na,y\na,z\nb,y\nb,y\nb,x\nc,x\n');
    const output = toItemOutput(await compareGroups(path, { outcome: 'y', group: 'g' }));
    expect(output.tables![0]!.columns).toEqual(['g', 'n', 'x', 'y', 'z']);
    expect(output.tables![0]!.rows).toEqual([
      ['a', 3, 1, 1, 1],
      ['b', 3, 1, 2, 0],
      ['c', 1, null, null, null],
    ]);
  });

  it('a group left out of the tests has an empty row in the table and no bar', async () => {
    const path = await files.file('g,y\na,1\na,2\na,3\nb,4\nb,6\nb,9\nc,5\n');
    const output = toItemOutput(
      await compareGroups(path, { outcome: 'y', group: 'g', filters: [{ column: 'y', op: '<', value: 9 }] }),
    );
    expect(output.tables![0]!.rows.at(-1)).toEqual(['c', 1, null, null, null, null, null]);
    const chart = output.charts![0]!;
    expect(chart.kind === 'bar' && chart.bars.map((b) => b.label)).toEqual(['a', 'b']);
    expect(output.text).toContain('rows compared where y < 9.');
  });
});

import { ItemOutput } from '@cascade/core/protocol';
import { describe, expect, it } from 'vitest';
import { estimateEffect } from '../../src/engines/causal/estimate-effect';
import { profileCsv } from '../../src/engines/profile/profile';
import type { ColumnProfile, ProfileResult } from '../../src/engines/profile/types';
import { itemOutputBytes, toItemOutput } from '../../src/output/item-output';
import { renderForTerminal, renderTable } from '../../src/output/terminal';
import { dataset, scratchDirectory } from '../support/files';

const files = scratchDirectory();

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('chat output of a profile', () => {
  it('fits the protocol, with a histogram per many-valued numeric column, bars for the others and a correlation heatmap', async () => {
    const result = await profileCsv(dataset('churn.csv'));
    const output = ItemOutput.parse(toItemOutput(result));
    expect(output.charts!.map((chart) => `${chart.kind} ${chart.title}`)).toEqual([
      'histogram Distribution of monthly_fee',
      'histogram Distribution of tenure_months',
      'bar Values of support_calls',
      'bar Values of autopay',
      'histogram Distribution of satisfaction',
      'bar Values of retention_offer',
      'bar Values of churned',
      'heatmap Correlation (Pearson, pairwise complete)',
    ]);
    const heatmap = output.charts!.find((chart) => chart.kind === 'heatmap');
    expect(heatmap).toMatchObject({ columns: result.correlation.columns });
    expect(result.correlation.columns).toContain('churned');
    expect(output.tables![0]!.rows).toHaveLength(12);
    expect(output.text).toContain(
      '**churn.csv**: 2,000 rows × 12 columns (2 numeric, 3 integer, 2 boolean, 2 categorical, 1 datetime, 2 text); 3.5% of cells are missing.',
    );
    expect(output.text).toContain('Most missing: last_feedback');
    // A 12-column dataset stays far below the 128 KB WebSocket message limit.
    expect(bytes(output)).toBeLessThan(30 * 1024);
  });

  it('draws a 0/1 or true/false column as bars of its value counts, in value order', async () => {
    const lines = ['offer,churned,score'];
    for (let i = 0; i < 40; i++) lines.push(`${i % 4 === 0 ? 1 : 0},${i % 5 === 0},${(i * 37) % 100}.5`);
    const result = await profileCsv(await files.file(`${lines.join('\n')}\n`));
    const output = ItemOutput.parse(toItemOutput(result));
    expect(output.charts!.map((chart) => `${chart.kind} ${chart.title}`)).toEqual([
      'bar Values of offer',
      'bar Values of churned',
      'histogram Distribution of score',
      'heatmap Correlation (Pearson, pairwise complete)',
    ]);
    const bars = output.charts!.flatMap((chart) =>
      chart.kind === 'bar' ? [[chart.x, chart.y, chart.bars.map((bar) => `${bar.label}: ${bar.value}`)]] : [],
    );
    expect(bars).toEqual([
      ['offer', 'count', ['0: 30', '1: 10']],
      ['churned', 'count', ['false: 32', 'true: 8']],
    ]);
  });

  it('drops charts before it outgrows a chat message, however wide the data', () => {
    // Column names this long put every part of the output in the tens of kilobytes: untrimmed,
    // the 12 histograms, the heatmap and the two tables come to about 170 KB.
    const name = (j: number) => `${'very long column name '.repeat(90)}${j}`;
    const numeric = Array.from(
      { length: 20 },
      (_, j): ColumnProfile => ({
        name: name(j),
        type: 'numeric',
        count: 1000,
        missing: 0,
        unique: 900,
        mean: j,
        std: 1,
        min: j - 3,
        q25: j - 0.7,
        q50: j,
        q75: j + 0.7,
        max: j + 3,
        histogram: {
          edges: Array.from({ length: 21 }, (_, k) => j - 3 + 0.3 * k),
          counts: Array.from({ length: 20 }, (_, k) => 50 - Math.abs(10 - k)),
        },
      }),
    );
    const categorical = [20, 21].map(
      (j): ColumnProfile => ({
        name: name(j),
        type: 'categorical',
        count: 1000,
        missing: 0,
        unique: 5,
        top: Array.from({ length: 5 }, (_, k) => ({ value: `level ${k}`, count: 200 })),
      }),
    );
    const correlated = numeric.map((c) => c.name);
    const result: ProfileResult = {
      tool: 'profile',
      source: 'wide.csv',
      rows: 1000,
      columns: [...numeric, ...categorical],
      correlation: {
        columns: correlated,
        matrix: correlated.map((_, i) => correlated.map((_, j) => (i === j ? 1 : 0.5 / (1 + i + j)))),
      },
      reading: [],
      warnings: [],
    };
    const output = ItemOutput.parse(toItemOutput(result));
    expect(bytes(output)).toBeLessThanOrEqual(itemOutputBytes);
    // Some charts had to go (there would be 12 histograms and a heatmap), and no table did.
    expect(output.charts!.length).toBeLessThan(13);
    expect(output.tables!.map((t) => t.title)).toEqual(['Columns', 'Most frequent values']);
    expect(output.text).toContain('22 columns');
  });
});

describe('chat output of an effect', () => {
  it('puts every estimate in the text, a table and an interval chart, with propensity histograms', async () => {
    const result = await estimateEffect(dataset('lalonde.csv'), {
      treatment: 'treat',
      outcome: 're78',
      covariates: ['age', 'educ', 'black', 'hispan', 'married', 'nodegree', 're74', 're75'],
    });
    const output = ItemOutput.parse(toItemOutput(result));
    expect(output.text).toMatch(
      /^\*\*Effect of treat on re78\*\* \(lalonde\.csv; 614 rows: \d+ treated, \d+ untreated; adjusted for 8 covariates\)/,
    );
    expect(output.text).toContain('1:1 propensity matching (ATT)');
    const intervals = output.charts!.find((chart) => chart.kind === 'intervals');
    expect(intervals?.kind === 'intervals' && intervals.intervals.map((i) => i.label)).toEqual([
      'Difference in means (ATE)',
      'Regression adjustment (ATE)',
      'IPW (Hájek) (ATE)',
      'IPW (Horvitz–Thompson) (ATE)',
      'IPW on the treated (ATT)',
      '1:1 propensity matching (ATT)',
    ]);
    expect(output.charts!.filter((chart) => chart.kind === 'histogram')).toHaveLength(2);
    expect(output.tables!.map((t) => t.title)).toEqual([
      'Estimates',
      'Covariate balance (standardized mean differences)',
    ]);
    for (const warning of result.warnings) expect(output.text).toContain(warning);
  });
});

describe('terminal report', () => {
  it('aligns text left and numbers right under each header', () => {
    const text = renderTable({
      title: 'T',
      columns: ['name', 'n'],
      rows: [
        ['a', 5],
        ['long name', 12],
        ['c', null],
      ],
    });
    expect(text).toBe(
      ['T', 'name        n', '---------  --', 'a           5', 'long name  12', 'c           –'].join('\n'),
    );
  });

  it('prints the summary without markdown emphasis, then the tables', () => {
    const text = renderForTerminal({ text: '**bold** words', tables: [{ columns: ['x'], rows: [[1]] }] });
    expect(text).toBe('bold words\n\nx\n-\n1');
  });
});

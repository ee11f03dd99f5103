import { ItemOutput } from '@cascade/core/protocol';
import { describe, expect, it } from 'vitest';
import { estimateEffect } from '../src/engines/causal/estimate-effect';
import { profileCsv } from '../src/engines/profile/profile';
import { itemOutputBytes, toItemOutput } from '../src/output/item-output';
import { renderForTerminal, renderTable } from '../src/output/terminal';
import { scratchDirectory } from './support/files';

const dataset = (name: string) => new URL(`../datasets/${name}`, import.meta.url).pathname;
const files = scratchDirectory();
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('chat output of a profile', () => {
  it('fits the protocol, with a histogram per numeric column and a correlation heatmap', async () => {
    const result = await profileCsv(dataset('churn.csv'));
    const output = ItemOutput.parse(toItemOutput(result));
    const histograms = output.charts!.filter((chart) => chart.kind === 'histogram');
    expect(histograms.map((chart) => chart.kind === 'histogram' && chart.column)).toEqual(
      result.columns.filter((c) => c.histogram).map((c) => c.name),
    );
    const heatmap = output.charts!.find((chart) => chart.kind === 'heatmap');
    expect(heatmap).toMatchObject({ columns: result.correlation.columns });
    expect(output.tables![0]!.rows).toHaveLength(12);
    expect(output.text).toContain(
      '**churn.csv**: 2,000 rows × 12 columns (2 numeric, 3 integer, 2 boolean, 2 categorical, 1 datetime, 2 text); 3.5% of cells are missing.',
    );
    expect(output.text).toContain('Most missing: last_feedback');
    // A 12-column dataset stays far below the 128 KB WebSocket message limit.
    expect(bytes(output)).toBeLessThan(30 * 1024);
  });

  it('drops charts before it outgrows a chat message, however wide the data', async () => {
    const header = Array.from({ length: 400 }, (_, j) => `c${j}`).join(',');
    const rows = Array.from({ length: 50 }, (_, i) =>
      Array.from({ length: 400 }, (_, j) => (i * 31 + j * 17) % 97).join(','),
    );
    const result = await profileCsv(await files.file(`${header}\n${rows.join('\n')}\n`));
    const output = ItemOutput.parse(toItemOutput(result));
    expect(bytes(output)).toBeLessThanOrEqual(itemOutputBytes);
    expect(output.text).toContain('400 columns');
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

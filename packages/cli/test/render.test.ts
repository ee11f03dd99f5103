import type { ServerMessageOf } from '@cascade/core/protocol';
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDuration,
  progressBar,
  renderDatasets,
  renderExecution,
  renderOutput,
  renderResponse,
  table,
} from '../src/render';

const ids = { executionId: 'e-1', sessionId: 's-1' };

describe('table', () => {
  it('aligns columns on their widest cell and right-aligns numbers', () => {
    expect(
      table(
        ['NAME', 'ROWS'],
        [
          ['churn.csv', '7043'],
          ['x.csv', '12'],
        ],
      ),
    ).toBe(['NAME       ROWS', 'churn.csv  7043', 'x.csv        12'].join('\n'));
  });

  it('cuts long cells with an ellipsis and keeps each row on one line', () => {
    const [, row] = table(['A'], [[`line one\nline two ${'x'.repeat(60)}`]], 20).split('\n');
    expect(row).toBe('line one line two x…');
  });
});

describe('progressBar', () => {
  it('draws the share done, the counts and the failures', () => {
    expect(progressBar(12, 40, 1, 10)).toBe('[###.......] 12/40 items, 1 failed');
    expect(progressBar(0, 1, 0, 10)).toBe('[..........] 0/1 item');
    expect(progressBar(40, 40, 0, 10)).toBe('[##########] 40/40 items');
  });
});

describe('units', () => {
  it('formats sizes and durations for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(100 * 1024 * 1024)).toBe('100 MB');
    expect(formatDuration(340)).toBe('340 ms');
    expect(formatDuration(2_345)).toBe('2.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
});

describe('answers', () => {
  it("shows an item's markdown as written, its tables compact and its charts by title", () => {
    const text = renderOutput({
      text: '**churn.csv** has **3** rows.',
      tables: [
        {
          title: 'Counts',
          columns: ['churn', 'n'],
          rows: [
            ['yes', 1],
            ['no', 2],
            [null, 0],
          ],
        },
      ],
      charts: [{ kind: 'histogram', title: 'tenure', column: 'tenure', edges: [0, 1], counts: [3] }],
    });
    expect(text).toBe(
      [
        '**churn.csv** has **3** rows.',
        '',
        'Counts\nchurn  n\nyes    1\nno     2\n       0',
        '',
        '(1 chart: tenure — the web client draws them)',
      ].join('\n'),
    );
  });

  it('shows at most 20 rows of a table and counts the rest', () => {
    const rows = Array.from({ length: 25 }, (_, i) => [i]);
    expect(renderOutput({ text: 't', tables: [{ columns: ['i'], rows }] })).toContain('… 5 more rows');
  });

  it('shows one answer whole, with the data it came from and the run it belongs to', () => {
    const response: ServerMessageOf<'response'> = {
      action: 'response',
      ...ids,
      status: 'SUCCEEDED',
      summary: 'summary',
      items: [
        { id: 'item-1', status: 'SUCCEEDED', output: { text: '7,043 rows.' }, datasets: ['churn.csv'] },
      ],
    };
    expect(renderResponse(response)).toBe(
      '7,043 rows.\n\nFrom churn.csv.\n\nSUCCEEDED · execution e-1 · session s-1',
    );
  });

  it("shows a batch as the summary and a table of each item's first line or error", () => {
    const response: ServerMessageOf<'response'> = {
      action: 'response',
      ...ids,
      status: 'PARTIAL',
      summary: '1 of 2 answered.',
      items: [
        { id: 'a', status: 'SUCCEEDED', output: { text: '\nFirst line.\nSecond line.' } },
        { id: 'b', status: 'FAILED', error: 'No dataset named x.csv.' },
      ],
    };
    expect(renderResponse(response).split('\n')).toEqual([
      '1 of 2 answered.',
      '',
      'ID  STATUS     ANSWER',
      'a   SUCCEEDED  First line.',
      'b   FAILED     No dataset named x.csv.',
      '',
      'PARTIAL · execution e-1 · session s-1',
    ]);
  });

  it("leaves the summary's markdown tables to the aligned table and skips an answer's italic note", () => {
    const response: ServerMessageOf<'response'> = {
      action: 'response',
      ...ids,
      status: 'SUCCEEDED',
      summary: '**All 2 items succeeded.**\n\n| item | result |\n| --- | --- |\n| a | … |',
      items: [
        {
          id: 'a',
          status: 'SUCCEEDED',
          output: { text: '_Question read as: rows._\n\nThere are **2,000** rows.' },
        },
        { id: 'b', status: 'SUCCEEDED', output: { text: '_Only a note._' } },
      ],
    };
    expect(renderResponse(response).split('\n').slice(0, 5)).toEqual([
      '**All 2 items succeeded.**',
      '',
      'ID  STATUS     ANSWER',
      'a   SUCCEEDED  There are **2,000** rows.',
      'b   SUCCEEDED  _Only a note._',
    ]);
  });

  it("shows a run's state with its items while it works", () => {
    const text = renderExecution({
      action: 'execution',
      ...ids,
      status: 'RUNNING',
      totalItems: 2,
      completedItems: 1,
      failedItems: 0,
      startedAt: '2026-12-06T10:00:00.000Z',
      items: [
        { id: 'a', status: 'SUCCEEDED', durationMs: 120, output: { text: 'Done.' } },
        { id: 'b', status: 'RUNNING', input: 'what is the mean?' },
      ],
    });
    expect(text).toContain('Status:     RUNNING');
    expect(text).toContain('Items:      1/2 done, 0 failed');
    expect(text).toMatch(/a\s+SUCCEEDED\s+120 ms\s+Done\./);
    expect(text).toMatch(/b\s+RUNNING\s+what is the mean\?/);
  });

  it('lists datasets with their size, shape and kind, numbers right-aligned under their headings', () => {
    expect(
      renderDatasets([
        { id: 'churn.csv', name: 'churn.csv', sizeBytes: 2048, rows: 7043, columns: 21, sample: true },
      ]),
    ).toBe(
      'ID           SIZE  ROWS  COLUMNS  KIND    NAME\nchurn.csv  2.0 KB  7043       21  sample  churn.csv',
    );
  });

  it('says how to add a dataset, CSV or Parquet, when there is none', () => {
    expect(renderDatasets([])).toBe('No datasets: add one with `cascade upload FILE.csv` (or FILE.parquet).');
  });
});

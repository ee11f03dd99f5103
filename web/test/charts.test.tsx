import type { Chart } from '@cascade/core/protocol';
import * as Plot from '@observablehq/plot';
import { render, screen, waitFor } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { numberTicksWidth, textWidth, wrapText } from '../src/charts/measure';
import { countTicks, lineX, plotOptions } from '../src/charts/options';
import { OutputView } from '../src/components/Answer';

type ChartOf<K extends Chart['kind']> = Extract<Chart, { kind: K }>;

const charts: Chart[] = [
  { kind: 'histogram', title: 'age', column: 'age', edges: [18, 28, 38, 48], counts: [12, 30, 9] },
  {
    kind: 'heatmap',
    title: 'Correlations',
    columns: ['age', 'educ', 're78'],
    matrix: [
      [1, 0.2, null],
      [0.2, 1, 0.35],
      [null, 0.35, 1],
    ],
  },
  {
    kind: 'intervals',
    title: 'Effect of treat on re78',
    intervals: [
      { label: 'difference in means', estimate: 1794, lo: 551, hi: 3038 },
      { label: 'OLS', estimate: 1676, lo: 384, hi: 2969 },
    ],
  },
  {
    kind: 'bar',
    title: 'Mean re78 by group',
    x: 'group',
    y: 'mean re78',
    bars: [
      { label: 'treated', value: 6349, lo: 5000, hi: 7700 },
      { label: 'control', value: 4555 },
    ],
  },
  {
    kind: 'line',
    title: 'Earnings by month',
    x: 'month',
    y: 'earnings',
    points: [
      { x: '2026-02-01', y: 12 },
      { x: '2026-01-01', y: 10 },
    ],
  },
  {
    kind: 'scatter',
    title: 'Earnings against age',
    x: 'age',
    y: 're78',
    points: [
      { x: 20, y: 1000 },
      { x: 30, y: 5000 },
    ],
  },
];

function bar(bars: ChartOf<'bar'>['bars']): ChartOf<'bar'> {
  return { kind: 'bar', title: 'bars', x: 'group', y: 'value', bars };
}

function intervals(labels: string[]): ChartOf<'intervals'> {
  return {
    kind: 'intervals',
    title: 'effects',
    intervals: labels.map((label, i) => ({ label, estimate: 1000 + i, lo: 200, hi: 3000 })),
  };
}

/** The plot Observable Plot draws for these options (scales resolved, axes in the DOM). */
function draw(chart: Chart, width = 720) {
  return Plot.plot(plotOptions(chart, width));
}

/** A scale's domain as the plot resolved it. */
function domain(plot: ReturnType<typeof Plot.plot>, scale: Plot.ScaleName): unknown[] {
  return [...(plot.scale(scale)?.domain ?? [])];
}

function marksOf(chart: Chart, width = 720) {
  return plotOptions(chart, width).marks ?? [];
}

function tickLabels(plot: Element, axis: string): string[] {
  return [...plot.querySelectorAll(`[aria-label="${axis}-axis tick label"] text`)].map((text) =>
    text.children.length > 0
      ? [...text.children].map((line) => line.textContent).join(' ')
      : (text.textContent ?? ''),
  );
}

beforeAll(() => {
  // jsdom has no canvas; Plot paints the colour legend's ramp on one.
  HTMLCanvasElement.prototype.getContext = (() => ({ fillRect() {}, fillStyle: '' })) as never;
  HTMLCanvasElement.prototype.toDataURL = () => 'data:image/png;base64,';
});

describe('charts', () => {
  it('loads Observable Plot lazily and draws every kind of chart of an answer', async () => {
    render(<OutputView output={{ text: 'Profile', charts }} />);
    for (const chart of charts) {
      const figure = await screen.findByRole('img', { name: chart.title }, { timeout: 10_000 });
      await waitFor(() => expect(figure.querySelector('svg')).not.toBeNull());
    }
    const heatmap = screen.getByRole('img', { name: 'Correlations' });
    expect(heatmap.textContent).toContain('0.35');
    const intervals = screen.getByRole('img', { name: 'Effect of treat on re78' });
    expect(intervals.textContent).toContain('difference in means');
    const bars = screen.getByRole('img', { name: 'Mean re78 by group' });
    expect(bars.textContent).toContain('treated');
  });
});

describe('histogram count axis', () => {
  it('ticks whole counts only when they are few', () => {
    expect(countTicks(1)).toEqual([0, 1]);
    expect(countTicks(4)).toEqual([0, 1, 2, 3, 4]);
    expect(countTicks(0)).toEqual([0]);
    expect(countTicks(30)).toBeUndefined();
  });

  it('leaves room left of the axis for counts in the millions', () => {
    const histogram = (counts: number[]): Chart => ({
      kind: 'histogram',
      title: 'income',
      column: 'income',
      edges: counts.map((_, i) => i * 10).concat(counts.length * 10),
      counts,
    });
    const small = plotOptions(histogram([3, 8, 2]), 720).marginLeft!;
    const large = plotOptions(histogram([1_234_567, 845_000]), 720).marginLeft!;
    expect(large).toBeGreaterThan(small);
    expect(large).toBeGreaterThanOrEqual(textWidth('1,200,000') + 9);
  });
});

describe('bar charts', () => {
  it('draws upright bars in the order given, with an interval only where lo and hi are set', () => {
    const chart = bar([
      { label: 'treated', value: 6349, lo: 5000, hi: 7700 },
      { label: 'control', value: 4555 },
      { label: 'another', value: 100, lo: 50, hi: 150 },
    ]);
    const marks = marksOf(chart);
    expect(marks.some((mark) => mark instanceof Plot.BarY)).toBe(true);
    const plot = draw(chart);
    expect(domain(plot, 'x')).toEqual(['treated', 'control', 'another']);
    expect(plot.querySelectorAll('[aria-label="rule"] line')).toHaveLength(2 + 1); // two intervals, the zero line
    expect(domain(plot, 'y')[1]).toBeGreaterThanOrEqual(7700);
  });

  it('labels its axes with the chart x and y and reaches below zero for negative values', () => {
    const plot = draw(
      bar([
        { label: 'gain', value: 400 },
        { label: 'loss', value: -1250, lo: -2600, hi: 100 },
      ]),
    );
    expect(plot.textContent).toContain('group');
    expect(plot.textContent).toContain('value');
    expect(domain(plot, 'y')[0]).toBeLessThanOrEqual(-2600);
  });

  it('groups bars by series, coloured, with a legend of the series in order', () => {
    const chart = bar([
      { label: 'no degree', series: 'treated', value: 0.55 },
      { label: 'no degree', series: 'control', value: 0.5 },
      { label: 'college', series: 'treated', value: 0.75 },
      { label: 'college', series: 'control', value: 0.66 },
    ]);
    const options = plotOptions(chart, 720);
    expect(options.color).toMatchObject({ domain: ['treated', 'control'], legend: true });
    const plot = draw(chart);
    expect(domain(plot, 'fx')).toEqual(['no degree', 'college']);
    expect(domain(plot, 'x')).toEqual(['treated', 'control']);
    expect(plot.querySelectorAll('[aria-label="bar"] rect')).toHaveLength(4);
  });

  it('lays grouped bars down when their labels do not fit under them, groups and series in order', () => {
    const labels = ['no degree', 'high school diploma', 'college degree', 'graduate degree'];
    const chart = bar(
      labels.flatMap((label, i) => [
        { label, series: 'treated', value: i, lo: i - 0.5, hi: i + 0.5 },
        { label, series: 'control', value: i - 1 },
      ]),
    );
    expect(marksOf(chart, 320).some((mark) => mark instanceof Plot.BarX)).toBe(true);
    const plot = draw(chart, 320);
    expect(domain(plot, 'fy')).toEqual(labels);
    expect(domain(plot, 'y')).toEqual(['treated', 'control']);
    expect(tickLabels(plot, 'fy')).toEqual(labels);
    expect(plot.querySelectorAll('[aria-label="rule"] line').length).toBeGreaterThanOrEqual(labels.length);
  });

  it('lays fifty categories down as rows, labels on the left in the order given', () => {
    const labels = Array.from({ length: 50 }, (_, i) => `category ${50 - i}`);
    const chart = bar(labels.map((label, i) => ({ label, value: i })));
    expect(marksOf(chart).some((mark) => mark instanceof Plot.BarX)).toBe(true);
    const options = plotOptions(chart, 720);
    expect(options.height).toBeGreaterThanOrEqual(50 * 20);
    expect(tickLabels(draw(chart), 'y')).toEqual(labels);
  });

  it('lays long labels down and widens the left margin with them', () => {
    const short = plotOptions(
      bar([
        { label: 'a', value: 1 },
        { label: 'b', value: 2 },
      ]),
      720,
    );
    const long = bar([
      { label: 'installation, maintenance and repair', value: 1 },
      { label: 'food preparation and serving', value: 2 },
      { label: 'healthcare practitioners', value: 3 },
      { label: 'architecture and engineering', value: 4 },
      { label: 'arts, design, entertainment', value: 5 },
      { label: 'office and administrative support', value: 6 },
    ]);
    const options = plotOptions(long, 720);
    expect(marksOf(long).some((mark) => mark instanceof Plot.BarX)).toBe(true);
    expect(options.marginLeft).toBeGreaterThanOrEqual(textWidth('installation, maintenance and repair') + 9);
    expect(options.marginLeft!).toBeGreaterThan(short.marginLeft!);
  });

  it('wraps a label too long for a narrow chart onto lines instead of cutting it', () => {
    const label = 'Occupation 4: installation, maintenance and repair workers';
    const chart = bar([
      { label, value: 1 },
      { label: 'other', value: 2 },
    ]);
    const options = plotOptions(chart, 320);
    expect(options.marginLeft!).toBeLessThan(320 / 2);
    const [wrapped] = tickLabels(draw(chart, 320), 'y');
    expect(wrapped).toBe(label);
    expect(draw(chart, 320).querySelector('[aria-label="y-axis tick label"] text tspan')).not.toBeNull();
  });
});

describe('line charts', () => {
  it('reads ISO dates as dates on a time axis and joins each series in x order', () => {
    const chart: ChartOf<'line'> = {
      kind: 'line',
      title: 'monthly',
      x: 'month',
      y: 'earnings',
      points: [
        { x: '2026-03-01', y: 3, series: 'treated' },
        { x: '2026-01-01', y: 1, series: 'treated' },
        { x: '2026-02-01', y: 2, series: 'treated' },
        { x: '2026-01-01', y: 0.5, series: 'control' },
        { x: '2026-03-01', y: 1.5, series: 'control' },
      ],
    };
    const marks = marksOf(chart);
    expect(marks.some((mark) => mark instanceof Plot.Line)).toBe(true);
    const plot = draw(chart);
    expect(plot.scale('x')?.type).toBe('utc');
    expect(domain(plot, 'x')).toEqual([new Date('2026-01-01'), new Date('2026-03-01')]);
    expect(domain(plot, 'color')).toEqual(['treated', 'control']);
    const paths = plot.querySelectorAll('[aria-label="line"] path');
    expect(paths).toHaveLength(2);
    // Sorted by date, each line runs left to right: its x never falls back.
    for (const path of paths) {
      const xs = [...(path.getAttribute('d') ?? '').matchAll(/[ML]([\d.]+),/g)].map((m) => Number(m[1]));
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
    }
  });

  it('keeps numbers as numbers and does not take a number-like string for a date', () => {
    expect(lineX(3)).toBe(3);
    expect(lineX('3')).toBe(3);
    expect(lineX('2026-01-05')).toEqual(new Date('2026-01-05'));
    expect(lineX('2026-01-05T10:30:00Z')).toEqual(new Date('2026-01-05T10:30:00Z'));
    const plot = draw({
      kind: 'line',
      title: 't',
      x: 'step',
      y: 'loss',
      points: [
        { x: 1, y: 2 },
        { x: 2, y: 1 },
      ],
    });
    expect(plot.scale('x')?.type).toBe('linear');
  });

  it('draws a zero line when the values cross zero', () => {
    const rules = (ys: number[]) =>
      marksOf({ kind: 'line', title: 't', x: 'x', y: 'y', points: ys.map((y, x) => ({ x, y })) }).filter(
        (mark) => mark instanceof Plot.RuleY,
      ).length;
    expect(rules([-1, 2, 3])).toBe(1);
    expect(rules([1, 2, 3])).toBe(0);
  });
});

describe('scatter charts', () => {
  it('draws a dot per point with tooltips, labelled axes and a legend of series', () => {
    const points = Array.from({ length: 3000 }, (_, i) => ({
      x: i,
      y: i * 2,
      series: i % 2 ? 'treated' : 'control',
    }));
    const chart: ChartOf<'scatter'> = { kind: 'scatter', title: 's', x: 'age', y: 're78', points };
    const options = plotOptions(chart, 720);
    const dots = (options.marks ?? []).filter((mark) => mark instanceof Plot.Dot);
    expect(dots).toHaveLength(1);
    expect(options.color).toMatchObject({ domain: ['control', 'treated'], legend: true });
    expect(options.x).toMatchObject({ label: 'age' });
    expect(options.y).toMatchObject({ label: 're78' });
    const plot = draw(chart);
    expect(plot.querySelectorAll('[aria-label="dot"] circle')).toHaveLength(3000);
    expect(domain(plot, 'y')).toEqual([0, 5998]);
  });
});

describe('intervals chart', () => {
  it('leaves room for the longest method name at the left edge', () => {
    const labels = ['Difference in means (ATE)', 'IPW (Horvitz–Thompson) (ATE)'];
    const options = plotOptions(intervals(labels), 720);
    for (const label of labels) expect(options.marginLeft).toBeGreaterThanOrEqual(textWidth(label) + 9);
    expect(options.marginLeft!).toBeGreaterThan(140);
    expect(tickLabels(draw(intervals(labels)), 'y')).toEqual(labels);
  });

  it('widens the margin as the labels grow', () => {
    const margin = (label: string) => plotOptions(intervals([label]), 720).marginLeft!;
    expect(margin('OLS')).toBeLessThan(margin('OLS (ATE)'));
    expect(margin('OLS (ATE)')).toBeLessThan(margin('Difference in means (ATE)'));
  });

  it('keeps the axis numbers whole at both ends', () => {
    const options = plotOptions(
      {
        kind: 'intervals',
        title: 'e',
        intervals: [{ label: 'a', estimate: 1_500_000, lo: -2_000_000, hi: 4_000_000 }],
      },
      720,
    );
    expect(options.marginRight).toBeGreaterThanOrEqual(textWidth('4,000,000') / 2);
  });
});

describe('heatmap', () => {
  it('grows its left and bottom margins with the column names', () => {
    const heatmap = (columns: string[]): Chart => ({
      kind: 'heatmap',
      title: 'c',
      columns,
      matrix: columns.map(() => columns.map(() => 0.1)),
    });
    const short = plotOptions(heatmap(['a', 'b']), 720);
    const long = plotOptions(heatmap(['earnings_1978_adjusted', 'b']), 720);
    expect(long.marginLeft!).toBeGreaterThanOrEqual(textWidth('earnings_1978_adjusted') + 9);
    expect(long.marginLeft!).toBeGreaterThan(short.marginLeft!);
    expect(long.marginBottom!).toBeGreaterThan(short.marginBottom!);
  });
});

describe('text measure', () => {
  it('estimates text width from its length where there is no canvas, by its widest line', () => {
    expect(textWidth('abcdef')).toBeGreaterThan(textWidth('abc'));
    expect(textWidth('abc\nabcdef')).toBe(textWidth('abcdef'));
  });

  it('wraps at spaces to fit a width, keeping every word', () => {
    const lines = wrapText('IPW (Horvitz–Thompson) (ATE)', textWidth('IPW (Horvitz–Thompson)'));
    expect(lines).toEqual(['IPW (Horvitz–Thompson)', '(ATE)']);
    expect(wrapText('unbreakable', 1)).toEqual(['unbreakable']);
  });

  it('sizes tick labels for grouped thousands, minus signs and decimals', () => {
    expect(numberTicksWidth([0, 1_234_567])).toBeGreaterThanOrEqual(textWidth('1,200,000'));
    expect(numberTicksWidth([-5000, 10])).toBeGreaterThanOrEqual(textWidth('−5,000'));
    expect(numberTicksWidth([0, 0.08])).toBeGreaterThanOrEqual(textWidth('0.08'));
    expect(numberTicksWidth([0, 10])).toBeLessThan(numberTicksWidth([0, 10_000]));
  });
});

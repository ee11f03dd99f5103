import type { Chart } from '@cascade/core/protocol';
import { render, screen, waitFor } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { countTicks } from '../src/charts/Charts';
import { OutputView } from '../src/components/Answer';

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
];

beforeAll(() => {
  // jsdom has no canvas; Plot paints the colour legend's ramp on one.
  HTMLCanvasElement.prototype.getContext = (() => ({ fillRect() {}, fillStyle: '' })) as never;
  HTMLCanvasElement.prototype.toDataURL = () => 'data:image/png;base64,';
});

describe('charts', () => {
  it('loads Observable Plot lazily and draws a histogram, a heatmap and effect intervals', async () => {
    render(<OutputView output={{ text: 'Profile', charts }} />);
    for (const chart of charts) {
      const figure = await screen.findByRole('img', { name: chart.title }, { timeout: 10_000 });
      await waitFor(() => expect(figure.querySelector('svg')).not.toBeNull());
    }
    const heatmap = screen.getByRole('img', { name: 'Correlations' });
    expect(heatmap.textContent).toContain('0.35');
    const intervals = screen.getByRole('img', { name: 'Effect of treat on re78' });
    expect(intervals.textContent).toContain('difference in means');
  });
});

describe('histogram count axis', () => {
  it('ticks whole counts only when they are few', () => {
    expect(countTicks(1)).toEqual([0, 1]);
    expect(countTicks(4)).toEqual([0, 1, 2, 3, 4]);
    expect(countTicks(0)).toEqual([0]);
    expect(countTicks(30)).toBeUndefined();
  });
});

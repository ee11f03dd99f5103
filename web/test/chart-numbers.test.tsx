import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import Charts from '../src/charts/Charts';
import { chartNumbers } from '../src/charts/numbers';

describe("a chart's numbers", () => {
  it('list a histogram by bin, an interval chart by method, a heatmap as its matrix', () => {
    expect(
      chartNumbers({ kind: 'histogram', title: 'age', column: 'age', edges: [10, 20, 30], counts: [4, 6] }),
    ).toEqual({
      title: 'The numbers of "age"',
      columns: ['age from', 'to', 'count'],
      rows: [
        [10, 20, 4],
        [20, 30, 6],
      ],
    });
    expect(
      chartNumbers({
        kind: 'intervals',
        title: 'Effect',
        intervals: [{ label: 'Difference in means (ATE)', estimate: 1794.3, lo: 550.6, hi: 3038 }],
      }).rows,
    ).toEqual([['Difference in means (ATE)', 1794.3, 550.6, 3038]]);
    expect(
      chartNumbers({
        kind: 'heatmap',
        title: 'Correlations',
        columns: ['a', 'b'],
        matrix: [
          [1, 0.5],
          [0.5, null],
        ],
      }),
    ).toMatchObject({
      columns: ['', 'a', 'b'],
      rows: [
        ['a', 1, 0.5],
        ['b', 0.5, null],
      ],
    });
  });

  it('name series and intervals only when the chart has them, and list at most 200 points', () => {
    expect(
      chartNumbers({
        kind: 'bar',
        title: 'Sales',
        x: 'region',
        y: 'sales',
        bars: [{ label: 'north', value: 3 }],
      }),
    ).toMatchObject({ columns: ['region', 'sales'], rows: [['north', 3]] });
    const points = Array.from({ length: 250 }, (_, i) => ({
      x: i,
      y: i * 2,
      series: i % 2 ? 'odd' : 'even',
    }));
    const table = chartNumbers({ kind: 'scatter', title: 'xy', x: 'x', y: 'y', points });
    expect(table.columns).toEqual(['series', 'x', 'y']);
    expect(table.rows).toHaveLength(200);
    expect(table.title).toBe('The numbers of "xy" (first 200 of 250 rows)');
  });

  it('are under each chart, folded, as its text alternative', async () => {
    render(
      <Charts
        charts={[
          { kind: 'bar', title: 'Sales', x: 'region', y: 'sales', bars: [{ label: 'north', value: 3 }] },
        ]}
      />,
    );
    expect(screen.getByRole('img', { name: 'Sales' })).toBeInTheDocument();
    await userEvent.click(screen.getByText('Show the numbers'));
    const table = screen.getByRole('table');
    expect(within(table).getByText('north')).toBeInTheDocument();
  });
});

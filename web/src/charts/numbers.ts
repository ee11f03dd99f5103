import type { Chart, Table } from '@cascade/core/protocol';

/** A chart drawn from thousands of points lists the first ones; the caption says how many. */
const maxRows = 200;

const within = (rows: Table['rows'], title: string): Table => ({
  title: rows.length > maxRows ? `${title} (first ${maxRows} of ${rows.length} rows)` : title,
  columns: [],
  rows: rows.slice(0, maxRows),
});

/**
 * The numbers a chart draws, as a table: its text alternative for a screen reader, and for
 * anyone who wants the values rather than the picture.
 */
export function chartNumbers(chart: Chart): Table {
  const title = `The numbers of "${chart.title}"`;
  switch (chart.kind) {
    case 'histogram':
      return {
        ...within(
          chart.counts.map((count, i) => [chart.edges[i] ?? null, chart.edges[i + 1] ?? null, count]),
          title,
        ),
        columns: [`${chart.column} from`, 'to', 'count'],
      };
    case 'heatmap':
      return {
        ...within(
          chart.columns.map((row, i) => [row, ...(chart.matrix[i] ?? []).map((v) => v ?? null)]),
          title,
        ),
        columns: ['', ...chart.columns],
      };
    case 'intervals':
      return {
        ...within(
          chart.intervals.map((i) => [i.label, i.estimate, i.lo, i.hi]),
          title,
        ),
        columns: ['', 'estimate', 'low', 'high'],
      };
    case 'bar': {
      const series = chart.bars.some((b) => b.series !== undefined);
      const interval = chart.bars.some((b) => b.lo !== undefined || b.hi !== undefined);
      return {
        ...within(
          chart.bars.map((b) => [
            b.label,
            ...(series ? [b.series ?? null] : []),
            b.value,
            ...(interval ? [b.lo ?? null, b.hi ?? null] : []),
          ]),
          title,
        ),
        columns: [chart.x, ...(series ? ['series'] : []), chart.y, ...(interval ? ['low', 'high'] : [])],
      };
    }
    case 'line':
    case 'scatter': {
      const series = chart.points.some((p) => p.series !== undefined);
      return {
        ...within(
          chart.points.map((p) => [...(series ? [p.series ?? null] : []), p.x, p.y]),
          title,
        ),
        columns: [...(series ? ['series'] : []), chart.x, chart.y],
      };
    }
  }
}

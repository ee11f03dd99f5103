import type { Chart } from '@cascade/core/protocol';
import * as Plot from '@observablehq/plot';
import { useEffect, useRef } from 'react';

/** Counts are whole: up to ten, a tick at each one; beyond, Plot's own (whole at that scale). */
export function countTicks(max: number): number[] | undefined {
  return max <= 10 ? Array.from({ length: max + 1 }, (_, i) => i) : undefined;
}

/** Observable Plot options for one chart of an answer. */
export function plotOptions(chart: Chart, width: number): Plot.PlotOptions {
  const common = { width, marginLeft: 56, style: { fontSize: '12px', background: 'transparent' } };
  switch (chart.kind) {
    case 'histogram': {
      const bins = chart.counts.map((count, i) => ({
        x1: chart.edges[i] ?? 0,
        x2: chart.edges[i + 1] ?? chart.edges[i] ?? 0,
        count,
      }));
      return {
        ...common,
        height: 220,
        x: { label: chart.column },
        y: { label: 'count', grid: true, ticks: countTicks(Math.max(0, ...chart.counts)), tickFormat: ',d' },
        marks: [
          Plot.rectY(bins, { x1: 'x1', x2: 'x2', y: 'count', fill: 'var(--accent)', inset: 0.5, tip: true }),
          Plot.ruleY([0]),
        ],
      };
    }
    case 'heatmap': {
      const cells = chart.matrix.flatMap((row, r) =>
        row.map((value, c) => ({ row: chart.columns[r] ?? '', column: chart.columns[c] ?? '', value })),
      );
      const size = Math.min(width, 120 + chart.columns.length * 56);
      return {
        ...common,
        width: size,
        height: Math.min(size, 60 + chart.columns.length * 44),
        marginLeft: 100,
        marginBottom: 60,
        padding: 0.04,
        x: { domain: chart.columns, label: null, tickRotate: -30 },
        y: { domain: chart.columns, label: null },
        color: { type: 'linear', scheme: 'RdBu', domain: [-1, 1], legend: true, label: 'correlation' },
        marks: [
          Plot.cell(cells, { x: 'column', y: 'row', fill: 'value', tip: true }),
          Plot.text(cells, {
            x: 'column',
            y: 'row',
            text: (d: { value: number | null }) => (d.value === null ? '' : d.value.toFixed(2)),
            fill: (d: { value: number | null }) =>
              d.value !== null && Math.abs(d.value) > 0.6 ? 'white' : 'black',
          }),
        ],
      };
    }
    case 'intervals':
      return {
        ...common,
        height: 60 + chart.intervals.length * 36,
        marginLeft: 140,
        x: { label: 'estimate (95% interval)', grid: true },
        y: { domain: chart.intervals.map((i) => i.label), label: null },
        marks: [
          Plot.ruleX([0], { stroke: '#999', strokeDasharray: '4 3' }),
          Plot.ruleY(chart.intervals, {
            y: 'label',
            x1: 'lo',
            x2: 'hi',
            stroke: 'var(--accent)',
            strokeWidth: 2,
          }),
          Plot.dot(chart.intervals, { x: 'estimate', y: 'label', fill: 'var(--accent)', r: 4, tip: true }),
        ],
      };
  }
}

function ChartFigure({ chart }: { chart: Chart }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    let drawnWidth = 0;
    const draw = () => {
      const width = Math.max(260, Math.min(720, element.clientWidth || 640));
      if (width === drawnWidth) return;
      drawnWidth = width;
      element.replaceChildren(Plot.plot(plotOptions(chart, width)));
    };
    draw();
    const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(() => draw());
    observer?.observe(element.parentElement ?? element);
    return () => {
      observer?.disconnect();
      element.replaceChildren();
    };
  }, [chart]);
  return (
    <figure className="chart" data-chart={chart.kind}>
      <figcaption>{chart.title}</figcaption>
      <div ref={holder} className="chart-plot" role="img" aria-label={chart.title} />
    </figure>
  );
}

/** The charts of one answer; this module (with Observable Plot) is loaded only when a chart is shown. */
export default function Charts({ charts }: { charts: Chart[] }) {
  return (
    <div className="charts">
      {charts.map((chart, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: charts of one answer are positional
        <ChartFigure key={i} chart={chart} />
      ))}
    </div>
  );
}

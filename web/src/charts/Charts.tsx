import type { Chart } from '@cascade/core/protocol';
import * as Plot from '@observablehq/plot';
import { useEffect, useRef } from 'react';
import { DataTable } from '../components/DataTable';
import { chartNumbers } from './numbers';
import { plotOptions } from './options';

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
      const plot = Plot.plot(plotOptions(chart, width));
      // The figure is the image and its title the text alternative; Plot's own aria-labels on <g> are not valid ARIA.
      plot.setAttribute('aria-hidden', 'true');
      element.replaceChildren(plot);
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
      {/* The chart's text alternative, and the values for anyone who wants them rather than the picture. */}
      <details className="chart-numbers">
        <summary>Show the numbers</summary>
        <DataTable table={chartNumbers(chart)} />
      </details>
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

import type { Chart } from '@cascade/core/protocol';
import * as Plot from '@observablehq/plot';
import {
  bottomAxis,
  categoryAxis,
  dateTicksWidth,
  FONT_SIZE,
  LINE_HEIGHT,
  leftAxisMargin,
  numberTicksWidth,
  overhang,
  textWidth,
} from './measure';

type ChartOf<K extends Chart['kind']> = Extract<Chart, { kind: K }>;

const ACCENT = 'var(--accent)';
const INTERVAL_STROKE = '#1e293b';
/** Plot's own right margin, kept unless a tick label hangs further. */
const MARGIN_RIGHT = 20;

function base(width: number) {
  return { width, style: { fontSize: `${FONT_SIZE}px`, background: 'transparent' } };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** A series colour per name in the order the chart gives them, with a legend; none for a single series. */
function seriesColor(series: string[]): Plot.ScaleOptions | undefined {
  return series.length > 0 ? { domain: series, scheme: 'observable10', legend: true } : undefined;
}

/** Counts are whole: up to ten, a tick at each one; beyond, Plot's own (whole at that scale). */
export function countTicks(max: number): number[] | undefined {
  return max <= 10 ? Array.from({ length: max + 1 }, (_, i) => i) : undefined;
}

function histogram(chart: ChartOf<'histogram'>, width: number): Plot.PlotOptions {
  const bins = chart.counts.map((count, i) => ({
    x1: chart.edges[i] ?? 0,
    x2: chart.edges[i + 1] ?? chart.edges[i] ?? 0,
    count,
  }));
  const max = Math.max(0, ...chart.counts);
  const edgeLabel = numberTicksWidth(chart.edges);
  const axis = bottomAxis();
  return {
    ...base(width),
    height: 230,
    marginLeft: Math.max(leftAxisMargin(numberTicksWidth([0, max])), overhang(edgeLabel)),
    marginRight: Math.max(MARGIN_RIGHT, overhang(edgeLabel)),
    marginBottom: axis.marginBottom,
    x: { label: chart.column, labelOffset: axis.labelOffset },
    y: { label: 'count', grid: true, ticks: countTicks(max), tickFormat: ',d' },
    marks: [
      Plot.rectY(bins, { x1: 'x1', x2: 'x2', y: 'count', fill: ACCENT, inset: 0.5, tip: true }),
      Plot.ruleY([0]),
    ],
  };
}

/** The ramp's end labels are centred on its ends: margins keep them whole (Plot's types omit legend options here). */
const correlationColor: Plot.ScaleOptions & Omit<Plot.LegendOptions, 'legend'> = {
  type: 'linear',
  scheme: 'RdBu',
  domain: [-1, 1],
  legend: true,
  label: 'correlation',
  width: 268,
  marginLeft: 14,
  marginRight: 14,
};

function heatmap(chart: ChartOf<'heatmap'>, width: number): Plot.PlotOptions {
  const cells = chart.matrix.flatMap((row, r) =>
    row.map((value, c) => ({ row: chart.columns[r] ?? '', column: chart.columns[c] ?? '', value })),
  );
  const rows = categoryAxis(chart.columns, width);
  // Column labels are turned 30° and end at their tick: they hang down by half their length, left by most of it.
  const longest = Math.max(0, ...chart.columns.map(textWidth));
  const marginLeft = Math.max(rows.marginLeft, Math.ceil(longest * Math.cos(Math.PI / 6)) + 6);
  const marginBottom = Math.ceil(longest * 0.5 + FONT_SIZE + 15);
  const marginRight = 12;
  const n = Math.max(1, chart.columns.length);
  const cell = Math.max(14, Math.min(56, (width - marginLeft - marginRight) / n));
  const cellHeight = Math.max(Math.min(44, cell), rows.lines * LINE_HEIGHT + 6);
  const showValues = cell >= textWidth('−0.00') + 6;
  return {
    ...base(Math.round(marginLeft + n * cell + marginRight)),
    height: Math.round(10 + n * cellHeight + marginBottom),
    marginTop: 10,
    marginLeft,
    marginRight,
    marginBottom,
    padding: 0.04,
    x: { domain: chart.columns, label: null, tickRotate: -30 },
    y: { domain: chart.columns, label: null, tickFormat: rows.tickFormat },
    color: correlationColor,
    marks: [
      Plot.cell(cells, { x: 'column', y: 'row', fill: 'value', tip: true }),
      showValues
        ? Plot.text(cells, {
            x: 'column',
            y: 'row',
            text: (d: { value: number | null }) => (d.value === null ? '' : d.value.toFixed(2)),
            fill: (d: { value: number | null }) =>
              d.value !== null && Math.abs(d.value) > 0.6 ? 'white' : 'black',
          })
        : null,
    ],
  };
}

function intervals(chart: ChartOf<'intervals'>, width: number): Plot.PlotOptions {
  const rows = categoryAxis(
    chart.intervals.map((i) => i.label),
    width,
  );
  const valueLabel = numberTicksWidth([0, ...chart.intervals.flatMap((i) => [i.lo, i.hi, i.estimate])]);
  const rowHeight = Math.max(36, rows.lines * LINE_HEIGHT + 14);
  const axis = bottomAxis();
  return {
    ...base(width),
    height: 20 + axis.marginBottom + chart.intervals.length * rowHeight,
    marginTop: 20,
    marginBottom: axis.marginBottom,
    marginLeft: Math.max(rows.marginLeft, overhang(valueLabel)),
    marginRight: Math.max(MARGIN_RIGHT, overhang(valueLabel)),
    x: { label: 'estimate (95% interval)', grid: true, labelOffset: axis.labelOffset },
    y: { domain: chart.intervals.map((i) => i.label), label: null, tickFormat: rows.tickFormat },
    marks: [
      Plot.ruleX([0], { stroke: '#999', strokeDasharray: '4 3' }),
      Plot.ruleY(chart.intervals, { y: 'label', x1: 'lo', x2: 'hi', stroke: ACCENT, strokeWidth: 2 }),
      Plot.dot(chart.intervals, { x: 'estimate', y: 'label', fill: ACCENT, r: 4, tip: true }),
    ],
  };
}

/**
 * Bars in the order given. Upright while every category label fits under its bar; lying down
 * (labels on the left, wrapped when long, one row each) for many or long categories.
 */
function bar(chart: ChartOf<'bar'>, width: number): Plot.PlotOptions {
  const labels = unique(chart.bars.map((b) => b.label));
  const series = unique(chart.bars.flatMap((b) => (b.series === undefined ? [] : [b.series])));
  const bars = chart.bars.map((b) => ({ ...b, series: b.series ?? chart.y }));
  const withInterval = bars.filter((b) => b.lo !== undefined && b.hi !== undefined);
  const valueLabel = numberTicksWidth([0, ...bars.flatMap((b) => [b.value, b.lo ?? 0, b.hi ?? 0])]);
  const grouped = series.length > 0;
  const fill = grouped ? 'series' : ACCENT;
  const tip = {
    tip: true,
    channels: withInterval.length > 0 ? { '95% low': 'lo', '95% high': 'hi' } : undefined,
  } as const;
  const interval = { stroke: INTERVAL_STROKE, strokeWidth: 1.5 };

  const valueMargin = leftAxisMargin(valueLabel);
  const slot = (width - valueMargin - MARGIN_RIGHT) / Math.max(1, labels.length);
  const longest = Math.max(0, ...labels.map(textWidth));
  if (slot >= Math.max(longest + 8, series.length * 10 + 10)) {
    const axis = bottomAxis();
    const category = { domain: labels, label: chart.x, labelOffset: axis.labelOffset, padding: 0.2 };
    const value = { label: chart.y, grid: true };
    return {
      ...base(width),
      height: 270,
      marginLeft: valueMargin,
      marginRight: MARGIN_RIGHT,
      marginBottom: axis.marginBottom,
      ...(grouped
        ? { fx: { ...category, axis: 'bottom' }, x: { domain: series, axis: null, padding: 0.05 } }
        : { x: category }),
      y: value,
      color: seriesColor(series),
      marks: [
        Plot.barY(bars, {
          ...(grouped && { fx: 'label' }),
          x: grouped ? 'series' : 'label',
          y: 'value',
          fill,
          ...tip,
        }),
        Plot.ruleX(withInterval, {
          ...(grouped && { fx: 'label' }),
          x: grouped ? 'series' : 'label',
          y1: 'lo',
          y2: 'hi',
          markerStart: 'tick-x',
          markerEnd: 'tick-x',
          ...interval,
        }),
        Plot.ruleY([0]),
      ],
    };
  }

  const rows = categoryAxis(labels, width);
  const rowHeight = Math.max(grouped ? series.length * 12 + 10 : 22, rows.lines * LINE_HEIGHT + 8);
  const marginTop = 28;
  const { marginBottom, labelOffset } = bottomAxis();
  const category = {
    domain: labels,
    label: chart.x,
    labelAnchor: 'top',
    tickFormat: rows.tickFormat,
    padding: grouped ? 0.15 : 0.2,
  } as const;
  return {
    ...base(width),
    height: marginTop + marginBottom + labels.length * rowHeight,
    marginTop,
    marginBottom,
    marginLeft: Math.max(rows.marginLeft, overhang(valueLabel)),
    marginRight: Math.max(MARGIN_RIGHT, overhang(valueLabel)),
    ...(grouped
      ? { fy: { ...category, axis: 'left' }, y: { domain: series, axis: null, padding: 0.05 } }
      : { y: category }),
    x: { label: chart.y, grid: true, labelOffset },
    color: seriesColor(series),
    marks: [
      Plot.barX(bars, {
        ...(grouped && { fy: 'label' }),
        y: grouped ? 'series' : 'label',
        x: 'value',
        fill,
        ...tip,
      }),
      Plot.ruleY(withInterval, {
        ...(grouped && { fy: 'label' }),
        y: grouped ? 'series' : 'label',
        x1: 'lo',
        x2: 'hi',
        markerStart: 'tick-y',
        markerEnd: 'tick-y',
        ...interval,
      }),
      Plot.ruleX([0]),
    ],
  };
}

const ISO_DATE = /^\d{4}-\d{2}(-\d{2})?([T ]\d{2}:\d{2}.*)?$/;

/** A line's x: ISO dates and times become Dates (a time axis), anything else a number. */
export function lineX(x: number | string): number | Date {
  if (typeof x === 'number') return x;
  return ISO_DATE.test(x.trim()) ? new Date(x.trim()) : Number(x);
}

function line(chart: ChartOf<'line'>, width: number): Plot.PlotOptions {
  const series = unique(chart.points.flatMap((p) => (p.series === undefined ? [] : [p.series])));
  const points = chart.points
    .map((p) => ({ x: lineX(p.x), y: p.y, series: p.series ?? chart.y }))
    .filter((p) => Number.isFinite(+p.x))
    .sort((a, b) => +a.x - +b.x);
  const dates = points.some((p) => p.x instanceof Date);
  const xLabel = dates ? dateTicksWidth() : numberTicksWidth(points.map((p) => +p.x));
  const ys = points.map((p) => p.y);
  const crossesZero = Math.min(...ys) < 0 && Math.max(...ys) > 0;
  const stroke = series.length > 0 ? 'series' : ACCENT;
  // Time ticks take two lines ("Jan" over "2025").
  const axis = bottomAxis(dates ? 2 : 1);
  return {
    ...base(width),
    height: 270,
    marginBottom: axis.marginBottom,
    marginLeft: Math.max(leftAxisMargin(numberTicksWidth(ys)), overhang(xLabel)),
    marginRight: Math.max(MARGIN_RIGHT, overhang(xLabel)),
    x: { label: chart.x, labelOffset: axis.labelOffset, ...(dates && { type: 'utc' }) },
    y: { label: chart.y, grid: true },
    color: seriesColor(series),
    marks: [
      crossesZero ? Plot.ruleY([0]) : null,
      Plot.line(points, { x: 'x', y: 'y', z: 'series', stroke, strokeWidth: 2, tip: true }),
      points.length <= 60 ? Plot.dot(points, { x: 'x', y: 'y', fill: stroke, r: 2.5 }) : null,
    ],
  };
}

function scatter(chart: ChartOf<'scatter'>, width: number): Plot.PlotOptions {
  const series = unique(chart.points.flatMap((p) => (p.series === undefined ? [] : [p.series])));
  const points = chart.points.map((p) => ({ ...p, series: p.series ?? chart.y }));
  const xLabel = numberTicksWidth(points.map((p) => p.x));
  const many = points.length > 200;
  const axis = bottomAxis();
  return {
    ...base(width),
    marginBottom: axis.marginBottom,
    height: Math.round(Math.min(420, Math.max(240, width * 0.62))),
    marginLeft: Math.max(leftAxisMargin(numberTicksWidth(points.map((p) => p.y))), overhang(xLabel)),
    marginRight: Math.max(MARGIN_RIGHT, overhang(xLabel)),
    x: { label: chart.x, grid: true, labelOffset: axis.labelOffset },
    y: { label: chart.y, grid: true },
    color: seriesColor(series),
    marks: [
      Plot.dot(points, {
        x: 'x',
        y: 'y',
        fill: series.length > 0 ? 'series' : ACCENT,
        r: points.length > 1000 ? 1.6 : many ? 2.4 : 3.5,
        fillOpacity: many ? 0.55 : 0.8,
        tip: true,
      }),
    ],
  };
}

/** Observable Plot options for one chart of an answer, `width` px wide at most. */
export function plotOptions(chart: Chart, width: number): Plot.PlotOptions {
  switch (chart.kind) {
    case 'histogram':
      return histogram(chart, width);
    case 'heatmap':
      return heatmap(chart, width);
    case 'intervals':
      return intervals(chart, width);
    case 'bar':
      return bar(chart, width);
    case 'line':
      return line(chart, width);
    case 'scatter':
      return scatter(chart, width);
  }
}

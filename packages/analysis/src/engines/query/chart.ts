import { type Cell, type ChartSpec, formatCount, type QueryResult } from '@cascade/core/contract';
import { AnalysisError } from '../../errors';
import { fewValues } from '../profile/column-stats';
import { histogramBins, histogramEdges } from '../profile/histogram';
import type { CollectedRows, ResultColumn } from './result-rows';

export const maxScatterPoints = 2000;
export const maxBars = 100;

/**
 * Runs a query over every row of the statement's result and returns its rows. `build` gets the
 * statement as a FROM item whose columns are named c0, c1, … in result order.
 */
export type OverAllRows = (build: (from: string) => string, maxRows: number) => Promise<Cell[][]>;

const numericType =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\))$/;
const temporalType = /^(DATE|TIME|TIMESTAMP)/;
const isoText = /^-?\d{4}-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?)?/;

/** The charts a query can ask for: bar, line, scatter and histogram. */
export type QueryChart = NonNullable<QueryResult['chart']>;

/** Raised inside this module for a chart that cannot be drawn; becomes a warning, never a failure. */
class NoChart extends Error {}

const column = (index: number) => `"c${index}"`;
/** A double as SQL that reads back exactly (a bare 0.1 would be a DECIMAL). */
const double = (value: number) => `'${value}'::DOUBLE`;

/** A cell as a number for a chart, or undefined. Wide integers come as digits, and a chart needs no more than a double. */
function numberOf(cell: Cell | undefined): number | undefined {
  const value = typeof cell === 'string' ? Number(cell) : cell;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

const label = (cell: Cell | undefined) => (cell === null || cell === undefined ? 'missing' : String(cell));

interface Columns {
  x: number;
  y?: number;
  series?: number;
}

function locate(result: CollectedRows, spec: ChartSpec): Columns {
  const find = (name: string) => {
    let index = result.columns.findIndex((c) => c.name === name);
    if (index < 0) index = result.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
    if (index < 0) {
      const names = result.columns.map((c) => c.name);
      throw new NoChart(
        `the result has no column "${name}"; its columns are ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}`,
      );
    }
    return index;
  };
  return {
    x: find(spec.x),
    ...(spec.y !== undefined && { y: find(spec.y) }),
    ...(spec.series !== undefined && { series: find(spec.series) }),
  };
}

function requireNumeric(column: ResultColumn, role: string): void {
  if (!numericType.test(column.type))
    throw new NoChart(`${role} "${column.name}" is ${column.type}, not a number`);
}

function requireY(result: CollectedRows, at: Columns, kind: string): number {
  if (at.y === undefined) throw new NoChart(`a ${kind} chart needs y, a numeric column`);
  requireNumeric(result.columns[at.y]!, 'y');
  return at.y;
}

/** Said when a bar or line chart can show only the rows that came back. */
function firstRowsOnly(result: CollectedRows, warnings: string[]): void {
  if (result.rowCount > result.rows.length)
    warnings.push(
      `The chart shows the first ${formatCount(result.rows.length)} of ${formatCount(result.rowCount)} rows; aggregate (GROUP BY) to chart them all.`,
    );
}

function barChart(spec: ChartSpec, result: CollectedRows, at: Columns, warnings: string[]): QueryChart {
  const y = requireY(result, at, 'bar');
  const bars = result.rows.flatMap((row) => {
    const value = numberOf(row[y]);
    if (value === undefined) return [];
    return [
      { label: label(row[at.x]), value, ...(at.series !== undefined && { series: label(row[at.series]) }) },
    ];
  });
  firstRowsOnly(result, warnings);
  if (bars.length > maxBars)
    warnings.push(`The chart shows the first ${maxBars} of ${formatCount(bars.length)} bars.`);
  const [xName, yName] = [result.columns[at.x]!.name, result.columns[y]!.name];
  return {
    kind: 'bar',
    title: spec.title ?? `${yName} by ${xName}`,
    x: xName,
    y: yName,
    bars: bars.slice(0, maxBars),
  };
}

function lineChart(spec: ChartSpec, result: CollectedRows, at: Columns, warnings: string[]): QueryChart {
  const y = requireY(result, at, 'line');
  const xColumn = result.columns[at.x]!;
  const numericX = numericType.test(xColumn.type);
  const datedX =
    temporalType.test(xColumn.type) ||
    (xColumn.type === 'VARCHAR' &&
      result.rows.every((row) => row[at.x] === null || isoText.test(String(row[at.x]))));
  if (!numericX && !datedX)
    throw new NoChart(`x "${xColumn.name}" is ${xColumn.type}; a line needs numbers, dates or times on x`);
  const points = result.rows.flatMap((row) => {
    const x = numericX ? numberOf(row[at.x]) : (row[at.x] ?? undefined);
    const value = numberOf(row[y]);
    if (x === undefined || value === undefined) return [];
    return [
      {
        x: x as number | string,
        y: value,
        ...(at.series !== undefined && { series: label(row[at.series]) }),
      },
    ];
  });
  // ISO dates and times sort as text.
  points.sort((a, b) => (a.x < b.x ? -1 : a.x > b.x ? 1 : 0));
  firstRowsOnly(result, warnings);
  const yName = result.columns[y]!.name;
  return {
    kind: 'line',
    title: spec.title ?? `${yName} over ${xColumn.name}`,
    x: xColumn.name,
    y: yName,
    points,
  };
}

async function scatterChart(
  spec: ChartSpec,
  result: CollectedRows,
  at: Columns,
  overAllRows: OverAllRows,
): Promise<QueryChart> {
  const y = requireY(result, at, 'scatter');
  requireNumeric(result.columns[at.x]!, 'x');
  let rows: Cell[][] = result.rows.map((row) => [row[at.x]!, row[y]!, row[at.series ?? at.x]!]);
  if (result.rowCount > result.rows.length) {
    // Every k-th row of the whole result, so the points cover all of it, not only its first rows.
    const step = Math.ceil(result.rowCount / maxScatterPoints);
    const picked = [column(at.x), column(y), column(at.series ?? at.x)].join(', ');
    rows = await overAllRows(
      (from) =>
        `SELECT ${picked} FROM (SELECT *, row_number() OVER () AS "row" FROM ${from}) WHERE ("row" - 1) % ${step} = 0`,
      maxScatterPoints,
    );
  }
  const points = rows.flatMap(([xCell, yCell, seriesCell]) => {
    const [x, value] = [numberOf(xCell), numberOf(yCell)];
    if (x === undefined || value === undefined) return [];
    return [{ x, y: value, ...(at.series !== undefined && { series: label(seriesCell) }) }];
  });
  const [xName, yName] = [result.columns[at.x]!.name, result.columns[y]!.name];
  return {
    kind: 'scatter',
    title: spec.title ?? `${yName} against ${xName}`,
    x: xName,
    y: yName,
    points: points.slice(0, maxScatterPoints),
  };
}

/**
 * numpy's histogram (histogram.ts) of one column over every row of the result, counted by
 * DuckDB: the edges come from histogramEdges, and each value's bin is found as histogram()
 * finds it, from the scaled index corrected against the edges themselves. A column of at most
 * fewValues values (0/1, ratings, booleans) gets a bar per value instead.
 */
async function histogramChart(
  spec: ChartSpec,
  result: CollectedRows,
  at: Columns,
  overAllRows: OverAllRows,
  warnings: string[],
): Promise<QueryChart> {
  const xColumn = result.columns[at.x]!;
  const numeric = numericType.test(xColumn.type);
  // v: the values as they are; x: as doubles, for the bins.
  const values = (from: string) =>
    `(SELECT ${column(at.x)} AS v, ${numeric ? `CAST(${column(at.x)} AS DOUBLE)` : 'NULL::DOUBLE'} AS x FROM ${from})`;
  const [summary] = await overAllRows(
    (from) =>
      `SELECT count(DISTINCT v), min(x) FILTER (WHERE isfinite(x)), max(x) FILTER (WHERE isfinite(x)), count(x) FILTER (WHERE NOT isfinite(x)) FROM ${values(from)}`,
    1,
  );
  const [levels = 0, min, max, infinite = 0] = summary!.map(numberOf);
  if (levels === 0) throw new NoChart(`"${xColumn.name}" has no values`);
  if (levels <= fewValues) {
    const counts = await overAllRows(
      (from) =>
        `SELECT ${column(at.x)}, count(*) FROM ${from} WHERE ${column(at.x)} IS NOT NULL GROUP BY ALL ORDER BY 1`,
      fewValues,
    );
    warnings.push(
      `"${xColumn.name}" has only ${levels} distinct ${levels === 1 ? 'value' : 'values'}, so the chart counts the rows of each instead of drawing a histogram.`,
    );
    return {
      kind: 'bar',
      title: spec.title ?? `Rows by ${xColumn.name}`,
      x: xColumn.name,
      y: 'rows',
      bars: counts.map(([value, count]) => ({ label: label(value), value: numberOf(count)! })),
    };
  }
  if (!numeric)
    throw new NoChart(
      `a histogram needs numbers, and "${xColumn.name}" is ${xColumn.type} with ${formatCount(levels)} distinct values`,
    );
  if (min === undefined || max === undefined) throw new NoChart(`"${xColumn.name}" has no finite values`);
  if (infinite > 0)
    warnings.push(
      `The histogram leaves out ${formatCount(infinite)} infinite or NaN ${infinite === 1 ? 'value' : 'values'}.`,
    );

  const edges = histogramEdges(min, max);
  const first = edges[0]!;
  const norm = histogramBins / (edges[histogramBins]! - first);
  const last = histogramBins - 1;
  const binned = await overAllRows(
    (from) => `SELECT bin, count(*) FROM (
  SELECT CASE WHEN x < e[b + 1] THEN b - 1 WHEN b < ${last} AND x >= e[b + 2] THEN b + 1 ELSE b END AS bin
  FROM (
    SELECT x, [${edges.map(double).join(', ')}] AS e,
      CAST(least(floor((x - ${double(first)}) * ${double(norm)}), ${last}) AS BIGINT) AS b
    FROM ${values(from)} WHERE isfinite(x)
  )
) GROUP BY bin`,
    histogramBins,
  );
  const counts = new Array<number>(histogramBins).fill(0);
  for (const [bin, count] of binned) counts[numberOf(bin)!] = numberOf(count)!;
  return {
    kind: 'histogram',
    title: spec.title ?? `Distribution of ${xColumn.name}`,
    column: xColumn.name,
    edges,
    counts,
  };
}

/**
 * The chart a query asked for, from its result columns. A chart that cannot be drawn (a column
 * missing or of the wrong type, no values, a pass over all rows that failed) is left out with a
 * warning saying why; the query's own result stands either way.
 */
export async function drawChart(
  spec: ChartSpec,
  result: CollectedRows,
  overAllRows: OverAllRows,
): Promise<{ chart?: QueryChart; warnings: string[] }> {
  const warnings: string[] = [];
  try {
    const at = locate(result, spec);
    switch (spec.kind) {
      case 'bar':
        return { chart: barChart(spec, result, at, warnings), warnings };
      case 'line':
        return { chart: lineChart(spec, result, at, warnings), warnings };
      case 'scatter':
        return { chart: await scatterChart(spec, result, at, overAllRows), warnings };
      case 'histogram':
        return { chart: await histogramChart(spec, result, at, overAllRows, warnings), warnings };
    }
  } catch (error) {
    if (error instanceof NoChart)
      return { warnings: [`The ${spec.kind} chart was left out: ${error.message}.`] };
    if (error instanceof AnalysisError)
      return {
        warnings: [
          `The ${spec.kind} chart was left out: ${error.message.replace(/^The query/, 'its pass over all rows')}`,
        ],
      };
    throw error;
  }
}

import { type Cell, formatCount, formatNumber, type QueryResult, significant } from '@cascade/core/contract';
import type { Chart, ItemOutput, Table } from '@cascade/core/protocol';

/** Rows shown in the chat's table; the result document keeps up to maxQueryRows. */
export const shownRows = 100;
/** Characters of one cell in the chat's table. */
const shownCellChars = 200;
/**
 * Text, chart and table together stay under this, well inside item-output.ts's 96 KB message,
 * so the table gives up rows before toItemOutput would drop the chart or the table whole.
 */
const outputBytes = 80 * 1024;
const minTableBytes = 16 * 1024;

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
const plural = (count: number, one: string, many = `${one}s`) =>
  `${formatCount(count)} ${count === 1 ? one : many}`;

function showValue(cell: Cell): string {
  if (cell === null) return 'missing (null)';
  if (typeof cell === 'number') return Number.isInteger(cell) ? formatCount(cell) : formatNumber(cell, 6);
  return String(cell);
}

/** A fence longer than any run of backticks in the SQL, so the block cannot end early. */
function sqlBlock(sql: string): string {
  const longest = Math.max(2, ...(sql.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}sql\n${sql}\n${fence}`;
}

function summary(result: QueryResult, shown: number): string {
  const { rowCount, columns, rows } = result;
  const source = `**${result.source}**`;
  if (rowCount === 1 && columns.length === 1)
    return `${source}: the query returned one value: ${columns[0]!.name} = **${showValue(rows[0]![0]!)}**.`;
  if (rowCount === 0) return `${source}: the query returned no rows.`;
  const kept = result.truncated ? `; the first ${formatCount(rows.length)} are kept` : '';
  const table =
    rowCount > shown
      ? ` The table shows the first ${formatCount(shown)}; ${formatCount(rowCount - shown)} more are not shown.`
      : '';
  return `${source}: the query returned ${plural(rowCount, 'row')} × ${plural(columns.length, 'column')}${kept}.${table}`;
}

const cellShown = (cell: Cell) =>
  typeof cell === 'string' && cell.length > shownCellChars ? `${cell.slice(0, shownCellChars - 1)}…` : cell;

/** The first rows that fit `budget` bytes, at most shownRows. */
function tableRows(result: QueryResult, budget: number): Cell[][] {
  const rows: Cell[][] = [];
  let used = bytes(result.columns.map((c) => c.name));
  for (const row of result.rows.slice(0, shownRows)) {
    const shown = row.map(cellShown);
    used += bytes(shown);
    if (used > budget) break;
    rows.push(shown);
  }
  return rows;
}

/** Chart numbers at the precision a chart can show, so a 2,000-point scatter stays small. */
function compact(chart: NonNullable<QueryResult['chart']>): Chart {
  const round = (value: number) => significant(value, 8)!;
  switch (chart.kind) {
    case 'histogram':
      return { ...chart, edges: chart.edges.map(round) };
    case 'bar':
      return { ...chart, bars: chart.bars.map((bar) => ({ ...bar, value: round(bar.value) })) };
    case 'line':
      return {
        ...chart,
        points: chart.points.map((p) => ({
          ...p,
          x: typeof p.x === 'number' ? round(p.x) : p.x,
          y: round(p.y),
        })),
      };
    case 'scatter':
      return { ...chart, points: chart.points.map((p) => ({ ...p, x: round(p.x), y: round(p.y) })) };
  }
}

/** A query's chat output: a one-line answer, the SQL that ran, warnings, the result table and the chart. */
export function queryOutput(result: QueryResult): ItemOutput {
  const charts = result.chart ? [compact(result.chart)] : [];
  const warnings = result.warnings.map((warning) => `- ⚠ ${warning}`);
  // The table's share is what text and chart leave; the summary then says how many rows it shows.
  const draft = [summary(result, shownRows), sqlBlock(result.sql), ...warnings].join('\n\n');
  const rows = tableRows(result, Math.max(minTableBytes, outputBytes - bytes(draft) - bytes(charts)));
  const text = [summary(result, rows.length), sqlBlock(result.sql), ...warnings].join('\n\n');
  const single = result.rowCount === 1 && result.columns.length === 1;
  const tables: Table[] = single
    ? []
    : [
        {
          title: rows.length < result.rowCount ? `First ${plural(rows.length, 'row')}` : 'Result',
          columns: result.columns.map((c) => c.name),
          rows,
        },
      ];
  return { text, tables, charts };
}

import { type AnalysisResult, describeReading, effectMethodLabels } from '@cascade/core/contract';
import type { Chart, ItemOutput, Table } from '@cascade/core/protocol';
import type { EffectResult } from '../engines/causal/types';
import { fewValues } from '../engines/profile/column-stats';
import type { ColumnProfile, ProfileResult } from '../engines/profile/types';
import { compareOutput } from './compare';
import { formatNumber, formatSigned, percent, significant } from './format';
import { queryOutput } from './query';
import { regressionOutput } from './regression';

/** A chat message must stay far below API Gateway's 128 KB; this leaves room for the envelope. */
export const itemOutputBytes = 96 * 1024;
const maxHistograms = 12;
const maxHeatmapColumns = 20;
const maxTableRows = 100;

const methodLabels = effectMethodLabels;

function profileText(result: ProfileResult): string {
  const cells = result.rows * result.columns.length;
  const missing = result.columns.reduce((sum, c) => sum + c.missing, 0);
  const order = ['numeric', 'integer', 'boolean', 'categorical', 'datetime', 'text'];
  const types = order
    .map((type) => [type, result.columns.filter((c) => c.type === type).length] as const)
    .filter(([, count]) => count > 0);
  const gapsText =
    missing === 0 ? 'no values are missing' : `${percent(missing / cells)} of cells are missing`;
  const lines = [
    `**${result.source}**: ${formatNumber(result.rows, 12)} rows × ${result.columns.length} columns (${types.map(([type, count]) => `${count} ${type}`).join(', ')}); ${gapsText}.`,
  ];
  const gaps = result.columns.filter((c) => c.missing > 0).sort((a, b) => b.missing - a.missing);
  if (gaps.length > 0)
    lines.push(
      `- Most missing: ${gaps
        .slice(0, 3)
        .map((c) => `${c.name} (${percent(c.missing / result.rows)})`)
        .join(', ')}.`,
    );
  const { columns, matrix } = result.correlation;
  const pairs: [string, string, number][] = [];
  for (let i = 0; i < columns.length; i++)
    for (let j = i + 1; j < columns.length; j++) {
      const r = matrix[i]![j];
      if (r !== null && r !== undefined) pairs.push([columns[i]!, columns[j]!, r]);
    }
  pairs.sort((a, b) => Math.abs(b[2]) - Math.abs(a[2]));
  if (pairs.length > 0)
    lines.push(
      `- Strongest correlations: ${pairs
        .slice(0, 3)
        .map(([a, b, r]) => `${a}–${b} (r = ${r.toFixed(2)})`)
        .join(', ')}.`,
    );
  for (const column of result.columns
    .filter((c) => c.type === 'categorical' && c.top && c.top.length > 0)
    .slice(0, 3)) {
    const [first] = column.top!;
    lines.push(
      `- ${column.name}: ${column.unique} categories, most often "${first!.value}" (${percent(first!.count / column.count)}).`,
    );
  }
  for (const warning of result.warnings) lines.push(`- ⚠ ${warning}`);
  return lines.join('\n');
}

function profileTables(result: ProfileResult): Table[] {
  const columns: Table = {
    title: 'Columns',
    columns: ['column', 'type', 'count', 'missing', 'unique', 'mean', 'std', 'min', 'median', 'max'],
    rows: result.columns
      .slice(0, maxTableRows)
      .map((c) => [
        c.name,
        c.type,
        c.count,
        c.missing,
        c.unique,
        significant(c.mean),
        significant(c.std),
        c.earliest ?? significant(c.min),
        significant(c.q50),
        c.latest ?? significant(c.max),
      ]),
  };
  const top: Table = {
    title: 'Most frequent values',
    columns: ['column', 'value', 'count', 'share'],
    rows: result.columns
      .filter((c) => c.type === 'categorical' || c.type === 'boolean')
      .flatMap((c) =>
        (c.top ?? []).slice(0, 5).map((t) => [c.name, t.value, t.count, significant(t.count / c.count, 4)]),
      ),
  };
  top.rows = top.rows.slice(0, maxTableRows);
  return top.rows.length > 0 ? [columns, top] : [columns];
}

/** Bars of value counts, in value order, for a true/false column or a numeric one with few values. */
function valueBars(column: ColumnProfile): Chart | undefined {
  const few = column.type === 'boolean' || (column.histogram !== undefined && column.unique <= fewValues);
  if (!few || !column.top || column.top.length === 0) return undefined;
  const ordered = [...column.top].sort((a, b) => Number(a.value) - Number(b.value));
  return {
    kind: 'bar',
    title: `Values of ${column.name}`,
    x: column.name,
    y: 'count',
    bars: ordered.map((t) => ({
      label: typeof t.value === 'number' ? String(significant(t.value, 8)) : String(t.value),
      value: t.count,
    })),
  };
}

function distributionChart(column: ColumnProfile): Chart | undefined {
  const bars = valueBars(column);
  if (bars || !column.histogram) return bars;
  return {
    kind: 'histogram',
    title: `Distribution of ${column.name}`,
    column: column.name,
    edges: column.histogram.edges.map((edge) => significant(edge, 8)!),
    counts: column.histogram.counts,
  };
}

function profileCharts(result: ProfileResult): Chart[] {
  const charts = result.columns
    .map(distributionChart)
    .filter((chart): chart is Chart => chart !== undefined)
    .slice(0, maxHistograms);
  const { columns, matrix } = result.correlation;
  if (columns.length >= 2) {
    const shown = columns.slice(0, maxHeatmapColumns);
    charts.push({
      kind: 'heatmap',
      title: 'Correlation (Pearson, pairwise complete)',
      columns: shown,
      matrix: shown.map((_, i) => shown.map((_, j) => significant(matrix[i]![j], 3))),
    });
  }
  return charts;
}

function effectText(result: EffectResult): string {
  const lines = [
    `**Effect of ${result.treatment} on ${result.outcome}** (${result.source}; ${formatNumber(result.n, 12)} rows: ${formatNumber(result.treated, 12)} treated, ${formatNumber(result.control, 12)} untreated${result.covariates.length ? `; adjusted for ${result.covariates.length} covariate${result.covariates.length > 1 ? 's' : ''}` : ''}).`,
    '',
  ];
  for (const e of result.estimates)
    lines.push(
      `- ${methodLabels[e.method]} (${e.estimand}): **${formatSigned(e.estimate)}**, 95% CI ${formatNumber(e.ci[0])} to ${formatNumber(e.ci[1])}.`,
    );
  const imbalanced = result.balance.filter((b) => b.smdBefore !== null && Math.abs(b.smdBefore) > 0.1);
  if (imbalanced.length > 0)
    lines.push(
      '',
      `Before adjustment the groups differed most in ${imbalanced
        .sort((a, b) => Math.abs(b.smdBefore!) - Math.abs(a.smdBefore!))
        .slice(0, 3)
        .map((b) => `${b.covariate} (SMD ${b.smdBefore!.toFixed(2)})`)
        .join(', ')}.`,
    );
  if (result.warnings.length > 0) lines.push('', ...result.warnings.map((w) => `- ⚠ ${w}`));
  return lines.join('\n');
}

function effectTables(result: EffectResult): Table[] {
  const tables: Table[] = [
    {
      title: 'Estimates',
      columns: ['method', 'estimand', 'estimate', 'std. error', '95% CI low', '95% CI high'],
      rows: result.estimates.map((e) => [
        methodLabels[e.method],
        e.estimand,
        significant(e.estimate),
        significant(e.se),
        significant(e.ci[0]),
        significant(e.ci[1]),
      ]),
    },
  ];
  if (result.balance.length > 0)
    tables.push({
      title: 'Covariate balance (standardized mean differences)',
      columns: ['covariate', 'before', 'after weighting (ATE)', 'after weighting (ATT)'],
      rows: result.balance
        .slice(0, maxTableRows)
        .map((b) => [
          b.covariate,
          significant(b.smdBefore, 3),
          significant(b.smdAfter, 3),
          significant(b.smdAfterAtt, 3),
        ]),
    });
  return tables;
}

function effectCharts(result: EffectResult): Chart[] {
  const charts: Chart[] = [];
  if (result.estimates.length > 0)
    charts.push({
      kind: 'intervals',
      title: `Estimated effect of ${result.treatment} on ${result.outcome} (95% intervals)`,
      intervals: result.estimates.map((e) => ({
        label: `${methodLabels[e.method]} (${e.estimand})`,
        estimate: significant(e.estimate)!,
        lo: significant(e.ci[0])!,
        hi: significant(e.ci[1])!,
      })),
    });
  if (result.overlap) {
    const { edges, treated, control } = result.overlap.histogram;
    for (const [label, counts] of [
      ['treated', treated],
      ['untreated', control],
    ] as const)
      charts.push({
        kind: 'histogram',
        title: `Propensity scores, ${label}`,
        column: `propensity (${label})`,
        edges,
        counts,
      });
  }
  return charts;
}

function outputOf(result: AnalysisResult): ItemOutput {
  switch (result.tool) {
    case 'profile':
      return { text: profileText(result), tables: profileTables(result), charts: profileCharts(result) };
    case 'estimate_effect':
      return { text: effectText(result), tables: effectTables(result), charts: effectCharts(result) };
    case 'query_data':
      return queryOutput(result);
    case 'compare_groups':
      return compareOutput(result);
    case 'fit_regression':
      return regressionOutput(result);
  }
}

const size = (output: ItemOutput) => Buffer.byteLength(JSON.stringify(output));

/**
 * Cascade's chat output for a result: markdown with the key numbers, tables, and chart-ready
 * data. Charts, then tables, are dropped if the whole would not fit a chat message.
 */
export function toItemOutput(result: AnalysisResult): ItemOutput {
  const output = outputOf(result);
  const reading = describeReading(result.reading);
  if (reading.length > 0) output.text = `${output.text}\n\n${reading.map((r) => `- ${r}`).join('\n')}`;
  while (size(output) > itemOutputBytes && output.charts && output.charts.length > 0) output.charts.pop();
  while (size(output) > itemOutputBytes && output.tables && output.tables.length > 0) output.tables.pop();
  return output;
}

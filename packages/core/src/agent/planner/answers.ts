import {
  type Cell,
  type Coefficient,
  type CompareResult,
  describeFilters,
  type EffectResult,
  type Estimate,
  effectMethodLabels,
  effectSizeLabels,
  formatCount,
  formatNumber,
  formatP,
  formatShare,
  formatSigned,
  type QueryResult,
  type RegressionResult,
  regressionModelLabels,
  testLabels,
} from '../../contract';
import { markdownTable } from '../run/format';
import { measureName } from './calls';
import { describeFrame, describeMeasure } from './describe';
import type { Frame, Measure } from './frame';

/**
 * Answers written from tool results: the numbers first, in a sentence, then what they rest on,
 * then how they were computed, so a person can check every figure.
 */

/** What the model reads of a result (tools/observations.ts): the contract's fields, its reading as sentences. */
interface ReadNotes {
  reading?: string[];
  warnings?: string[];
}

export type QueryObservation = Pick<QueryResult, 'sql' | 'columns' | 'rows' | 'rowCount'> & ReadNotes;

type CompareObservation = Pick<
  CompareResult,
  'outcome' | 'group' | 'outcomeKind' | 'positive' | 'n' | 'dropped' | 'groups' | 'tests'
> &
  ReadNotes;

type RegressionObservation = Pick<
  RegressionResult,
  'outcome' | 'model' | 'positive' | 'n' | 'dropped' | 'references'
> & {
  coefficients: Pick<Coefficient, 'term' | 'estimate' | 'se' | 'pValue' | 'ci' | 'oddsRatio'>[];
  fit: Pick<RegressionResult['fit'], 'r2' | 'adjustedR2' | 'pseudoR2'>;
} & ReadNotes;

/** What the model reads of an effect (effectObservation): the contract's fields, without the balance table. */
type EffectObservation = Pick<
  EffectResult,
  'treatment' | 'outcome' | 'covariates' | 'n' | 'treated' | 'control' | 'dropped' | 'headline'
> & {
  estimates: Pick<Estimate, 'method' | 'estimand' | 'estimate' | 'se' | 'ci' | 'pValue'>[];
} & ReadNotes;

interface ProfileObservation {
  rows: number;
  /** Every column of the file; `columns` lists the first ones when the file is very wide. */
  columnCount?: number;
  /** The columns with the most missing values across the whole file, when it is very wide. */
  mostMissing?: { name: string; missing: number }[];
  columns: {
    name: string;
    type: string;
    missing: number;
    unique: number;
    mean?: number;
    q50?: number;
    top?: { value: unknown; count: number }[];
  }[];
  strongestCorrelations: { a: string; b: string; r: number }[];
  reading?: string[];
  warnings?: string[];
}

interface DescribeObservation {
  datasetId: string;
  rows?: number;
  sampledRows: number;
  columns: { name: string; type: string; examples: string[] }[];
}

interface ListObservation {
  datasets: { id: string; name?: string; rows?: number; columns?: number; sample: boolean }[];
}

/** A tool's result as the planner reads it. */
export interface Observed {
  tool: string;
  input: Record<string, unknown>;
  result: unknown;
}

const bold = (text: string) => `**${text}**`;
const cell = (value: Cell | undefined): string =>
  value === null || value === undefined
    ? '(missing)'
    : typeof value === 'number'
      ? formatNumber(value)
      : String(value);
const list = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
const sqlBlock = (sql: string) => `\`\`\`sql\n${sql}\n\`\`\``;

/** Notes about reading the file and the engine's warnings, as a list. */
function notes(...observations: { reading?: string[]; warnings?: string[] }[]): string {
  const all = observations.flatMap((o) => [...(o.reading ?? []), ...(o.warnings ?? [])]);
  return all.length > 0 ? all.map((n) => `- ${n}`).join('\n') : '';
}

function howComputed(observed: Observed[]): string {
  const parts = observed.map((o) => {
    const dataset = String(o.input.datasetId ?? '');
    switch (o.tool) {
      case 'query_data':
        return `${bold('How this was computed')}: SQL over ${dataset} (the table \`data\`):\n\n${sqlBlock((o.result as QueryObservation).sql)}`;
      case 'compare_groups': {
        const r = o.result as CompareObservation;
        return `${bold('How this was computed')}: compare_groups on ${dataset}: ${r.outcome} between the groups of ${r.group} (${r.groups.map((g) => g.level).join(', ')}), ${r.tests.map((t) => testLabels[t.test]).join(', ')}; ${formatCount(r.n)} rows used${r.dropped > 0 ? `, ${formatCount(r.dropped)} left out for a missing ${r.outcome}` : ''}.`;
      }
      case 'fit_regression': {
        const r = o.result as RegressionObservation;
        return `${bold('How this was computed')}: fit_regression on ${dataset}: ${regressionModelLabels[r.model]} of ${r.outcome} with heteroskedasticity-robust (HC1) standard errors; ${formatCount(r.n)} complete rows${r.dropped > 0 ? ` (${formatCount(r.dropped)} left out for missing values)` : ''}.`;
      }
      case 'estimate_effect': {
        const r = o.result as EffectObservation;
        return `${bold('How this was computed')}: estimate_effect on ${dataset}: treatment ${r.treatment}, outcome ${r.outcome}, covariates ${r.covariates.length > 0 ? r.covariates.join(', ') : 'none'}; ${r.estimates.map((e) => effectMethodLabels[e.method]).join(', ')}.`;
      }
      case 'profile':
        return `${bold('How this was computed')}: profile of the whole of ${dataset}.`;
      case 'describe_dataset':
        return `${bold('How this was computed')}: the header and first rows of ${dataset}; types are inferred from those rows.`;
      default:
        return '';
    }
  });
  return [...new Set(parts.filter(Boolean))].join('\n\n');
}

/** The column index of a result column by name. */
const at = (q: QueryObservation, name: string) => q.columns.findIndex((c) => c.name === name);

function formatMeasure(measure: Measure, value: Cell | undefined): string {
  if (value === null || value === undefined) return 'undefined (no values)';
  if (typeof value !== 'number') return String(value);
  if (measure.fn === 'rate') return formatShare(value);
  if (measure.fn === 'count') return formatCount(value);
  return formatNumber(value);
}

function aggregateAnswer(frame: Extract<Frame, { kind: 'aggregate' }>, q: QueryObservation): string {
  const filters = describeFilters(frame.filters);
  const scope = filters ? ` for rows where ${filters}` : '';
  if (frame.by.length === 0) {
    const row = q.rows[0] ?? [];
    const counted = at(q, 'rows') >= 0 && !frame.measures.some((m) => m.fn === 'count' && !m.column);
    const matched = counted ? Number(row[at(q, 'rows')] ?? 0) : undefined;
    if (matched === 0)
      return `I can't compute ${list(frame.measures.map(describeMeasure))}${scope}: no row of ${frame.datasetId} meets ${filters ? 'those conditions' : 'the question'}, so there is nothing to compute it over. Check the values the conditions use (for example with "what values does <column> take?").`;
    const parts = frame.measures.map(
      (m) =>
        `${capitalise(describeMeasure(m))}${scope} is ${bold(formatMeasure(m, row[at(q, measureName(m))]))}`,
    );
    return `${parts.join('; ')}${matched !== undefined ? ` (over ${formatCount(matched)} rows)` : ''}.`;
  }
  const first = frame.measures[0]!;
  const value = (row: Cell[], m: Measure) => formatMeasure(m, row[at(q, measureName(m))]);
  const label = (row: Cell[]) => frame.by.map((b) => cell(row[at(q, b)])).join(' · ');
  if (frame.rank) {
    const [top, ...rest] = q.rows;
    if (!top) return `No rows${scope}.`;
    const topValue = top[at(q, measureName(first))];
    const ties = rest.filter((r) => r[at(q, measureName(first))] === topValue);
    const direction = frame.rank.descending ? 'highest' : 'lowest';
    if (frame.rank.limit <= 1) {
      const winners = [top, ...ties].map((r) => bold(label(r)));
      const next = rest.find((r) => r[at(q, measureName(first))] !== topValue);
      return `${list(winners)} ${winners.length > 1 ? 'share' : 'has'} the ${direction} ${describeMeasure(first).replace(/^the /, '')}${scope}: ${bold(value(top, first))}${next ? ` (next: ${label(next)} at ${value(next, first)})` : ''}.`;
    }
    const shown = q.rows.slice(0, frame.rank.limit);
    return `The ${shown.length} ${frame.by.join(' · ')} values with the ${direction} ${describeMeasure(first).replace(/^the /, '')}${scope}: ${shown.map((r) => `${bold(label(r))} ${value(r, first)}`).join(', ')}.`;
  }
  const shown = q.rows.slice(0, 12);
  const lines = frame.measures.map(
    (m) =>
      `${capitalise(describeMeasure(m))} by ${list(frame.by)}${scope}: ${shown.map((r) => `${label(r)} ${bold(value(r, m))}`).join(', ')}${q.rowCount > shown.length ? `, and ${formatCount(q.rowCount - shown.length)} more groups in the table` : ''}.`,
  );
  return lines.join('\n\n');
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function valuesAnswer(frame: Extract<Frame, { kind: 'values' | 'top' }>, q: QueryObservation): string {
  const valueAt = 0;
  const countAt = at(q, 'rows');
  const present = q.rows.filter((r) => r[valueAt] !== null);
  const missing = q.rows.find((r) => r[valueAt] === null)?.[countAt];
  const total = q.rows.reduce((sum, r) => sum + Number(r[countAt] ?? 0), 0);
  const distinct = q.rowCount - (missing !== undefined ? 1 : 0);
  const scope = describeFilters(frame.filters);
  const within = scope ? ` among rows where ${scope}` : '';
  const show = (r: Cell[]) =>
    `${bold(cell(r[valueAt]))} (${formatCount(Number(r[countAt]))}, ${formatShare(Number(r[countAt]) / total)})`;
  const missingText =
    missing !== undefined ? ` ${formatCount(Number(missing))} rows have no ${frame.column}.` : '';
  if (frame.kind === 'values') {
    if (distinct > 25)
      return `${frame.column} has ${bold(formatCount(distinct))} distinct values${within}; the most common are ${present.slice(0, 5).map(show).join(', ')}.${missingText}`;
    return `${frame.column} has ${bold(formatCount(distinct))} distinct value${distinct === 1 ? '' : 's'}${within}: ${present.map(show).join(', ')}.${missingText}`;
  }
  const ordered = frame.least ? [...present].reverse() : present;
  const n = Math.min(frame.n, ordered.length);
  if (n === 0) return `${frame.column} has no values${within}.`;
  const boundary = Number(ordered[n - 1]![countAt]);
  const tiedBeyond = ordered.slice(n).filter((r) => Number(r[countAt]) === boundary);
  const tie =
    tiedBeyond.length > 0
      ? ` (${list(tiedBeyond.map((r) => cell(r[valueAt])))} ${tiedBeyond.length === 1 ? 'is' : 'are'} tied with the last one)`
      : '';
  const word = frame.least ? 'least' : 'most';
  if (n === 1)
    return `The ${word} common ${frame.column}${within} is ${show(ordered[0]!)}${tie}.${missingText}`;
  return `The ${n} ${word} common values of ${frame.column}${within}: ${ordered.slice(0, n).map(show).join(', ')}${tie}.${missingText}`;
}

function missingAnswer(frame: Extract<Frame, { kind: 'missing' }>, q: QueryObservation): string {
  const row = q.rows[0] ?? [];
  const rows = Number(row[at(q, 'rows')] ?? 0);
  const counts = q.columns
    .filter((c) => c.name !== 'rows')
    .map((c) => ({ name: c.name, missing: Number(row[at(q, c.name)] ?? 0) }));
  if (frame.columns.length > 0)
    return counts
      .map(
        (c) =>
          `${c.name} is missing in ${bold(formatCount(c.missing))} of ${formatCount(rows)} rows (${formatShare(rows ? c.missing / rows : 0)}).`,
      )
      .join('\n');
  const gaps = counts.filter((c) => c.missing > 0).sort((a, b) => b.missing - a.missing);
  if (gaps.length === 0)
    return `${frame.datasetId} has no missing values: all ${counts.length} columns are complete in its ${formatCount(rows)} rows.`;
  const table = markdownTable(
    ['column', 'missing', 'share'],
    gaps.map((g) => [g.name, formatCount(g.missing), formatShare(g.missing / rows)]),
  );
  return `${bold(String(gaps.length))} of ${counts.length} columns have missing values (out of ${formatCount(rows)} rows): ${gaps.map((g) => `${g.name} ${bold(formatCount(g.missing))} (${formatShare(g.missing / rows)})`).join(', ')}. The other ${counts.length - gaps.length} columns are complete.\n\n${table}`;
}

function strength(r: number): string {
  const a = Math.abs(r);
  return a < 0.1 ? 'almost none' : a < 0.3 ? 'weak' : a < 0.5 ? 'moderate' : 'strong';
}

function correlationAnswer(frame: Extract<Frame, { kind: 'correlation' }>, q: QueryObservation): string {
  const [aIndex, bIndex, rIndex, nIndex] = ['column', 'with', 'r', 'n'].map((name) => at(q, name)) as [
    number,
    number,
    number,
    number,
  ];
  const rows = q.rows.filter((row) => typeof row[rIndex] === 'number');
  const scope = describeFilters(frame.filters);
  const within = scope ? `, among rows where ${scope}` : '';
  if (rows.length === 0)
    return `The correlation is undefined here${within}: a column does not vary, or no row has both values.`;
  const r = (row: Cell[]) => Number(row[rIndex]);
  const spearman = frame.method === 'spearman';
  const describe = (row: Cell[]) => `${spearman ? 'ρ' : 'r'} = ${formatSigned(r(row), 3)}`;
  const caveat = `${spearman ? "Spearman's rank correlations (Pearson's r of the ranks, ties sharing their average rank)" : 'Pearson correlations'} over rows where both values are known; true/false columns count as 1/0. Correlation is not causation.`;
  if (frame.columns.length === 2) {
    const [row] = rows;
    return `The correlation between ${frame.columns[0]} and ${frame.columns[1]}${within} is ${bold(describe(row!))} (${formatCount(Number(row![nIndex]))} rows with both): ${Math.abs(r(row!)) < 0.1 ? 'almost no' : `${strength(r(row!))} ${r(row!) >= 0 ? 'positive' : 'negative'}`} association. ${caveat}`;
  }
  if (frame.columns.length === 1) {
    const [top, ...rest] = rows;
    return `${frame.columns[0]} is most correlated with ${bold(String(top![bIndex]))} (${describe(top!)}, ${strength(r(top!))})${
      rest.length > 0
        ? `, then ${rest
            .slice(0, 3)
            .map((row) => `${row[bIndex]} (${describe(row)})`)
            .join(', ')}`
        : ''
    }${within}. ${caveat}`;
  }
  return `Correlations between ${list(frame.columns)}${within}, strongest first: ${rows.map((row) => `${row[aIndex]}–${row[bIndex]} ${bold(describe(row))}`).join(', ')}. ${caveat}`;
}

function distributionAnswer(frame: Extract<Frame, { kind: 'distribution' }>, q: QueryObservation): string {
  const row = q.rows[0] ?? [];
  const v = (name: string) => row[at(q, name)];
  const n = Number(v('n') ?? 0);
  if (n === 0) return `${frame.column} has no values here.`;
  const scope = describeFilters(frame.filters);
  const missing = Number(v('missing') ?? 0);
  const q25 = v('q25');
  const q75 = v('q75');
  const iqr = typeof q25 === 'number' && typeof q75 === 'number' ? formatNumber(q75 - q25) : '–';
  const skew = v('skewness');
  const shape =
    typeof skew === 'number' ? ` Skewness ${bold(formatNumber(skew, 3))}: ${skewWords(skew)}.` : '';
  return `${frame.column}${scope ? ` (rows where ${scope})` : ''}: ${formatCount(n)} values${missing > 0 ? ` (${formatCount(missing)} missing)` : ''}, mean ${bold(cell(v('mean')))}, median ${bold(cell(v('median')))}, standard deviation ${cell(v('std'))}; from ${cell(v('min'))} to ${cell(v('max'))}, with the middle half between ${cell(v('q25'))} and ${cell(v('q75'))} (quartiles; interquartile range ${iqr}).${shape}`;
}

/** The sample skewness in words, by the usual rule of thumb (|g| < 0.5 symmetric, above 1 strong). */
function skewWords(skew: number): string {
  const side =
    skew > 0 ? 'right-skewed, a longer tail of high values' : 'left-skewed, a longer tail of low values';
  const size = Math.abs(skew);
  return size < 0.5 ? 'roughly symmetric' : size < 1 ? `moderately ${side}` : `strongly ${side}`;
}

function rowsAnswer(frame: Extract<Frame, { kind: 'rows' }>, q: QueryObservation): string {
  const id = q.columns.find((c) => /(^|_)id$/i.test(c.name))?.name;
  const valueAt = at(q, frame.column);
  const label = (row: Cell[], i: number) => (id ? cell(row[at(q, id)]) : `row ${i + 1}`);
  const word = frame.descending ? 'highest' : 'lowest';
  return `The ${q.rows.length === 1 ? 'row' : `${q.rows.length} rows`} with the ${word} ${frame.column}: ${q.rows.map((r, i) => `${bold(label(r, i))} (${cell(r[valueAt])})`).join(', ')}. Every column of ${q.rows.length === 1 ? 'it' : 'them'} is in the table.`;
}

/** "p < 0.001" or "p = 0.031". */
const pText = (p: number) => `p ${p < 0.001 ? '< 0.001' : `= ${formatP(p)}`}`;

function compareAnswer(r: CompareObservation, outcomeValue?: string): string {
  const significant = (p: number) =>
    p < 0.05
      ? `statistically significant at the 5 % level (${pText(p)})`
      : `not statistically significant (p = ${formatP(p)}): the data are consistent with no difference`;
  const lines: string[] = [];
  const main = r.tests[0];
  const groupText = (g: CompareObservation['groups'][number]) =>
    r.outcomeKind === 'numeric'
      ? `${r.group} = ${g.level}: mean ${bold(formatNumber(g.mean ?? Number.NaN))}, median ${formatNumber(g.median ?? Number.NaN)} (n = ${formatCount(g.n)})`
      : r.outcomeKind === 'binary'
        ? `${r.group} = ${g.level}: ${bold(formatShare(g.rate ?? Number.NaN))} ${r.outcome} = ${r.positive ?? 'true'} (n = ${formatCount(g.n)})`
        : `${r.group} = ${g.level} (n = ${formatCount(g.n)})`;
  if (main) {
    const verdict = main.pValue < 0.05 ? 'differs' : 'does not differ significantly';
    lines.push(
      `${r.outcome} ${verdict} between the groups of ${r.group}: the difference is ${significant(main.pValue)}.`,
    );
  }
  lines.push(r.groups.map((g) => `- ${groupText(g)}`).join('\n'));
  if (outcomeValue !== undefined && r.outcomeKind !== 'numeric')
    lines.push(
      `Share with ${r.outcome} = ${outcomeValue}: ${r.groups
        .map(
          (g) => `${r.group} = ${g.level} ${bold(formatShare((g.counts?.[outcomeValue] ?? 0) / (g.n || 1)))}`,
        )
        .join(', ')}.`,
    );
  for (const t of r.tests) {
    const stat = `${t.test === 'welch_t' ? 't' : t.test === 'mann_whitney' ? 'U' : t.test.includes('anova') ? 'F' : t.test === 'two_proportion_z' ? 'z' : t.test === 'kruskal_wallis' ? 'H' : 'χ²'} = ${formatNumber(t.statistic)}`;
    const diff = t.difference
      ? `; difference ${t.difference.label} ${bold(formatSigned(t.difference.estimate))} (95 % CI ${formatNumber(t.difference.ci[0])} to ${formatNumber(t.difference.ci[1])})`
      : '';
    const size = t.effectSize
      ? `; ${effectSizeLabels[t.effectSize.name]} ${formatNumber(t.effectSize.value, 3)}`
      : '';
    lines.push(`${testLabels[t.test]}: ${stat}, ${pText(t.pValue)}${diff}${size}.`);
  }
  lines.push(
    'A difference between groups shows association; unless the groups were assigned at random, it is not necessarily caused by the grouping.',
  );
  return lines.join('\n\n');
}

function regressionAnswer(r: RegressionObservation): string {
  const logistic = r.model === 'logistic';
  const terms = r.coefficients.filter((c) => c.term !== '(intercept)');
  const significant = terms.filter((c) => c.pValue < 0.05).sort((a, b) => a.pValue - b.pValue);
  const fit = logistic
    ? `McFadden's pseudo-R² ${formatNumber(r.fit.pseudoR2 ?? Number.NaN, 3)}`
    : `R² ${formatNumber(r.fit.r2 ?? Number.NaN, 3)} (adjusted ${formatNumber(r.fit.adjustedR2 ?? Number.NaN, 3)})`;
  const describeTerm = (c: RegressionObservation['coefficients'][number]) =>
    logistic
      ? `${bold(c.term)}: odds ratio ${formatNumber(c.oddsRatio ?? Math.exp(c.estimate), 3)} (coefficient ${formatSigned(c.estimate, 3)}, ${pText(c.pValue)})`
      : `${bold(c.term)}: ${formatSigned(c.estimate)} (95 % CI ${formatNumber(c.ci[0])} to ${formatNumber(c.ci[1])}, ${pText(c.pValue)})`;
  const lines = [
    `${regressionModelLabels[r.model]} of ${r.outcome}${logistic && r.positive ? ` (= ${r.positive})` : ''} on ${terms.length} term${terms.length === 1 ? '' : 's'}, n = ${formatCount(r.n)}, ${fit}.`,
    significant.length > 0
      ? `Significant at the 5 % level (${logistic ? 'odds ratios above 1 raise the odds' : `change in ${r.outcome} per unit`}):\n${significant.map((c) => `- ${describeTerm(c)}`).join('\n')}`
      : 'No predictor is significant at the 5 % level.',
  ];
  const others = terms.filter((c) => c.pValue >= 0.05);
  if (others.length > 0) lines.push(`Not significant: ${others.map((c) => c.term).join(', ')}.`);
  if (r.references.length > 0)
    lines.push(
      `Categorical predictors are compared with their reference level: ${r.references.map((x) => `${x.predictor} = ${x.level}`).join(', ')}.`,
    );
  lines.push('These are associations, holding the other predictors fixed; they are not causal effects.');
  return lines.join('\n\n');
}

/** The estimate that leads: the chosen method's, or for "the effect on the treated" its ATT (IPW's when it has none). */
function leading(frame: Extract<Frame, { kind: 'effect' }>, r: EffectObservation) {
  const chosen = r.estimates.find((e) => e.method === r.headline) ?? r.estimates[0];
  if (frame.estimand !== 'ATT' || chosen?.estimand === 'ATT') return chosen;
  return r.estimates.find((e) => e.method === 'ipw_att') ?? chosen;
}

function effectAnswer(frame: Extract<Frame, { kind: 'effect' }>, r: EffectObservation): string {
  const headline = leading(frame, r);
  const lines = [
    `On ${frame.datasetId} (n = ${formatCount(r.n)}: ${formatCount(r.treated)} with ${r.treatment}, ${formatCount(r.control)} without${r.dropped > 0 ? `; ${formatCount(r.dropped)} rows left out for missing values` : ''}):`,
  ];
  if (headline) {
    const [lo, hi] = headline.ci;
    const excludes = lo > 0 || hi < 0;
    lines.push(
      `${effectMethodLabels[headline.method]} estimates the ${headline.estimand} of ${bold(r.treatment)} on ${bold(r.outcome)} at ${bold(formatSigned(headline.estimate))} (95 % CI ${formatNumber(lo)} to ${formatNumber(hi)}${headline.pValue !== undefined ? `, ${pText(headline.pValue)}` : ''}), ${excludes ? 'an interval that excludes zero' : 'an interval that includes zero, so the data are also consistent with no effect'}.`,
    );
  }
  lines.push(
    markdownTable(
      ['method', 'estimand', 'estimate', '95 % CI', 'p'],
      r.estimates.map((e) => [
        effectMethodLabels[e.method],
        e.estimand,
        formatSigned(e.estimate),
        `${formatNumber(e.ci[0])} to ${formatNumber(e.ci[1])}`,
        e.pValue === undefined ? '–' : formatP(e.pValue),
      ]),
    ),
  );
  if (frame.fixed?.length)
    lines.push(
      `${list(frame.fixed)} ${frame.fixed.length === 1 ? 'is' : 'are'} the same in every row used (the question's conditions fix ${frame.fixed.length === 1 ? 'it' : 'them'}), so ${frame.fixed.length === 1 ? 'it is' : 'they are'} not adjusted for.`,
    );
  lines.push(
    frame.covariates.length === 0
      ? 'No covariates were adjusted for, so this is only the raw difference between the groups.'
      : frame.chosen
        ? `The question named no covariates, so I adjusted for ${list(frame.covariates)}; name others to change that ("adjust for …").`
        : `Adjusted for ${list(frame.covariates)}.`,
  );
  lines.push(
    'These estimates are causal only if nothing else that affects both the treatment and the outcome is left out.',
  );
  return lines.join('\n\n');
}

function profileAnswer(datasetId: string, p: ProfileObservation): string {
  const count = p.columnCount ?? p.columns.length;
  const lines = [`${bold(datasetId)} has ${formatCount(p.rows)} rows and ${formatCount(count)} columns.`];
  const gaps = p.mostMissing ?? p.columns.filter((c) => c.missing > 0).sort((a, b) => b.missing - a.missing);
  lines.push(
    gaps.length === 0
      ? 'No column has missing values.'
      : `${p.mostMissing && gaps.length >= 20 ? 'Most missing values' : 'Missing values'}: ${gaps.map((c) => `${c.name} ${formatCount(c.missing)} (${formatShare(c.missing / p.rows)})`).join(', ')}.`,
  );
  const numeric = p.columns.filter((c) => c.mean !== undefined);
  if (numeric.length > 0)
    lines.push(
      `Numeric columns (mean, median): ${numeric
        .slice(0, 10)
        .map((c) => `${c.name} ${formatNumber(c.mean!)}, ${formatNumber(c.q50 ?? Number.NaN)}`)
        .join('; ')}.`,
    );
  const strongest = p.strongestCorrelations.slice(0, 3);
  if (strongest.length > 0)
    lines.push(
      `Strongest correlations: ${strongest.map((c) => `${c.a}–${c.b} (r = ${formatSigned(c.r, 3)})`).join(', ')}.`,
    );
  return lines.join('\n\n');
}

/** A sniffed type in words a person uses. */
const typeWords: Record<string, string> = {
  integer: 'numeric: whole numbers (integer)',
  numeric: 'numeric: decimal numbers',
  boolean: 'true/false (boolean)',
  categorical: 'categorical: a few repeated text values',
  datetime: 'a date (or date and time)',
  text: 'free text',
  empty: 'empty',
};

function describeAnswer(d: DescribeObservation, named: string[] = []): string {
  const type = (t: string) => typeWords[t] ?? t;
  const asked = d.columns.filter((c) => named.includes(c.name));
  if (asked.length > 0)
    return asked
      .map(
        (c) =>
          `${bold(c.name)} holds ${bold(type(c.type))}, for example ${c.examples.join(', ')} (inferred from the first ${formatCount(d.sampledRows)} rows of ${d.datasetId}).`,
      )
      .join('\n\n');
  const size = d.rows !== undefined ? `${formatCount(d.rows)} rows and ` : '';
  const table = markdownTable(
    ['column', 'type', 'examples'],
    d.columns.map((c) => [c.name, type(c.type), c.examples.join(', ')]),
  );
  return `${bold(d.datasetId)} has ${size}${d.columns.length} columns: ${d.columns.map((c) => c.name).join(', ')}. Types are inferred from the first ${formatCount(d.sampledRows)} rows.\n\n${table}`;
}

function listAnswer(l: ListObservation): string {
  if (l.datasets.length === 0)
    return 'There are no datasets yet. Upload a CSV or Parquet file to get started.';
  const table = markdownTable(
    ['dataset', 'title', 'rows', 'columns', 'kind'],
    l.datasets.map((d) => [
      d.id,
      d.name ?? d.id,
      d.rows ?? '?',
      d.columns ?? '?',
      d.sample ? 'sample' : 'yours',
    ]),
  );
  const example = l.datasets[0]!.id;
  return `You can analyse ${l.datasets.length} ${l.datasets.length === 1 ? 'dataset' : 'datasets'}:\n\n${table}\n\nAsk about one of them in plain words, for example "what columns does ${example} have?", "average <column> by <column> in ${example}", "is <column> different between <groups>?", "what drives <column>?" or "profile ${example}".`;
}

/** The answer to a frame from its tools' results, with what was understood first and how it was computed last. */
export function writeAnswer(
  frame: Frame,
  observed: Observed[],
  columnCount: number | undefined,
  reading: { skipped?: string; corrections?: { from: string; to: string }[] } = {},
): string {
  const first = observed[0]!;
  let body: string;
  const q = first.result as QueryObservation;
  switch (frame.kind) {
    case 'datasets':
      body = listAnswer(first.result as ListObservation);
      break;
    case 'columns':
      body = describeAnswer(first.result as DescribeObservation, frame.columns ?? []);
      break;
    case 'shape':
      body = `${bold(frame.datasetId)} has ${bold(formatCount(Number(q.rows[0]?.[0] ?? 0)))} rows${columnCount !== undefined ? ` and ${bold(String(columnCount))} columns` : ''}.`;
      break;
    case 'profile':
      body = profileAnswer(frame.datasetId, first.result as ProfileObservation);
      break;
    case 'missing':
      body = missingAnswer(frame, q);
      break;
    case 'values':
    case 'top':
      body = valuesAnswer(frame, q);
      break;
    case 'aggregate':
      body = aggregateAnswer(frame, q);
      break;
    case 'rows':
      body = rowsAnswer(frame, q);
      break;
    case 'correlation':
      body = correlationAnswer(frame, q);
      break;
    case 'distribution':
      body = distributionAnswer(frame, q);
      break;
    case 'compare':
      body = compareAnswer(first.result as CompareObservation, frame.outcomeValue);
      break;
    case 'regression':
      body = regressionAnswer(first.result as RegressionObservation);
      if (frame.association)
        body = `${frame.association} is a number, not a yes/no treatment, so what the data can show is its association with ${frame.outcome}, from a regression — not a causal effect.\n\n${body}`;
      break;
    case 'effect':
      body = effectAnswer(frame, first.result as EffectObservation);
      break;
  }
  const corrected = (reading.corrections ?? []).map((c) => `"${c.from}" as "${c.to}"`);
  const understood =
    frame.kind === 'datasets'
      ? ''
      : `_Question read as: ${describeFrame(frame)}${corrected.length > 0 ? ` (reading ${corrected.join(', ')})` : ''}._\n\n`;
  const skipped = reading.skipped
    ? `_I did not understand your previous question ("${reading.skipped.length > 80 ? `${reading.skipped.slice(0, 79)}…` : reading.skipped}"), so this builds on the one before it._\n\n`
    : '';
  const extra = notes(...observed.map((o) => o.result as { reading?: string[]; warnings?: string[] }));
  const how = howComputed(observed);
  return [`${skipped}${understood}${body}`, extra, how].filter(Boolean).join('\n\n');
}

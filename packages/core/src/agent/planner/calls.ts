import { type ChartSpec, type Filter, filterCondition, ident, literal, whereClause } from '../../contract';
import type { Frame, Measure } from './frame';
import { binaryValue, columnOf, type DatasetSchema, isBinary, isNumeric, type Scalar } from './schema';

/**
 * The tool calls that answer a frame, in order. The SQL is written to be read: the person sees
 * it under the answer, so it names columns plainly and does one thing.
 */
export interface PlannedCall {
  tool:
    | 'list_datasets'
    | 'describe_dataset'
    | 'query_data'
    | 'compare_groups'
    | 'fit_regression'
    | 'profile'
    | 'estimate_effect';
  input: Record<string, unknown>;
}

/** The result column a measure becomes: mean_monthly_fee, share_churned, rows. */
export function measureName(measure: Measure): string {
  if (measure.fn === 'count') return measure.column ? `count_${measure.column}` : 'rows';
  if (measure.percentile !== undefined && measure.percentile !== 0.5)
    return `p${Math.round(measure.percentile * 100)}_${measure.column}`;
  const word = {
    mean: 'mean',
    median: 'median',
    sum: 'total',
    min: 'min',
    max: 'max',
    std: 'std',
    variance: 'variance',
    rate: 'share',
  }[measure.fn];
  if (measure.condition) {
    const { column, op, value } = measure.condition;
    const what = op === 'is missing' ? 'missing' : op === 'is not missing' ? 'known' : String(value);
    return `share_${column}_${what}`.replace(/[^A-Za-z0-9_]+/g, '_');
  }
  const suffix =
    measure.value !== undefined && !isBooleanLike(measure.value) ? `_${String(measure.value)}` : '';
  return `${word}_${measure.column}${suffix}`.replace(/[^A-Za-z0-9_]+/g, '_');
}

const isBooleanLike = (value: Scalar) => typeof value === 'boolean' || value === 1 || value === 0;

/** A measure as a SQL aggregate. */
export function measureSql(measure: Measure, schema: DatasetSchema): string {
  const column = measure.column ? ident(measure.column) : '';
  switch (measure.fn) {
    case 'count':
      return measure.column ? `count(${column})` : 'count(*)';
    case 'mean':
      return `avg(${column})`;
    case 'median':
      return `quantile_cont(${column}, ${measure.percentile ?? 0.5})`;
    case 'sum':
      return `sum(${column})`;
    case 'min':
      return `min(${column})`;
    case 'max':
      return `max(${column})`;
    case 'std':
      return `stddev_samp(${column})`;
    case 'variance':
      return `var_samp(${column})`;
    case 'rate': {
      // The share of all rows meeting a condition, as the mean of a condition over every row.
      if (measure.condition)
        return `avg(CASE WHEN ${filterCondition(measure.condition)} THEN 1.0 ELSE 0.0 END)`;
      const target = columnOf(schema, measure.column!);
      const value = measure.value ?? (target && isBinary(target) ? binaryValue(target, true) : true);
      // The share among rows where the column is known, as pandas' mean of a true/false column.
      return `avg(CASE WHEN ${column} = ${literal(value)} THEN 1.0 WHEN ${column} IS NOT NULL THEN 0.0 END)`;
    }
  }
}

const lines = (...parts: (string | false | undefined)[]) => parts.filter(Boolean).join('\n');

function aggregateSql(frame: Extract<Frame, { kind: 'aggregate' }>, schema: DatasetSchema): string {
  const by = frame.by.map(ident);
  const measures = frame.measures.map((m) => `${measureSql(m, schema)} AS ${ident(measureName(m))}`);
  // How many rows each number rests on: per group, or the rows the conditions keep.
  const sizes =
    (frame.by.length > 0 || frame.filters.length > 0) &&
    !frame.measures.some((m) => m.fn === 'count' && !m.column)
      ? ['count(*) AS rows']
      : [];
  const order = frame.rank
    ? `ORDER BY ${ident(measureName(frame.measures[0]!))} ${frame.rank.descending ? 'DESC' : 'ASC'} NULLS LAST, ${by.join(', ')}`
    : by.length > 0
      ? `ORDER BY ${by.join(', ')}`
      : '';
  return lines(
    `SELECT ${[...by, ...measures, ...sizes].join(', ')}`,
    'FROM data',
    whereClause(frame.filters),
    by.length > 0 && `GROUP BY ${by.join(', ')}`,
    order,
  );
}

/** The conditions plus one more. */
const and = (filters: Filter[], ...extra: Filter[]): Filter[] => [...filters, ...extra];

function valuesSql(column: string, filters: Filter[]): string {
  return lines(
    `SELECT ${ident(column)}, count(*) AS rows`,
    'FROM data',
    whereClause(filters),
    `GROUP BY ${ident(column)}`,
    `ORDER BY rows DESC, ${ident(column)}`,
  );
}

function barChart(frame: Extract<Frame, { kind: 'aggregate' }>): ChartSpec | undefined {
  const first = frame.measures[0];
  if (!first || frame.by.length === 0 || frame.by.length > 2) return undefined;
  return {
    kind: 'bar',
    x: frame.by[0]!,
    y: measureName(first),
    ...(frame.by[1] && { series: frame.by[1] }),
  };
}

/**
 * Correlations of pairs of columns, one row per pair, strongest first; true/false as 0/1.
 * Pearson's r, or Spearman's ρ: Pearson's r of the ranks over the rows where both are known,
 * tied values sharing their average rank.
 */
function correlationSql(pairs: [string, string][], filters: Filter[], spearman = false): string {
  const x = (name: string) => `CAST(${ident(name)} AS DOUBLE)`;
  const where = whereClause(filters);
  const pearson = ([a, b]: [string, string]) =>
    `SELECT ${literal(a)} AS "column", ${literal(b)} AS "with", corr(${x(a)}, ${x(b)}) AS r, count(*) FILTER (WHERE ${ident(a)} IS NOT NULL AND ${ident(b)} IS NOT NULL) AS n FROM data${where ? ` ${where}` : ''}`;
  const rank = (v: string) => `rank() OVER (ORDER BY ${v}) + (count(*) OVER (PARTITION BY ${v}) - 1) / 2.0`;
  const ranked = ([a, b]: [string, string]) =>
    `SELECT ${literal(a)} AS "column", ${literal(b)} AS "with", corr(ra, rb) AS r, count(*) AS n FROM (SELECT ${rank('a')} AS ra, ${rank('b')} AS rb FROM (SELECT ${x(a)} AS a, ${x(b)} AS b FROM data ${whereClause(
      and(filters, { column: a, op: 'is not missing' }, { column: b, op: 'is not missing' }),
    )}))`;
  const rows = pairs.map(spearman ? ranked : pearson);
  return rows.length === 1
    ? rows[0]!
    : `SELECT * FROM (\n${rows.join('\nUNION ALL\n')}\n)\nORDER BY abs(r) DESC NULLS LAST`;
}

export function plannedCalls(frame: Frame, schema: DatasetSchema | undefined): PlannedCall[] {
  if (frame.kind === 'datasets') return [{ tool: 'list_datasets', input: {} }];
  const datasetId = frame.datasetId;
  const query = (sql: string, chart?: ChartSpec): PlannedCall => ({
    tool: 'query_data',
    input: { datasetId, sql, ...(chart && { chart }) },
  });
  const s = schema ?? { id: datasetId, columns: [] };
  switch (frame.kind) {
    case 'columns':
      return [{ tool: 'describe_dataset', input: { datasetId } }];
    case 'shape':
      return [query('SELECT count(*) AS rows\nFROM data')];
    case 'profile':
      return [{ tool: 'profile', input: { datasetId } }];
    case 'missing': {
      const columns = frame.columns.length > 0 ? frame.columns : s.columns.map((c) => c.name);
      const counts = columns.map((c) => `count(*) - count(${ident(c)}) AS ${ident(c)}`);
      return [query(`SELECT count(*) AS rows,\n  ${counts.join(',\n  ')}\nFROM data`)];
    }
    case 'values':
    case 'top':
      return [query(valuesSql(frame.column, frame.filters), { kind: 'bar', x: frame.column, y: 'rows' })];
    case 'aggregate': {
      const chart = barChart(frame);
      return [query(aggregateSql(frame, s), chart)];
    }
    case 'rows':
      return [
        query(
          lines(
            'SELECT *',
            'FROM data',
            whereClause(and(frame.filters, { column: frame.column, op: 'is not missing' })),
            `ORDER BY ${ident(frame.column)} ${frame.descending ? 'DESC' : 'ASC'}`,
            `LIMIT ${frame.n}`,
          ),
        ),
      ];
    case 'correlation': {
      const [first] = frame.columns;
      const pairs: [string, string][] =
        frame.columns.length === 1
          ? s.columns
              .filter((c) => c.name !== first && (isNumeric(c) || isBinary(c)))
              .map((c): [string, string] => [first!, c.name])
          : frame.columns.flatMap((a, i) => frame.columns.slice(i + 1).map((b): [string, string] => [a, b]));
      return [query(correlationSql(pairs, frame.filters, frame.method === 'spearman'))];
    }
    case 'distribution': {
      const x = ident(frame.column);
      const where = whereClause(frame.filters);
      return [
        query(
          lines(
            `SELECT count(${x}) AS n, count(*) - count(${x}) AS missing, avg(${x}) AS mean, stddev_samp(${x}) AS std,`,
            `  min(${x}) AS min, quantile_cont(${x}, 0.25) AS q25, quantile_cont(${x}, 0.5) AS median,`,
            `  quantile_cont(${x}, 0.75) AS q75, max(${x}) AS max, skewness(${x}) AS skewness`,
            'FROM data',
            where,
          ),
        ),
        query(
          lines(
            `SELECT ${x}`,
            'FROM data',
            whereClause(and(frame.filters, { column: frame.column, op: 'is not missing' })),
          ),
          { kind: 'histogram', x: frame.column, title: `Distribution of ${frame.column}` },
        ),
      ];
    }
    case 'compare':
      return [
        {
          tool: 'compare_groups',
          input: {
            datasetId,
            outcome: frame.outcome,
            group: frame.group,
            ...(frame.groups && { groups: frame.groups }),
            ...(frame.filters.length > 0 && { filters: frame.filters }),
          },
        },
      ];
    case 'regression':
      return [
        {
          tool: 'fit_regression',
          input: {
            datasetId,
            outcome: frame.outcome,
            predictors: frame.predictors,
            ...(frame.model && { model: frame.model }),
            ...(frame.references && { references: frame.references }),
            ...(frame.filters.length > 0 && { filters: frame.filters }),
          },
        },
      ];
    case 'effect':
      return [
        {
          tool: 'estimate_effect',
          input: {
            datasetId,
            treatment: frame.treatment,
            outcome: frame.outcome,
            covariates: frame.covariates,
            ...(frame.method && { method: frame.method }),
            ...(frame.filters.length > 0 && { filters: frame.filters }),
          },
        },
      ];
  }
}

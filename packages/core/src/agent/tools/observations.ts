import type {
  AnalysisResult,
  CompareResult,
  EffectResult,
  ProfileResult,
  QueryResult,
  RegressionResult,
} from '../../contract';
import { describeReading } from '../../contract/reading';

/**
 * The compact observations a model reads instead of the engines' full result documents (which
 * stay in S3 or the item's output): every number an answer needs, few enough tokens for a prompt.
 */

/** Six significant digits: enough for any answer, short enough for a prompt. */
export function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
}

const roundAll = (value: unknown): unknown => (typeof value === 'number' ? round(value) : value);

/** At most this many result rows of a query reach the model; the person sees the full table. */
export const observedQueryRows = 100;

/** At most this many cells of a query result reach the model: a wide result shows fewer rows. */
export const observedQueryCells = 4_000;

/** A profile lists this many columns in full; a wider file is summarised (types, gaps) beyond them. */
export const observedProfileColumns = 80;

/** What the engine reported about reading the file, as sentences, when there is anything. */
function readingOf(result: AnalysisResult): { reading?: string[] } {
  const reading = describeReading(result.reading ?? []);
  return reading.length > 0 ? { reading } : {};
}

export function profileObservation(result: ProfileResult): Record<string, unknown> {
  const pairs: { a: string; b: string; r: number }[] = [];
  const corr = result.correlation;
  if (corr) {
    corr.columns.forEach((a, i) => {
      corr.columns.forEach((b, j) => {
        const r = corr.matrix[i]?.[j];
        if (j > i && typeof r === 'number') pairs.push({ a, b, r: round(r) });
      });
    });
  }
  const wide = result.columns.length > observedProfileColumns;
  const types: Record<string, number> = {};
  for (const c of result.columns) types[c.type] = (types[c.type] ?? 0) + 1;
  return {
    rows: result.rows,
    columnCount: result.columns.length,
    ...(wide && {
      // A 1,000-column file is summarised, not pasted: the first columns in full, the rest counted.
      columnsListed: observedProfileColumns,
      columnTypes: types,
      mostMissing: result.columns
        .filter((c) => c.missing > 0)
        .sort((a, b) => b.missing - a.missing)
        .slice(0, 20)
        .map((c) => ({ name: c.name, missing: c.missing })),
    }),
    columns: result.columns.slice(0, observedProfileColumns).map((c) => {
      const entry: Record<string, unknown> = {
        name: c.name,
        type: c.type,
        missing: c.missing,
        unique: c.unique,
      };
      for (const key of ['mean', 'std', 'min', 'q25', 'q50', 'q75', 'max'] as const) {
        if (c[key] !== undefined && c[key] !== null) entry[key] = roundAll(c[key]);
      }
      if (c.top?.length) entry.top = c.top.slice(0, 3);
      return entry;
    }),
    strongestCorrelations: pairs.sort((x, y) => Math.abs(y.r) - Math.abs(x.r)).slice(0, 10),
    ...readingOf(result),
    warnings: result.warnings ?? [],
  };
}

export function effectObservation(result: EffectResult): Record<string, unknown> {
  return {
    treatment: result.treatment,
    outcome: result.outcome,
    covariates: result.covariates,
    n: result.n,
    treated: result.treated,
    control: result.control,
    dropped: result.dropped,
    headline: result.headline,
    estimates: result.estimates.map((e) => ({
      method: e.method,
      estimand: e.estimand,
      estimate: round(e.estimate),
      se: round(e.se),
      ci: e.ci.map(round),
      pValue: round(e.pValue),
    })),
    worstBalanceAfterAdjustment: [...(result.balance ?? [])]
      .sort((a, b) => Math.abs(b.smdAfter ?? 0) - Math.abs(a.smdAfter ?? 0))
      .slice(0, 5)
      .map((b) => ({
        covariate: b.covariate,
        smdBefore: b.smdBefore === null ? null : round(b.smdBefore),
        smdAfter: b.smdAfter === null ? null : round(b.smdAfter),
      })),
    ...readingOf(result),
    warnings: result.warnings ?? [],
  };
}

export function queryObservation(result: QueryResult): Record<string, unknown> {
  const shown = Math.min(
    observedQueryRows,
    Math.max(1, Math.floor(observedQueryCells / Math.max(1, result.columns.length))),
  );
  return {
    sql: result.sql,
    columns: result.columns,
    rows: result.rows.slice(0, shown).map((row) => row.map(roundAll)),
    rowCount: result.rowCount,
    ...(result.rowCount > shown && { rowsShownHere: shown }),
    ...readingOf(result),
    warnings: result.warnings,
  };
}

export function compareObservation(result: CompareResult): Record<string, unknown> {
  return {
    outcome: result.outcome,
    group: result.group,
    outcomeKind: result.outcomeKind,
    ...(result.positive !== undefined && { positive: result.positive }),
    n: result.n,
    dropped: result.dropped,
    groups: result.groups.map((g) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, roundAll(v)]))),
    tests: result.tests.map((t) => ({
      ...t,
      statistic: round(t.statistic),
      pValue: round(t.pValue),
      ...(t.difference && {
        difference: {
          ...t.difference,
          estimate: round(t.difference.estimate),
          ci: t.difference.ci.map(round),
        },
      }),
      ...(t.effectSize && { effectSize: { ...t.effectSize, value: round(t.effectSize.value) } }),
    })),
    ...readingOf(result),
    warnings: result.warnings,
  };
}

export function regressionObservation(result: RegressionResult): Record<string, unknown> {
  return {
    outcome: result.outcome,
    model: result.model,
    ...(result.positive !== undefined && { positive: result.positive }),
    n: result.n,
    dropped: result.dropped,
    references: result.references,
    coefficients: result.coefficients.map((c) => ({
      term: c.term,
      estimate: round(c.estimate),
      se: round(c.se),
      pValue: round(c.pValue),
      ci: c.ci.map(round),
      ...(c.oddsRatio !== undefined && { oddsRatio: round(c.oddsRatio) }),
    })),
    fit: Object.fromEntries(Object.entries(result.fit).map(([k, v]) => [k, roundAll(v)])),
    ...readingOf(result),
    warnings: result.warnings,
  };
}

/** The observation of any engine result. */
export function observationOf(result: AnalysisResult): Record<string, unknown> {
  switch (result.tool) {
    case 'profile':
      return profileObservation(result);
    case 'estimate_effect':
      return effectObservation(result);
    case 'query_data':
      return queryObservation(result);
    case 'compare_groups':
      return compareObservation(result);
    case 'fit_regression':
      return regressionObservation(result);
  }
}

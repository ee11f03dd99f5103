import { describeFilters, type Filter } from '../../contract';
import { type Frame, type Measure, type Refusal, withoutFixedCovariates } from './frame';
import { defaultCovariates, type Slots, valueFilters } from './grammar';
import type { Keyword } from './lexicon';
import { binaryValue, columnOf, type DatasetSchema, isBinary, isNumeric } from './schema';
import { suggestionsFor } from './suggest';

/**
 * A follow-up changes one part of the previous question: "now by country" its groups, "and the
 * median?" its aggregate, "only for mobile" its filters, "adjust that for device" its
 * covariates, "same for churn.csv" its dataset. Anything it cannot apply is refused.
 */
export function applyFollowUp(
  previous: Frame,
  slots: Slots,
  markers: Set<Keyword>,
  schema: DatasetSchema,
  previousSchema?: DatasetSchema,
): { frame: Frame; mapped?: { from: string; to: string }[] } | { refusal: Refusal } {
  const refuse = (message: string) => ({
    refusal: {
      reason: 'incomplete' as const,
      message,
      suggestions: suggestionsFor(schema, slots),
      datasetId: schema.id,
    },
  });
  if (previous.kind === 'datasets')
    return refuse('There is no earlier analysis in this conversation to change.');
  // "how many were treated?" then "and in the checkout test?": each study's own treatment and outcome.
  const roles = studyRoles(previous, previousSchema, schema);
  if (roles) {
    const moved = applyFollowUp(roles.frame, slots, markers, schema);
    return 'frame' in moved ? { ...moved, mapped: roles.mapped } : moved;
  }
  let frame: Frame = structuredClone({ ...previous, datasetId: schema.id });

  // Every column the previous question used must exist here ("same for churn.csv").
  const missing = columnsOf(frame).filter((c) => !columnOf(schema, c));
  if (missing.length > 0)
    return refuse(
      `${schema.id} has no column ${missing.join(', ')}, so the previous question does not carry over to it.`,
    );

  const newFilters: Filter[] = [...slots.filters, ...valueFilters(slots.values), ...slots.missing];
  let changed = missing.length === 0 && schema.id !== datasetOf(previous);

  // "as percentages", "and the share?": answers of counts already give shares.
  if (
    (frame.kind === 'missing' || frame.kind === 'values' || frame.kind === 'top') &&
    slots.measures.length > 0 &&
    slots.measures.every((m) => !m.column && (m.fn === 'rate' || m.fn === 'count')) &&
    slots.columns.length === 0 &&
    slots.by.length === 0 &&
    newFilters.length === 0
  )
    return { frame };

  // "add 1974 and 1975 earnings", "also include education": more columns for the model.
  if (markers.has('add') && slots.columns.length > 0) {
    const model = frame;
    if (model.kind === 'regression') {
      const predictors = [...(model.chosen ? [] : model.predictors), ...slots.columns];
      return finish(
        { ...model, predictors: unique(predictors.filter((c) => c !== model.outcome)), chosen: false },
        newFilters,
        markers,
      );
    }
    if (model.kind === 'effect') {
      const covariates = [...(model.chosen ? [] : model.covariates), ...slots.columns];
      return finish(
        {
          ...model,
          covariates: unique(covariates.filter((c) => c !== model.treatment && c !== model.outcome)),
          chosen: false,
        },
        newFilters,
        markers,
      );
    }
  }

  // "use spearman instead", "and pearson?": the kind of correlation.
  if (markers.has('spearman') || markers.has('pearson')) {
    if (frame.kind !== 'correlation')
      return refuse(
        'Spearman and Pearson are kinds of correlation; the previous question was not a correlation.',
      );
    const { method: _, ...rest } = frame;
    frame = markers.has('spearman') ? { ...rest, method: 'spearman' } : rest;
    changed = true;
  }

  // "and the ATT?", "what about on the treated?"
  if (markers.has('att')) {
    if (frame.kind !== 'effect')
      return refuse(
        'The effect on the treated (ATT) is an effect estimate; the previous question was not one.',
      );
    frame = { ...frame, estimand: 'ATT' };
    changed = true;
  }

  // "drop that filter", "drop the churned filter", "remove re74 and re75".
  if (markers.has('drop')) return drop(frame, slots, markers, refuse);

  // "and now with all the covariates": every usable column.
  if (markers.has('allcovariates') && frame.kind === 'effect') {
    const covariates = defaultCovariates(schema, frame.treatment, frame.outcome);
    const { chosen: _, ...rest } = frame;
    return finish(
      { ...rest, covariates, ...(slots.method && { method: slots.method }) },
      newFilters,
      markers,
    );
  }
  // Covariates, a method or a model: the estimate itself changes.
  if (slots.covariates.length > 0 || slots.method) {
    const effect = asEffect(frame, schema);
    if (!effect) {
      if (frame.kind === 'regression' && slots.covariates.length > 0) {
        frame = { ...frame, predictors: unique([...frame.predictors, ...slots.covariates]), chosen: false };
        return finish(frame, newFilters, markers);
      }
      return refuse(
        'Adjusting for covariates or choosing a method applies to an effect estimate; the previous question was not one.',
      );
    }
    const named = slots.covariates.filter((c) => c !== effect.treatment && c !== effect.outcome);
    const covariates =
      named.length === 0
        ? effect.covariates
        : effect.chosen || frame.kind !== 'effect'
          ? named
          : unique([...effect.covariates, ...named]);
    frame = {
      ...effect,
      covariates,
      ...(named.length > 0 && { chosen: false }),
      ...(slots.method && { method: slots.method }),
    };
    if (named.length > 0) delete (frame as { chosen?: boolean }).chosen;
    return finish(frame, newFilters, markers);
  }
  if (slots.model && frame.kind === 'regression') {
    frame = { ...frame, model: slots.model };
    changed = true;
  }

  if (slots.by.length > 0) {
    if (frame.kind === 'aggregate')
      frame = { ...frame, by: markers.has('also') ? unique([...frame.by, ...slots.by]) : slots.by };
    else if (frame.kind === 'compare') {
      frame = { ...frame, group: slots.by[0]! };
      delete frame.groups;
    } else if (frame.kind === 'distribution')
      frame = {
        kind: 'aggregate',
        datasetId: frame.datasetId,
        measures: (['count', 'mean', 'median', 'min', 'max', 'std'] as const).map((fn) => ({
          fn,
          ...(fn !== 'count' && { column: (frame as { column: string }).column }),
        })),
        by: slots.by,
        filters: frame.filters,
      };
    else if (frame.kind === 'missing' && frame.columns.length > 0)
      // "and that share by plan?": the share of rows missing each column, per group.
      frame = {
        kind: 'aggregate',
        datasetId: frame.datasetId,
        measures: frame.columns.map((column) => ({
          fn: 'rate' as const,
          condition: { column, op: 'is missing' as const },
        })),
        by: slots.by,
        filters: [],
      };
    else if (frame.kind === 'top' || frame.kind === 'values')
      frame = {
        kind: 'aggregate',
        datasetId: frame.datasetId,
        measures: [{ fn: 'count' }],
        by: unique([...slots.by, frame.column]),
        filters: frame.filters,
      };
    else return refuse(`I can't split the previous answer by ${slots.by.join(', ')}.`);
    changed = true;
  }

  if (slots.measures.length > 0) {
    const withColumns = slots.measures.some((m) => m.column || m.condition);
    if (frame.kind === 'aggregate' && slots.measures.every((m) => m.fn === 'count' && !m.column)) {
      // "how many of them …": a count of the rows the previous question was about.
      frame = { ...frame, measures: [{ fn: 'count' }] };
      delete frame.rank;
    } else if (frame.kind === 'aggregate') {
      frame = {
        ...frame,
        // "and the median?": the same columns; "and that share by plan?": the same share.
        measures: withColumns
          ? slots.measures
          : frame.measures.flatMap((m) =>
              slots.measures.flatMap((s): Measure[] =>
                s.fn === m.fn && s.percentile === undefined
                  ? [m]
                  : m.column
                    ? [{ ...s, column: m.column }]
                    : [],
              ),
            ),
      };
      if (frame.measures.length === 0)
        return refuse('The previous question had no column to compute that of.');
      delete frame.rank;
    } else if (frame.kind === 'distribution' || frame.kind === 'compare' || frame.kind === 'correlation') {
      const column =
        frame.kind === 'compare'
          ? frame.outcome
          : frame.kind === 'correlation'
            ? frame.columns[0]!
            : frame.column;
      frame = {
        kind: 'aggregate',
        datasetId: frame.datasetId,
        measures: withColumns ? slots.measures : slots.measures.map((s) => ({ ...s, column })),
        by: frame.kind === 'compare' ? [frame.group] : [],
        filters: frame.filters,
      };
    } else if (withColumns)
      frame = { kind: 'aggregate', datasetId: schema.id, measures: slots.measures, by: [], filters: [] };
    else return refuse("I can't tell what to compute that of from the previous question.");
    changed = true;
  } else if (slots.columns.length > 0) {
    const column = slots.columns[0]!;
    // "and between support calls and satisfaction?": both columns of a correlation.
    if (frame.kind === 'correlation' && slots.columns.length >= 2)
      return finish({ ...frame, columns: slots.columns }, newFilters, markers);
    if (slots.columns.length > 1)
      return refuse(`Which of ${slots.columns.join(', ')} should replace the previous column?`);
    switch (frame.kind) {
      case 'aggregate':
        // "what about tenure?": the same aggregates of another column; nothing else is guessed.
        if (!frame.measures.some((m) => m.column))
          return refuse(`I can't tell how ${column} changes the previous question; ask the whole question.`);
        frame = { ...frame, measures: frame.measures.map((m) => (m.column ? { ...m, column } : m)) };
        break;
      case 'compare':
        frame = { ...frame, outcome: column };
        break;
      case 'distribution':
      case 'values':
      case 'top':
        frame = { ...frame, column };
        break;
      case 'correlation':
        frame = { ...frame, columns: frame.columns.length === 2 ? [frame.columns[0]!, column] : [column] };
        break;
      case 'effect':
        frame = { ...frame, outcome: column };
        break;
      case 'regression':
        frame = { ...frame, outcome: column, predictors: frame.predictors.filter((p) => p !== column) };
        break;
      default:
        return refuse(`I can't apply ${column} to the previous question.`);
    }
    changed = true;
  }
  if (markers.has('least') || markers.has('most')) {
    const least = markers.has('least');
    if (frame.kind === 'top') frame = { ...frame, least };
    else if (frame.kind === 'rows') frame = { ...frame, descending: !least };
    else if (frame.kind === 'aggregate' && frame.rank)
      frame = { ...frame, rank: { ...frame.rank, descending: !least } };
    else if (frame.kind === 'aggregate' && frame.by.length > 0)
      frame = { ...frame, rank: { descending: !least, limit: slots.topN ?? 1 } };
    else return refuse('The previous answer has no groups to rank.');
    changed = true;
  }
  if (slots.topN !== undefined && (frame.kind === 'top' || frame.kind === 'rows')) {
    frame = { ...frame, n: slots.topN };
    changed = true;
  } else if (slots.topN !== undefined && frame.kind === 'aggregate' && frame.rank) {
    frame = { ...frame, rank: { ...frame.rank, limit: slots.topN } };
    changed = true;
  }
  // A condition the previous question already had changes nothing ("is it significant for them?").
  const had = 'filters' in frame ? frame.filters.map((x) => JSON.stringify(x)) : [];
  if (newFilters.some((x) => !had.includes(JSON.stringify(x))) || markers.has('everyone')) changed = true;
  // "is it significant?" after an estimate: its answer carries the p-value, so it is asked again.
  const tested = frame.kind === 'effect' || frame.kind === 'compare' || frame.kind === 'regression';
  if (!changed && !(tested && markers.has('compare')))
    return refuse("I couldn't tell what to change in the previous question.");
  return finish(frame, newFilters, markers);
}

function finish(
  frame: Frame,
  newFilters: Filter[],
  markers: Set<Keyword>,
): { frame: Frame } | { refusal: Refusal } {
  if (!('filters' in frame)) {
    if (newFilters.length === 0) return { frame };
    return {
      refusal: {
        reason: 'incomplete',
        message: `The previous answer (${frame.kind === 'datasets' ? 'the list of datasets' : `about ${frame.datasetId}`}) covers the whole file; I can't restrict it to rows where ${describeFilters(newFilters)}.`,
        suggestions: [],
        ...(frame.kind !== 'datasets' && { datasetId: frame.datasetId }),
      },
    };
  }
  let filters = markers.has('everyone') ? [] : [...frame.filters];
  for (const filter of newFilters) {
    // "what about desktop?" after "for mobile": the new value replaces the old one.
    filters = filters.filter((f) => f.column !== filter.column || markers.has('also'));
    filters.push(filter);
  }
  // "churn rate by region", then "for the ones whose region is missing": one group, no grouping.
  if (frame.kind === 'aggregate') {
    const fixed = newFilters.filter((f) => f.op === '=' || f.op === 'is missing').map((f) => f.column);
    if (frame.by.some((b) => fixed.includes(b))) {
      const { rank: _, ...rest } = frame;
      const by = frame.by.filter((b) => !fixed.includes(b));
      return { frame: { ...(by.length > 0 ? frame : rest), by, filters } };
    }
  }
  return { frame: withoutFixedCovariates({ ...frame, filters } as Frame) };
}

/**
 * The previous question moved to another study: its treatment and outcome columns replaced by
 * the new dataset's (both data dictionaries name them), when they are all that does not carry
 * over. Treated rows stay treated rows; conditions on the outcome's values do not translate.
 */
function studyRoles(
  previous: Frame,
  from: DatasetSchema | undefined,
  to: DatasetSchema,
): { frame: Frame; mapped: { from: string; to: string }[] } | undefined {
  const a = from?.dictionary?.study;
  const b = to.dictionary?.study;
  if (!from || !a || !b || from.id === to.id || previous.kind === 'datasets') return undefined;
  const rename = new Map<string, string>();
  if (a.treatment && b.treatment) rename.set(a.treatment, b.treatment);
  if (a.outcome && b.outcome) rename.set(a.outcome, b.outcome);
  // Covariates the planner chose are chosen again from the new dataset's columns.
  const chosen = previous.kind === 'effect' && previous.chosen ? previous.covariates : [];
  const missing = columnsOf(previous).filter((c) => !columnOf(to, c) && !chosen.includes(c));
  if (missing.length === 0 || missing.some((c) => !rename.has(c) || !columnOf(to, rename.get(c)!)))
    return undefined;
  const filters = 'filters' in previous ? previous.filters : [];
  if (a.outcome && filters.some((f) => f.column === a.outcome)) return undefined;
  const name = (c: string) => (missing.includes(c) ? rename.get(c)! : c);
  const moved = JSON.parse(
    JSON.stringify(previous, (key, value) =>
      typeof value === 'string' && ['column', 'treatment', 'outcome', 'group'].includes(key)
        ? name(value)
        : value,
    ),
  ) as Frame;
  const renameList = (list: string[]) => list.map(name);
  if (moved.kind === 'aggregate') moved.by = renameList(moved.by);
  if (moved.kind === 'effect')
    moved.covariates = moved.chosen
      ? defaultCovariates(to, moved.treatment, moved.outcome)
      : renameList(moved.covariates);
  if (moved.kind === 'regression') moved.predictors = renameList(moved.predictors);
  if (moved.kind === 'correlation' || moved.kind === 'missing') moved.columns = renameList(moved.columns);
  // A treatment condition keeps its side: treated (1, true, yes) stays treated.
  if ('filters' in moved)
    moved.filters = moved.filters.map((f, i) => {
      const old = filters[i]!;
      if (old.column !== a.treatment || f.column === old.column) return f;
      const wasPositive = old.value === binaryValue(columnOf(from, old.column)!, true);
      const positive = (old.op === '=') === wasPositive;
      return { column: f.column, op: '=', value: binaryValue(columnOf(to, f.column)!, positive) };
    });
  return { frame: moved, mapped: missing.map((c) => ({ from: c, to: rename.get(c)! })) };
}

/** The previous question without the columns or conditions a follow-up names. */
function drop(
  frame: Frame,
  slots: Slots,
  markers: Set<Keyword>,
  refuse: (message: string) => { refusal: Refusal },
): { frame: Frame } | { refusal: Refusal } {
  const named = unique([
    ...slots.columns,
    ...slots.values.map((v) => v.column),
    ...slots.filters.map((f) => f.column),
    ...slots.missing.map((f) => f.column),
  ]);
  const filters = 'filters' in frame ? frame.filters : [];
  const filtered = named.filter((c) => filters.some((f) => f.column === c));
  // Conditions: "drop that filter" (all of them) or "drop the churned filter" (that column's).
  if (markers.has('filter') || (named.length > 0 && filtered.length === named.length)) {
    if (filters.length === 0) return refuse('The previous question had no filter to drop.');
    if (named.length > 0 && filtered.length < named.length)
      return refuse(
        `The previous question has no filter on ${named.filter((c) => !filtered.includes(c)).join(', ')}; its filters are on ${unique(filters.map((f) => f.column)).join(', ')}.`,
      );
    const kept = named.length === 0 ? [] : filters.filter((f) => !named.includes(f.column));
    if (frame.kind === 'effect' && frame.fixed) {
      // Covariates a condition had fixed count again once it is gone.
      const { fixed, ...rest } = frame;
      return {
        frame: withoutFixedCovariates({
          ...rest,
          covariates: unique([...frame.covariates, ...fixed]),
          filters: kept,
        }),
      };
    }
    return { frame: { ...frame, filters: kept } as Frame };
  }
  if (named.length === 0) return refuse("I couldn't tell what to drop from the previous question.");
  const without = (list: string[]) => list.filter((c) => !named.includes(c));
  const absent = (list: string[]) => named.filter((c) => !list.includes(c));
  const refuseAbsent = (list: string[], what: string) =>
    refuse(
      `${absent(list).join(', ')} ${absent(list).length === 1 ? 'is' : 'are'} not among the previous question's ${what} (${list.join(', ') || 'none'}).`,
    );
  switch (frame.kind) {
    case 'effect': {
      if (absent(frame.covariates).length > 0) return refuseAbsent(frame.covariates, 'covariates');
      const { chosen: _, ...rest } = frame;
      return { frame: { ...rest, covariates: without(frame.covariates) } };
    }
    case 'regression': {
      if (absent(frame.predictors).length > 0) return refuseAbsent(frame.predictors, 'predictors');
      if (without(frame.predictors).length === 0)
        return refuse('That would leave the regression with no predictor.');
      const { chosen: _, ...rest } = frame;
      return { frame: { ...rest, predictors: without(frame.predictors) } };
    }
    case 'aggregate':
      if (absent(frame.by).length > 0) return refuseAbsent(frame.by, 'groupings');
      return { frame: { ...frame, by: without(frame.by) } };
    default:
      return refuse(`I can't drop ${named.join(', ')} from the previous question.`);
  }
}

/** The previous question as an effect to adjust: an effect, or a comparison between two groups of a true/false column. */
function asEffect(frame: Frame, schema: DatasetSchema): Extract<Frame, { kind: 'effect' }> | undefined {
  if (frame.kind === 'effect') return frame;
  const effect = (treatment: string, outcome: string, filters: Filter[]) => {
    const t = columnOf(schema, treatment);
    const o = columnOf(schema, outcome);
    if (!t || !o || !isBinary(t) || !(isNumeric(o) || isBinary(o))) return undefined;
    return {
      kind: 'effect' as const,
      datasetId: schema.id,
      treatment,
      outcome,
      covariates: defaultCovariates(schema, treatment, outcome),
      chosen: true,
      filters,
    };
  };
  if (frame.kind === 'compare') return effect(frame.group, frame.outcome, frame.filters);
  if (
    frame.kind === 'aggregate' &&
    frame.by.length === 1 &&
    frame.measures.length >= 1 &&
    frame.measures[0]!.column
  )
    return effect(frame.by[0]!, frame.measures[0]!.column, frame.filters);
  return undefined;
}

function datasetOf(frame: Frame): string | undefined {
  return frame.kind === 'datasets' ? undefined : frame.datasetId;
}

const unique = <T>(list: T[]) => [...new Set(list)];

/** Every column a frame refers to. */
export function columnsOf(frame: Frame): string[] {
  switch (frame.kind) {
    case 'datasets':
    case 'columns':
    case 'shape':
    case 'profile':
      return [];
    case 'missing':
      return frame.columns;
    case 'values':
    case 'top':
    case 'distribution':
      return [frame.column, ...frame.filters.map((f) => f.column)];
    case 'rows':
      return [frame.column, ...frame.filters.map((f) => f.column)];
    case 'aggregate':
      return unique([
        ...frame.measures.flatMap((m) => (m.column ? [m.column] : [])),
        ...frame.by,
        ...frame.filters.map((f) => f.column),
      ]);
    case 'correlation':
      return [...frame.columns, ...frame.filters.map((f) => f.column)];
    case 'compare':
      return [frame.outcome, frame.group, ...frame.filters.map((f) => f.column)];
    case 'regression':
      return [frame.outcome, ...frame.predictors, ...frame.filters.map((f) => f.column)];
    case 'effect':
      return [frame.treatment, frame.outcome, ...frame.covariates, ...frame.filters.map((f) => f.column)];
  }
}

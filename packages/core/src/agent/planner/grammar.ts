import type { EffectMethodChoice, Filter } from '../../contract';
import { type Frame, type Measure, type Refusal, withoutFixedCovariates } from './frame';
import { type Aggregate, type Comparison, type Keyword, type Sense, unsupportedMessage } from './lexicon';
import {
  binaryValue,
  columnOf,
  type DatasetSchema,
  isBinary,
  isCategorical,
  isGrouping,
  isNumeric,
  type Scalar,
  type SchemaColumn,
} from './schema';
import type { Span } from './segment';
import { suggestionsFor } from './suggest';

/**
 * The grammar of everyday analysis questions, over spans. It reads a question into slots —
 * measures, group-bys, filters, the columns it names — decides which kind of question it is,
 * and checks that every word it was given is accounted for. A question with a word it cannot
 * place is refused, naming that word: answering a different question is worse than not answering.
 */

type SenseOf<K extends Sense['kind']> = Extract<Sense, { kind: K }>;

export interface Slots {
  measures: Measure[];
  by: string[];
  filters: Filter[];
  /** Columns named and not (yet) placed in a slot, in order. */
  columns: string[];
  /** Values named (device = mobile) not used as filters: groups to compare, or filters later. */
  values: { column: string; value: Scalar; negated: boolean; at?: number }[];
  covariates: string[];
  /** Columns said to be missing ("no feedback"), with where. */
  missing: (Filter & { at?: number })[];
  method?: EffectMethodChoice;
  model?: 'ols' | 'logistic';
  topN?: number;
  /** "10th and 90th percentile" as 0.1 and 0.9. */
  percentiles?: number[];
}

/** Slots before a question has filled any. */
export function emptySlots(): Slots {
  return { measures: [], by: [], filters: [], columns: [], values: [], covariates: [], missing: [] };
}

export type Reading =
  | { kind: 'frame'; frame: Frame }
  /** A question that only changes part of the previous one: the slots it sets. */
  | { kind: 'followup'; slots: Slots; markers: Set<Keyword>; datasetChanged: boolean }
  | { kind: 'refusal'; refusal: Refusal };

const has = <K extends Sense['kind']>(span: Span, kind: K): SenseOf<K> | undefined =>
  span.senses.find((s): s is SenseOf<K> => s.kind === kind);

const isKeyword = (span: Span | undefined, ...words: Keyword[]) =>
  span?.senses.some((s) => s.kind === 'keyword' && words.includes(s.word)) ?? false;
const isStop = (span: Span) => span.senses.length > 0 && span.senses.every((s) => s.kind === 'stop');

/** The question's spans, and which of them the reading has used. */
class Question {
  readonly used = new Set<number>();

  constructor(
    readonly spans: Span[],
    readonly schema: DatasetSchema,
  ) {}

  column(name: string): SchemaColumn {
    return columnOf(this.schema, name)!;
  }

  use(...indices: number[]): void {
    for (const i of indices) this.used.add(i);
  }

  keywords(): Set<Keyword> {
    const found = new Set<Keyword>();
    for (const span of this.spans) for (const s of span.senses) if (s.kind === 'keyword') found.add(s.word);
    return found;
  }

  indexOf(test: (span: Span, i: number) => boolean, from = 0): number {
    for (let i = from; i < this.spans.length; i++) if (test(this.spans[i]!, i)) return i;
    return -1;
  }

  /** The next span after `i` that is not a stop word (or -1). */
  next(i: number): number {
    for (let j = i + 1; j < this.spans.length; j++) if (!isStop(this.spans[j]!)) return j;
    return -1;
  }

  previous(i: number): number {
    for (let j = i - 1; j >= 0; j--) if (!isStop(this.spans[j]!)) return j;
    return -1;
  }

  /** The column of the unused span at `at` when it is numeric (or true/false, when `binary`). */
  numericAt(at: number, binary = false): string | undefined {
    const span = at >= 0 && !this.used.has(at) ? this.spans[at] : undefined;
    const name = span ? has(span, 'column')?.column : undefined;
    if (!name) return undefined;
    const column = this.column(name);
    return isNumeric(column) || (binary && isBinary(column)) ? name : undefined;
  }

  /** Spans the reading has not used that still mean something. */
  leftover(): Span[] {
    return this.spans.filter((span, i) => !this.used.has(i) && !isStop(span));
  }
}

// ----------------------------------------------------------------------------- filters

const flip: Record<Comparison, Comparison> = {
  '<': '>=',
  '<=': '>',
  '>': '<=',
  '>=': '<',
  '=': '!=',
  '!=': '=',
};

/** A number with a column before or after it: "tenure over 12", "more than 3 support calls", "older than 30". */
/** "30 or more", "ten or fewer items": a comparison written after its number. */
const postfix = /^(or|and|plus)\b/i;

function readComparisons(q: Question): Filter[] {
  const filters: Filter[] = [];
  const numericAt = (at: number) => q.numericAt(at);
  // "ten or more items", "30 and older".
  q.spans.forEach((span, i) => {
    const comparison = has(span, 'comparison');
    if (!comparison || q.used.has(i) || !postfix.test(span.text)) return;
    const n = q.previous(i);
    if (n < 0 || q.used.has(n) || q.spans[n]!.number === undefined) return;
    const after = q.next(i);
    const before = q.previous(n);
    // "30 or younger": the dictionary's comparative names the column.
    const word = span.text.toLowerCase().replace(postfix, '').trim();
    const implied = q.schema.columns.find((c) => c.entry?.comparatives?.[word] !== undefined)?.name;
    const column =
      comparison.column ??
      implied ??
      numericAt(after) ??
      (before >= 0 && isKeyword(q.spans[before], 'where')
        ? numericAt(q.previous(before))
        : numericAt(before));
    if (!column) return;
    q.use(n, i);
    q.spans.forEach((s, j) => {
      if ((j === after || j === before || j === q.previous(before)) && has(s, 'column')?.column === column)
        q.use(j);
    });
    filters.push({ column, op: comparison.op, value: q.spans[n]!.number! });
  });
  // "signed up in 2024", "visits before 2025": a year on a date column.
  const dates = q.schema.columns.filter((c) => c.type === 'datetime').map((c) => c.name);
  q.spans.forEach((span, i) => {
    const year = span.number;
    if (year === undefined || q.used.has(i) || !Number.isInteger(year) || year < 1900 || year > 2100) return;
    const word = i > 0 ? q.spans[i - 1]!.text.toLowerCase() : '';
    const comparison = i > 0 ? has(q.spans[i - 1]!, 'comparison') : undefined;
    const named = q.spans
      .map((s) => has(s, 'column')?.column)
      .filter((c): c is string => c !== undefined && dates.includes(c));
    const column = named[0];
    if (!column) return;
    const start = `${year}-01-01`;
    const next = `${year + 1}-01-01`;
    if (word === 'in' || word === 'during')
      filters.push({ column, op: '>=', value: start }, { column, op: '<', value: next });
    else if (word === 'since' || comparison?.op === '>=') filters.push({ column, op: '>=', value: start });
    else if (word === 'before' || comparison?.op === '<') filters.push({ column, op: '<', value: start });
    else if (word === 'after' || comparison?.op === '>') filters.push({ column, op: '>=', value: next });
    else if (word === 'until' || comparison?.op === '<=') filters.push({ column, op: '<', value: next });
    else return;
    q.use(i, i - 1);
    q.spans.forEach((s, j) => {
      if (has(s, 'column')?.column === column) q.use(j);
    });
  });
  q.spans.forEach((span, i) => {
    if (q.used.has(i)) return;
    const between = isKeyword(span, 'between');
    const comparison = has(span, 'comparison');
    if (!between && !comparison) return;
    const n1 = q.next(i);
    if (n1 < 0 || q.spans[n1]!.number === undefined) return;
    let low = q.spans[n1]!.number!;
    let last = n1;
    let high: number | undefined;
    const joiner = q.next(n1);
    // "between 20 and 30", "from 20 to 30"
    if (joiner >= 0 && (isKeyword(q.spans[joiner], 'and') || q.spans[joiner]!.text.toLowerCase() === 'to')) {
      const n2 = q.next(joiner);
      if (n2 >= 0 && q.spans[n2]!.number !== undefined) {
        high = q.spans[n2]!.number!;
        last = n2;
      }
    }
    if (between && high === undefined) return;
    // The column: named by the comparison itself (older → age), else just before, else just after.
    // "older than 30" names its column; "people over forty" may, through the data dictionary.
    const implicit = span.senses.find((s) => s.kind === 'comparison' && s.column) as
      | { column?: string }
      | undefined;
    let column = comparison?.column;
    const used: number[] = [i, n1, ...(high !== undefined ? [joiner, last] : [])];
    if (!column) {
      const before = q.previous(i);
      const beforeSkip =
        before >= 0 && isKeyword(q.spans[before], 'where', 'not') ? q.previous(before) : before;
      const after = q.next(last);
      // "treat = 1": a true/false column is compared for equality too.
      const equality = high === undefined && (comparison?.op === '=' || comparison?.op === '!=');
      const numericAt = (at: number) => q.numericAt(at, equality);
      const chosen =
        numericAt(after) !== undefined
          ? after
          : numericAt(beforeSkip) !== undefined
            ? beforeSkip
            : numericAt(before) !== undefined
              ? before
              : -1;
      if (chosen >= 0) {
        column = numericAt(chosen)!;
        used.push(chosen);
        if (chosen === beforeSkip && beforeSkip !== before) used.push(before);
      } else if (implicit?.column) column = implicit.column;
      else return;
    }
    // "not more than 3"
    const negation = q.previous(i);
    const negated = negation >= 0 && isKeyword(q.spans[negation], 'not') && !q.used.has(negation);
    if (negated) used.push(negation);
    const c = q.column(column);
    // A true/false column equals 1 or 0, nothing else ("treat = 2" stays unread).
    if (isBinary(c) && high === undefined && low !== 0 && low !== 1) return;
    q.use(...used);
    if (high !== undefined) {
      if (low > high) [low, high] = [high, low];
      filters.push({ column, op: 'between', value: [low, high] });
    } else {
      const op = negated ? flip[comparison!.op] : comparison!.op;
      filters.push({ column, op, value: isBinary(c) ? binaryValue(c, low === 1) : low });
    }
  });
  // "aged 30 to 40", "tenure 12 through 24", "2 to 4 support calls": a range next to its column.
  q.spans.forEach((span, i) => {
    const joiner = q.spans[i + 1];
    const second = q.spans[i + 2];
    if (q.used.has(i) || span.number === undefined || !joiner || second?.number === undefined) return;
    if (q.used.has(i + 2) || !/^(to|through|thru|and)$/i.test(joiner.text)) return;
    const at = [q.previous(i), q.next(i + 2)].find((j) => q.numericAt(j) !== undefined);
    if (at === undefined) return;
    const column = q.numericAt(at)!;
    q.use(at, i, i + 1, i + 2);
    const [low, high] = [span.number, second.number].sort((a, b) => a - b) as [number, number];
    filters.push({ column, op: 'between', value: [low, high] });
  });
  // "viewed zero items", "customers with 3 support calls": a number right before a numeric column.
  q.spans.forEach((span, i) => {
    if (span.number === undefined || span.ordinal || q.used.has(i)) return;
    const column = numericAt(i + 1);
    if (!column) return;
    q.use(i, i + 1);
    filters.push({ column, op: '=', value: span.number });
  });
  return filters;
}

/** Values named in the question ("mobile users", "in the north", "not churned"), grouped by column. */
function readValues(q: Question): Slots['values'] {
  const values: Slots['values'] = [];
  q.spans.forEach((span, i) => {
    if (q.used.has(i)) return;
    let value = has(span, 'value');
    if (!value) return;
    // "new" is a value of two columns (new visitors, the new checkout): the one the question is about.
    const options = span.senses.filter((s) => s.kind === 'value');
    if (new Set(options.map((o) => o.column)).size > 1) {
      const elsewhere = new Set(
        q.spans.flatMap((s, j) =>
          j === i
            ? []
            : s.senses.flatMap((x) => (x.kind === 'value' || x.kind === 'column' ? [x.column] : [])),
        ),
      );
      const inPlay = options.filter((o) => elsewhere.has(o.column));
      if (inPlay.length === 1) value = inPlay[0]!;
    }
    // "churned" names the column or its true value: a value next to the rows' noun ("churned customers",
    // "customers who churned") or after a count; the column anywhere else ("correlated with churned").
    if (has(span, 'column')) {
      // "correlated with churned", "what drives churned": the column.
      if (q.spans.some((s) => isKeyword(s, 'correlation', 'drivers', 'types', 'typeword', 'columns'))) return;
      const near = [q.previous(i), q.next(i)].some((j) => j >= 0 && has(q.spans[j]!, 'rows'));
      const counted = q.spans.slice(0, i).some((s) => has(s, 'aggregate')?.fn === 'count');
      const before = q.previous(i);
      const cue = before >= 0 && isKeyword(q.spans[before], 'not', 'only', 'where', 'got', 'except');
      const word = i > 0 ? q.spans[i - 1]!.text.toLowerCase() : '';
      const preposition = [
        'for',
        'among',
        'amongst',
        'of',
        'with',
        'in',
        'on',
        'from',
        'who',
        'that',
        'are',
        'were',
        'is',
        'was',
      ].includes(word);
      if (!near && !counted && !cue && !preposition) return;
    }
    const before = q.previous(i);
    const negated =
      before >= 0 &&
      !q.used.has(before) &&
      isKeyword(q.spans[before], 'not', 'except') &&
      !has(q.spans[before]!, 'value');
    if (negated) q.use(before);
    q.use(i);
    values.push({ column: value.column, value: value.value, negated, at: i });
    // "the south region", "mobile device": the column named beside its own value says nothing more.
    for (const j of [q.previous(i), q.next(i)])
      if (j >= 0 && !q.used.has(j) && has(q.spans[j]!, 'column')?.column === value.column) q.use(j);
  });
  // "got the offer", "received a retention offer", "didn't get the new checkout": a true/false column's value.
  q.spans.forEach((span, i) => {
    const column = has(span, 'column')?.column;
    if (!column || q.used.has(i) || !isBinary(q.column(column))) return;
    // "what predicts whether a customer gets an offer": the column itself.
    if (q.spans.some((s) => isKeyword(s, 'correlation', 'drivers'))) return;
    const before = q.previous(i);
    if (before < 0 || !isKeyword(q.spans[before], 'got')) return;
    const negation = q.previous(before);
    const negated = negation >= 0 && isKeyword(q.spans[negation], 'not');
    q.use(i, before, ...(negated ? [negation] : []));
    values.push({ column, value: binaryValue(q.column(column), !negated), negated: false, at: i });
  });
  return values;
}

/** "no feedback", "without a satisfaction score": a column that is missing (with where it was said). */
function readMissingValues(q: Question): (Filter & { at?: number })[] {
  const filters: (Filter & { at?: number })[] = [];
  q.spans.forEach((span, i) => {
    const column = has(span, 'column')?.column;
    if (!column || q.used.has(i) || isBinary(q.column(column))) return;
    const before = q.previous(i);
    // "whose region is missing", "with satisfaction missing" (but "how many scores are missing" counts them)
    const after = q.next(i);
    const where = before >= 0 && isKeyword(q.spans[before], 'where');
    if (where && after >= 0 && !q.used.has(after) && isKeyword(q.spans[after], 'missing')) {
      q.use(before);
      q.use(i, after);
      filters.push({ column, op: 'is missing', at: i });
      return;
    }
    if (before >= 0 && !q.used.has(before) && isKeyword(q.spans[before], 'not', 'except')) {
      q.use(i, before);
      // "no earnings in 1974": a number column that is never missing is zero; "no satisfaction score" is missing.
      const zero = isNumeric(q.column(column)) && !q.column(column).missing;
      filters.push(zero ? { column, op: '=', value: 0, at: i } : { column, op: 'is missing', at: i });
      return;
    }
    // "customers who have a satisfaction score", "sessions with any country": the column is known.
    const lead = q.spans
      .slice(Math.max(0, i - 3), i)
      .map((s) => (isStop(s) ? s.text.toLowerCase() : '|'))
      .join(' ')
      .split('|')
      .at(-1)!;
    if (/\b(have|has|had|with|gave|give|left)\s+(a|an|any)\b/.test(lead)) {
      q.use(i);
      filters.push({ column, op: 'is not missing', at: i });
    }
  });
  return filters;
}

/** Values as filters: several values of one column are alternatives (mobile or tablet). */
export function valueFilters(values: Slots['values']): Filter[] {
  const byColumn = new Map<string, { include: Scalar[]; exclude: Scalar[] }>();
  for (const v of values) {
    const entry = byColumn.get(v.column) ?? { include: [], exclude: [] };
    (v.negated ? entry.exclude : entry.include).push(v.value);
    byColumn.set(v.column, entry);
  }
  const filters: Filter[] = [];
  for (const [column, { include, exclude }] of byColumn) {
    const unique = (list: Scalar[]) => [...new Set(list)];
    const inc = unique(include);
    const exc = unique(exclude);
    if (inc.length === 1) filters.push({ column, op: '=', value: inc[0]! });
    else if (inc.length > 1) filters.push({ column, op: 'in', value: inc });
    if (exc.length === 1) filters.push({ column, op: '!=', value: exc[0]! });
    else if (exc.length > 1) filters.push({ column, op: 'not in', value: exc });
  }
  return filters;
}

// ----------------------------------------------------------------------------- slots

/**
 * Both sides of a true/false column asked for at once, which is a grouping by it, not a
 * condition: "with and without autopay", "with vs without a retention offer", "customers who got
 * an offer vs those who didn't", "autopay customers versus the rest". The words are placed; the
 * column is returned for `by`.
 */
function readContrasts(q: Question): string | undefined {
  const spans = q.spans;
  const binaryOf = (span: Span | undefined) => {
    const name = span && (has(span, 'value')?.column ?? has(span, 'column')?.column);
    return name && isBinary(q.column(name)) ? name : undefined;
  };
  for (let i = 0; i < spans.length; i++) {
    const joiner = q.next(i);
    if (joiner < 0 || !isKeyword(spans[joiner], 'and', 'or', 'vs')) continue;
    const side = q.next(joiner);
    // "with and without autopay", "with vs without a retention offer"
    if (/^with$/i.test(spans[i]!.text) && side >= 0) {
      const without = /^without\b/i.test(spans[side]!.text);
      const column = without
        ? (binaryOf(spans[side]) ??
          (isKeyword(spans[side], 'except') ? binaryOf(spans[q.next(side)]) : undefined))
        : undefined;
      if (column) {
        const end = binaryOf(spans[side]) ? side : q.next(side);
        q.use(i, joiner, side, end);
        return column;
      }
    }
    // "autopay vs non-autopay customers", "autopay vs manual payers", "treated vs untreated"
    const named = binaryOf(spans[i]);
    if (named && isKeyword(spans[joiner], 'vs') && side >= 0) {
      const other = isKeyword(spans[side], 'not') ? q.next(side) : side;
      if (other >= 0 && binaryOf(spans[other]) === named) {
        q.use(i, joiner, side, other);
        return named;
      }
    }
    // "who got an offer vs those who didn't", "between those who got it and those who didn't",
    // "autopay customers versus the rest"
    const got = has(spans[i]!, 'column') && isKeyword(spans[q.previous(i)], 'got');
    const column = has(spans[i]!, 'value') || got ? binaryOf(spans[i]) : undefined;
    const denied = side >= 0 && isKeyword(spans[q.next(side)], 'not');
    if (
      column &&
      (isKeyword(spans[joiner], 'vs') || denied) &&
      side >= 0 &&
      isKeyword(spans[side], 'reference')
    ) {
      q.use(i, joiner, side);
      if (got) q.use(q.previous(i));
      for (let j = q.next(side); j >= 0 && isKeyword(spans[j], 'not', 'except', 'got'); j = q.next(j))
        q.use(j);
      spans[side]!.senses = [{ kind: 'stop' }];
      return column;
    }
  }
  return undefined;
}

/**
 * "customers and their plan", "sessions where they bought": a pronoun after the question's own
 * rows or columns refers to them, not to the previous question.
 */
function readOwnReferences(q: Question): void {
  q.spans.forEach((span, i) => {
    if (!isKeyword(span, 'reference') || !/^(their|they|them|its)$/i.test(span.text)) return;
    const before = q.spans.slice(0, i);
    if (
      before.some(
        (s) =>
          has(s, 'rows') ||
          has(s, 'column') ||
          has(s, 'columns') ||
          has(s, 'value') ||
          has(s, 'dataset') ||
          isKeyword(s, 'columns', 'values', 'datasets', 'types'),
      )
    ) {
      span.senses = [{ kind: 'stop' }];
      q.use(i);
    }
  });
}

/** "by plan and region", "for each country", "per device". */
function readBy(q: Question): string[] {
  const by: string[] = [];
  q.spans.forEach((span, i) => {
    // "by plan", and "on each plan" (but not "each extra year of …").
    const each = isKeyword(span, 'each') && has(q.spans[i + 1] ?? span, 'column') !== undefined;
    if (q.used.has(i) || (!isKeyword(span, 'by') && !each)) return;
    let at = q.next(i);
    const taken: number[] = [];
    // "customers by number of support calls": grouped by the count itself.
    if (at >= 0 && has(q.spans[at]!, 'aggregate')?.fn === 'count') {
      const counted = q.next(at);
      const name = counted >= 0 ? has(q.spans[counted]!, 'column')?.column : undefined;
      if (name && isNumeric(q.column(name))) {
        taken.push(at);
        at = counted;
      }
    }
    while (at >= 0 && !q.used.has(at)) {
      const column = has(q.spans[at]!, 'column')?.column;
      if (!column) break;
      by.push(column);
      taken.push(at);
      const joiner = q.next(at);
      if (joiner < 0 || !isKeyword(q.spans[joiner], 'and', 'or')) break;
      const after = q.next(joiner);
      if (after < 0 || !has(q.spans[after]!, 'column')) break;
      taken.push(joiner);
      at = after;
    }
    if (taken.length > 0) q.use(i, ...taken);
  });
  return [...new Set(by)];
}

/**
 * "adjusting for age, education and race", "matching on age and re74", and "with age and educ
 * as covariates": the columns an estimate adjusts for.
 */
function readCovariates(q: Question): string[] | undefined {
  const taken: string[] = [];
  const columnsOf = (span: Span) =>
    has(span, 'columns')?.columns ??
    (has(span, 'column')
      ? [has(span, 'column')!.column]
      : has(span, 'value')
        ? [has(span, 'value')!.column]
        : []);
  const joiner = (span: Span) =>
    isKeyword(span, 'and', 'that', 'also', 'where', 'add') || isStop(span) || has(span, 'rows') !== undefined;
  const forward = (from: number) => {
    const found: string[] = [];
    for (let j = from + 1; j < q.spans.length; j++) {
      if (q.used.has(j)) continue;
      const span = q.spans[j]!;
      const columns = columnsOf(span);
      if (columns.length > 0) {
        found.push(...columns);
        q.use(j);
      } else if (joiner(span)) q.use(j);
      else break;
    }
    return found;
  };
  let any = false;
  q.spans.forEach((span, i) => {
    if (q.used.has(i)) return;
    const adjust = isKeyword(span, 'adjust');
    // "matching on …", "weighting on …": the method names what it balances.
    const method =
      has(span, 'method') !== undefined &&
      ['on', 'using', 'with', 'for', 'adjusting'].includes(q.spans[i + 1]?.text.toLowerCase() ?? '');
    if (!adjust && !method) return;
    if (adjust) q.use(i);
    any = true;
    const after = forward(i);
    if (after.length > 0 || !adjust) {
      taken.push(...after);
      return;
    }
    // "with age, educ and re74 as covariates": the columns come before.
    const found: string[] = [];
    for (let j = i - 1; j >= 0; j--) {
      if (q.used.has(j)) continue;
      const s = q.spans[j]!;
      const columns = columnsOf(s);
      if (columns.length > 0) {
        found.unshift(...columns);
        q.use(j);
      } else if (isKeyword(s, 'and') || (isStop(s) && s.text.toLowerCase() !== 'on')) q.use(j);
      else {
        if (isKeyword(s, 'where')) q.use(j);
        break;
      }
    }
    taken.push(...found);
  });
  return any ? [...new Set(taken)] : undefined;
}

/** Aggregates and the columns they apply to: "average monthly fee", "mean and median of tenure", "churn rate". */
function readMeasures(q: Question): Measure[] {
  const measures: Measure[] = [];
  const pending: Aggregate[] = [];
  const flush = (column: string | undefined) => {
    for (const fn of pending) measures.push({ fn, ...(column && { column }) });
    pending.length = 0;
  };
  for (let i = 0; i < q.spans.length; i++) {
    if (q.used.has(i)) continue;
    const span = q.spans[i]!;
    const aggregate = has(span, 'aggregate');
    if (aggregate && !aggregate.superlative) {
      q.use(i);
      // "churn rate": the column comes first.
      const before = q.previous(i);
      if (aggregate.fn === 'rate' && pending.length === 0 && before >= 0 && !q.used.has(before)) {
        const column = has(q.spans[before]!, 'column')?.column;
        if (column) {
          q.use(before);
          measures.push({ fn: 'rate', column });
          continue;
        }
      }
      pending.push(aggregate.fn);
      // "mean and median of tenure", "min / median / max tenure": more aggregates to come.
      const next = q.next(i);
      const following = next >= 0 ? has(q.spans[next]!, 'aggregate') : undefined;
      if (following && !following.superlative && following.fn !== 'count' && aggregate.fn !== 'count')
        continue;
      if (next >= 0 && isKeyword(q.spans[next], 'and')) {
        const after = q.next(next);
        if (after >= 0 && has(q.spans[after]!, 'aggregate')) {
          q.use(next);
          continue;
        }
      }
      // The column: the next unused column, skipping "of", "the", row words.
      let at = q.next(i);
      while (at >= 0 && (q.used.has(at) || has(q.spans[at]!, 'rows'))) {
        if (has(q.spans[at]!, 'rows') && pending.includes('count')) break;
        at = q.next(at);
      }
      const column = at >= 0 ? has(q.spans[at]!, 'column')?.column : undefined;
      if (column && !q.used.has(at)) {
        q.use(at);
        flush(column);
        // "average fee and tenure": the same aggregates of another column.
        let joiner = q.next(at);
        while (joiner >= 0 && isKeyword(q.spans[joiner], 'and')) {
          const other = q.next(joiner);
          const name = other >= 0 && !q.used.has(other) ? has(q.spans[other]!, 'column')?.column : undefined;
          if (!name) break;
          q.use(joiner, other);
          const last = measures.at(-1)!;
          measures.push({ ...last, column: name });
          joiner = q.next(other);
        }
      } else if (pending.length > 0 && pending.every((fn) => fn === 'count' || fn === 'rate')) {
        flush(undefined);
      } else flush(undefined);
    }
  }
  // "on average, how many items does a session view": the mean of the counted column.
  const mean = measures.findIndex((m) => m.fn === 'mean' && !m.column);
  const counted = measures.findIndex((m) => m.fn === 'count' && m.column);
  if (mean >= 0 && counted >= 0) return [{ fn: 'mean', column: measures[counted]!.column! }];
  return measures;
}

// ----------------------------------------------------------------------------- the reading

export interface GrammarInput {
  spans: Span[];
  schema: DatasetSchema;
  /** Whether the question named its dataset itself ("same for churn.csv"). */
  datasetNamed: boolean;
  /** Whether a previous question's frame exists to follow up on. */
  hasPrevious: boolean;
  /** The previous question's frame, when there is one. */
  previous?: Frame;
}

/** What a column is, in a word an answer can use. */
function kindWord(column: SchemaColumn): string {
  if (isNumeric(column)) return 'numeric';
  if (isBinary(column)) return 'true/false';
  if (isCategorical(column)) return 'categorical';
  if (column.type === 'datetime') return 'a date';
  return 'free text';
}

const quote = (text: string) => `"${text}"`;

/** Reads one question against one dataset. */
export function read(input: GrammarInput): Reading {
  const { spans, schema } = input;
  const q = new Question(spans, schema);
  const datasetId = schema.id;
  const refuse = (reason: Refusal['reason'], message: string): Reading => ({
    kind: 'refusal',
    refusal: { reason, message, suggestions: suggestionsFor(schema), datasetId },
  });

  // Dataset mentions are placed already, and so are words that only point at the data.
  spans.forEach((span, i) => {
    if (has(span, 'dataset')) q.use(i);
    if (isKeyword(span, 'datasets') && input.datasetNamed) q.use(i);
  });

  const unsupported = spans.map((span) => has(span, 'unsupported')).find(Boolean);
  if (unsupported) return refuse('unsupported', unsupportedMessage(unsupported));

  const contrast = readContrasts(q);
  readOwnReferences(q);
  // "spend more than new ones": a comparison with no number after it says which way, as "more" does.
  spans.forEach((span, i) => {
    const comparison = has(span, 'comparison');
    const next = q.next(i);
    if (!comparison || (next >= 0 && spans[next]!.number !== undefined)) return;
    // "older or younger than …": the other direction of the same comparison, with no number of its own.
    const prior = q.previous(i);
    if (postfix.test(span.text) && (prior < 0 || spans[prior]!.number === undefined)) {
      span.senses = [{ kind: 'stop' }];
      return;
    }
    if (comparison.op !== '>' && comparison.op !== '<') return;
    // "were participants older than non-participants": older names age, and which way.
    span.senses = [
      ...(comparison.column ? [{ kind: 'column' as const, column: comparison.column }] : []),
      { kind: 'keyword', word: comparison.op === '>' ? 'more' : 'less' },
    ];
  });
  // "across the three plans", "all 4 regions": a count of a column's groups says nothing more.
  spans.forEach((span, i) => {
    const next = q.next(i);
    const column = next >= 0 ? has(spans[next]!, 'column')?.column : undefined;
    const before = i > 0 ? spans[i - 1]!.text.toLowerCase() : '';
    if (
      span.number !== undefined &&
      column &&
      isGrouping(q.column(column)) &&
      /^(the|all|across|between)$/.test(before)
    )
      q.use(i);
  });
  const keywords = q.keywords();
  const slots = emptySlots();

  // Numbers that say how many: "top 5", "5 most common", "90th percentile".
  spans.forEach((span, i) => {
    if (span.number === undefined || q.used.has(i)) return;
    const before = q.previous(i);
    const after = q.next(i);
    if (
      (before >= 0 && isKeyword(spans[before], 'top', 'least', 'most')) ||
      (after >= 0 &&
        (isKeyword(spans[after], 'most', 'least', 'top') || has(spans[after]!, 'aggregate')?.superlative)) ||
      // "the 3 customers with the highest fee", "which 2 regions have the most …": how many rows
      // or groups, when the question ranks them and the number leads its noun.
      (after >= 0 &&
        (before < 0 || isKeyword(spans[before], 'which')) &&
        (has(spans[after]!, 'rows') ||
          (has(spans[after]!, 'column') && isGrouping(q.column(has(spans[after]!, 'column')!.column)))) &&
        spans.some((s) => has(s, 'aggregate')?.superlative || isKeyword(s, 'most', 'least', 'top')))
    ) {
      slots.topN = span.number;
      q.use(i);
    } else if (span.ordinal && span.number > 0 && span.number < 100 && keywords.has('percentile')) {
      // "tenure percentiles: 10th, 50th, 90th"
      slots.percentiles = [...(slots.percentiles ?? []), span.number / 100];
      q.use(i);
    } else if (span.number > 0 && span.number < 100) {
      // "90th percentile", "10th and 90th percentile"
      let j = after;
      while (j >= 0 && (isKeyword(spans[j], 'and') || spans[j]!.number !== undefined)) j = q.next(j);
      if (j >= 0 && isKeyword(spans[j], 'percentile')) {
        slots.percentiles = [...(slots.percentiles ?? []), span.number / 100];
        q.use(i);
        if (after >= 0 && isKeyword(spans[after], 'and')) q.use(after);
      }
    }
  });

  slots.filters.push(...readComparisons(q));
  slots.covariates = readCovariates(q) ?? [];
  slots.by = [...(contrast ? [contrast] : []), ...readBy(q)];

  spans.forEach((span, i) => {
    const m = has(span, 'method');
    if (m && !q.used.has(i)) {
      slots.method = m.method;
      q.use(i);
    }
    const model = has(span, 'model');
    if (model && !q.used.has(i)) {
      slots.model = model.model;
      q.use(i);
    }
  });

  slots.values = readValues(q);
  slots.missing = readMissingValues(q);
  slots.measures = readMeasures(q);
  // A column named twice ("how many items does a session view", "items … viewed") is placed once.
  const placed = new Set([
    ...slots.measures.flatMap((m) => (m.column ? [m.column] : [])),
    ...slots.by,
    ...slots.filters.map((f) => f.column),
    ...slots.values.map((v) => v.column),
  ]);
  spans.forEach((span, i) => {
    if (!q.used.has(i) && placed.has(has(span, 'column')?.column ?? '')) q.use(i);
  });
  spans.forEach((span, i) => {
    if (q.used.has(i)) return;
    const column = has(span, 'column')?.column;
    const several = has(span, 'columns')?.columns;
    if (column) slots.columns.push(column);
    else if (several) slots.columns.push(...several);
  });
  slots.columns = [...new Set(slots.columns)];
  // "new checkout sessions only", "only autopay customers": a true/false column as a condition.
  spans.forEach((span, i) => {
    const name = has(span, 'column')?.column;
    if (!name || q.used.has(i) || !slots.columns.includes(name) || !isBinary(q.column(name))) return;
    const after = q.next(i);
    const before = q.previous(i);
    const rowsAfter = after >= 0 && has(spans[after]!, 'rows') !== undefined;
    const only =
      (before >= 0 && isKeyword(spans[before], 'only')) ||
      (after >= 0 && isKeyword(spans[after], 'only')) ||
      (rowsAfter && q.next(after) >= 0 && isKeyword(spans[q.next(after)], 'only'));
    if (!only) return;
    slots.values.push({ column: name, value: binaryValue(q.column(name), true), negated: false, at: i });
    slots.columns = slots.columns.filter((c) => c !== name);
    q.use(i);
  });

  const unknownWords = spans.filter((s) => s.unknown).map((s) => s.text);
  if (unknownWords.length > 0) return unknownWordsRefusal(q, unknownWords, keywords, slots);

  return decide({ q, slots, keywords, input, refuse });
}

interface Decision {
  q: Question;
  slots: Slots;
  keywords: Set<Keyword>;
  input: GrammarInput;
  refuse: (reason: Refusal['reason'], message: string) => Reading;
}

/** A word the planner does not know: maybe a column that does not exist ("average salary"). */
function unknownWordsRefusal(q: Question, unknown: string[], keywords: Set<Keyword>, slots: Slots): Reading {
  const schema = q.schema;
  const asked =
    slots.measures.length > 0 ||
    keywords.has('effect') ||
    keywords.has('compare') ||
    keywords.has('correlation') ||
    keywords.has('drivers') ||
    keywords.has('by');
  const columns = schema.columns.map((c) => c.name);
  const message = asked
    ? `${schema.id} has no column (or value) called ${unknown.map(quote).join(' or ')}; its columns are ${columns.join(', ')}.`
    : `I don't understand ${unknown.map(quote).join(', ')} in this question, so I can't answer it without guessing.`;
  return {
    kind: 'refusal',
    refusal: {
      reason: asked ? 'unknown_column' : 'unknown_words',
      message,
      suggestions: suggestionsFor(schema, slots),
      datasetId: schema.id,
    },
  };
}

function decide(d: Decision): Reading {
  const { q, slots, keywords } = d;
  const schema = q.schema;
  const datasetId = schema.id;
  const previous = d.input.previous;
  // "participants (treat = 1)": one condition said twice is one filter.
  const filtersWithValues = (): Filter[] => [
    ...new Map(
      [
        ...slots.filters,
        ...valueFilters(slots.values),
        ...slots.missing.map(({ at: _, ...filter }) => filter),
      ].map((f) => [JSON.stringify(f), f]),
    ).values(),
  ];

  const done = (frame: Frame): Reading => {
    // Question words, conjunctions and "just …" carry nothing once every column and value is placed.
    useKeywords(
      'which',
      'values',
      'each',
      'that',
      'and',
      'or',
      'only',
      'instead',
      'again',
      'also',
      'everyone',
    );
    const left = q.leftover();
    if (left.length > 0) {
      const names = left.map((s) => s.text);
      return d.refuse(
        'unknown_words',
        `I understood part of this question, but not how ${names.map(quote).join(', ')} ${names.length === 1 ? 'fits' : 'fit'} into it, so I won't guess.`,
      );
    }
    return { kind: 'frame', frame };
  };
  const useKeywords = (...words: Keyword[]) =>
    q.spans.forEach((span, i) => {
      if (span.senses.some((s) => s.kind === 'keyword' && words.includes(s.word))) q.use(i);
    });
  const useRows = () =>
    q.spans.forEach((span, i) => {
      if (has(span, 'rows')) q.use(i);
    });
  const useColumns = (...names: string[]) =>
    q.spans.forEach((span, i) => {
      const column = has(span, 'column')?.column;
      const several = has(span, 'columns')?.columns;
      if ((column && names.includes(column)) || several?.every((c) => names.includes(c))) q.use(i);
    });
  const changesPrevious = () =>
    previous !== undefined &&
    (keywords.has('instead') ||
      keywords.has('same') ||
      keywords.has('also') ||
      keywords.has('that') ||
      keywords.has('add') ||
      keywords.has('what about'));
  const study = schema.dictionary?.study;

  // ------------------------------------------------------------------ follow-ups that add columns
  // "add 1974 and 1975 earnings", "also adjust for race": more columns for the previous model.
  if (keywords.has('add') && previous && (previous.kind === 'regression' || previous.kind === 'effect'))
    return followUp(d);
  if (keywords.has('allcovariates') && previous?.kind === 'effect' && slots.columns.length === 0)
    return followUp(d);
  // "drop that filter", "remove re74 and re75": less of the previous question.
  if (keywords.has('drop') && previous) return followUp(d);

  // "how many of them …", "those participants' average earnings": the previous question's rows.
  if (keywords.has('reference')) {
    if (!previous)
      return d.refuse(
        'no_previous',
        `I can't tell who "${q.spans.find((s) => isKeyword(s, 'reference'))!.text}" refers to: there is no earlier question in this conversation that I understood. Ask the whole question in one go.`,
      );
    // "the effect there": a place the previous question picked, which only a condition can be.
    const place = q.spans.some((s) => isKeyword(s, 'reference') && /^there$/i.test(s.text));
    const picked = 'filters' in previous && previous.filters.some((f) => f.op === '=' || f.op === 'in');
    if (place && !picked)
      return d.refuse(
        'no_previous',
        'I can\'t tell where "there" is: the previous question did not pick one group by a condition. Name it, for example "… for country = IT".',
      );
    // "the effect of the new checkout there", "is that gap significant for them": a new kind of
    // question about the previous question's rows; its conditions carry over.
    if (['effect', 'compare', 'correlation', 'drivers'].some((k) => keywords.has(k as Keyword))) {
      q.spans.forEach((s, i) => {
        if (isKeyword(s, 'reference')) q.use(i);
      });
      const own = new Set([...slots.filters, ...slots.values].map((f) => f.column));
      if ('filters' in previous) slots.filters.push(...previous.filters.filter((f) => !own.has(f.column)));
    } else return followUp(d);
  }

  // ------------------------------------------------------------------ effects
  const treatmentValues = [...new Set(slots.values.map((v) => v.column))].filter((c) =>
    isBinary(q.column(c)),
  );
  // "how much does the fee go up per extra month of tenure": the column after "per" is the cause asked about.
  const perAt = q.spans.findIndex((s) => s.text.toLowerCase() === 'per');
  const perColumn =
    perAt >= 0
      ? q.spans
          .slice(perAt + 1)
          .map((s) => has(s, 'column')?.column)
          .find((c) => c !== undefined && isNumeric(q.column(c)))
      : undefined;
  if (perColumn && keywords.has('change') && slots.by.includes(perColumn)) {
    slots.by = slots.by.filter((c) => c !== perColumn);
    slots.columns = [...slots.columns, perColumn];
  }
  const changeAsked =
    keywords.has('change') &&
    (slots.columns.some((c) => isBinary(q.column(c)) && slots.columns.some((o) => o !== c)) ||
      (treatmentValues.length === 1 && slots.columns.length >= 1) ||
      (perColumn !== undefined && slots.columns.length === 2));
  const effectAsked =
    keywords.has('effect') ||
    changeAsked ||
    (slots.covariates.length > 0 && !previous) ||
    (slots.method !== undefined && !previous);
  if (effectAsked) {
    useKeywords(
      'att',
      'by',
      'compare',
      'what about',
      'effect',
      'adjust',
      'and',
      'where',
      'which',
      'that',
      'more',
      'less',
      'vs',
      'change',
      'between',
      'got',
      'instead',
      'only',
    );
    // "change how many items they viewed", "the effect on average basket": a measure's column is named too.
    const named = [
      ...new Set([...slots.columns, ...slots.measures.flatMap((m) => (m.column ? [m.column] : []))]),
    ];
    const binaries = named.filter((c) => isBinary(q.column(c)));
    // "effect of X on Y": the column after "on" is the outcome, the other the treatment.
    const onAt = q.spans.findIndex((s) => ['on', 'upon'].includes(s.text.toLowerCase()));
    const afterOn =
      onAt >= 0
        ? q.spans
            .slice(onAt + 1)
            .map((s) => has(s, 'column')?.column)
            .find((c) => c && named.includes(c))
        : undefined;
    // "the effect of autopay vs non-autopay on churn": the two sides name the treatment.
    const contrasted = slots.by.find((c) => isBinary(q.column(c))) ?? perColumn;
    let treatment: string | undefined =
      contrasted ??
      (afterOn && named.length === 2
        ? named.find((c) => c !== afterOn)
        : // else the true/false column named (the study's treatment, when it is one).
          (binaries.find((c) => c === study?.treatment) ??
          (binaries.length === 1 || named.length === 2 ? binaries[0] : undefined)));
    if (!treatment && named.length >= 2) treatment = named[0];
    // "the difference between participants and non-participants": values of one true/false column name it.
    if (!treatment && treatmentValues.length === 1) {
      treatment = treatmentValues[0]!;
      slots.values = slots.values.filter((v) => v.column !== treatment);
    }
    if (
      !treatment &&
      named.length === 0 &&
      previous &&
      (changesPrevious() || slots.covariates.length > 0 || slots.method)
    )
      return followUp(d);
    treatment ??= study?.treatment;
    const rest = named.filter((c) => c !== treatment);
    const outcome = rest[0] ?? (treatment === study?.treatment ? study?.outcome : undefined);
    if (!treatment || !outcome) {
      return d.refuse(
        'incomplete',
        `To estimate an effect I need a true/false treatment column and an outcome column; ${treatment ? `I found the treatment ${treatment} but no outcome` : outcome ? `I found ${outcome} but no true/false treatment` : 'I found neither'} in this question.`,
      );
    }
    if (rest.length > 1) {
      return d.refuse(
        'ambiguous_column',
        `This question names ${named.join(', ')}; I can't tell which is the outcome of ${treatment}. Ask for "the effect of ${treatment} on <outcome>, adjusting for <columns>".`,
      );
    }
    useColumns(treatment, outcome);
    const t = q.column(treatment);
    // "how much does each extra support call change satisfaction": a number is not a treatment;
    // what the data can say is its association, from a regression, and the answer says so.
    if (isNumeric(t) && (isNumeric(q.column(outcome)) || isBinary(q.column(outcome)))) {
      useRows();
      useKeywords('only', 'instead', 'drivers');
      return done({
        kind: 'regression',
        datasetId,
        outcome,
        predictors: [treatment, ...slots.covariates.filter((c) => c !== treatment && c !== outcome)],
        association: treatment,
        filters: filtersWithValues(),
      });
    }
    if (!isBinary(t))
      return d.refuse(
        'wrong_type',
        `${treatment} is ${kindWord(t)}, not true/false, so it cannot be the treatment of an effect estimate.`,
      );
    const o = q.column(outcome);
    if (!isNumeric(o) && !isBinary(o))
      return d.refuse(
        'wrong_type',
        `${outcome} is ${kindWord(o)}; an effect needs a numeric or true/false outcome.`,
      );
    // "with all the covariates": every usable column, as when none is named.
    if (keywords.has('allcovariates')) useKeywords('allcovariates');
    const namedCovariates = keywords.has('allcovariates')
      ? []
      : slots.covariates.filter((c) => c !== treatment && c !== outcome);
    const chosen = namedCovariates.length === 0 && !(slots.method === 'difference_in_means');
    // "the effect of the offer on churned": the outcome's name, not a condition that it be true.
    slots.values = slots.values.filter((v) => v.column !== outcome);
    const covariates = chosen ? defaultCovariates(schema, treatment, outcome) : namedCovariates;
    useRows();
    return done(
      withoutFixedCovariates({
        kind: 'effect',
        datasetId,
        treatment,
        outcome,
        covariates,
        ...(chosen && { chosen: true }),
        ...(slots.method && { method: slots.method }),
        ...(keywords.has('att') && { estimand: 'ATT' as const }),
        filters: filtersWithValues(),
      }),
    );
  }

  // ------------------------------------------------------------------ regressions
  if (keywords.has('drivers') || slots.model) {
    if (changesPrevious() && previous?.kind === 'regression') return followUp(d);
    useKeywords(
      'drivers',
      'which',
      'and',
      'where',
      'by',
      'more',
      'less',
      'change',
      'between',
      'vs',
      'add',
      'got',
    );
    // "regress fee on plan; the plan coefficients relative to basic": a value of a categorical
    // column the question names is the level it is compared with, not a condition.
    const spanColumns = new Set(q.spans.flatMap((s) => (has(s, 'column') ? [has(s, 'column')!.column] : [])));
    const references: Record<string, string> = {};
    for (const v of slots.values) {
      const several = slots.values.filter((w) => w.column === v.column).length > 1;
      if (spanColumns.has(v.column) && isCategorical(q.column(v.column)) && !v.negated && !several)
        references[v.column] = String(v.value);
    }
    if (Object.keys(references).length > 0) {
      slots.values = slots.values.filter((v) => !(v.column in references));
      slots.columns = [...new Set([...slots.columns, ...Object.keys(references)])];
    }
    // "OLS of re78 on age and educ: the coefficient on educ": the first word of the model decides.
    const verb = q.indexOf((span) => isKeyword(span, 'drivers') || has(span, 'model') !== undefined);
    const columnsAt = (from: number, to: number) =>
      q.spans.slice(from, to).flatMap((span) => {
        const several = has(span, 'columns')?.columns;
        const column = has(span, 'column')?.column;
        return several ?? (column ? [column] : []);
      });
    // "does tenure predict churn", "how much does education add to earnings": the subject predicts the object.
    const before = verb > 0 ? columnsAt(0, verb).filter((c) => slots.columns.includes(c)) : [];
    const after = columnsAt(Math.max(verb, 0), q.spans.length).filter((c) => slots.columns.includes(c));
    let outcome: string | undefined;
    let predictors: string[];
    if (before.length > 0 && after.length > 0) {
      outcome = after[0];
      predictors = [...before, ...after.slice(1)];
    } else {
      [outcome, ...predictors] = [...before, ...after];
    }
    if (!outcome) {
      if (previous?.kind === 'regression') return followUp(d);
      return d.refuse(
        'incomplete',
        'Which column should the regression explain? Name it, for example "what drives <column>".',
      );
    }
    useColumns(outcome, ...predictors);
    const o = q.column(outcome);
    if (!isNumeric(o) && !isBinary(o))
      return d.refuse(
        'wrong_type',
        `${outcome} is ${kindWord(o)}; a regression explains a numeric or true/false column.`,
      );
    predictors = [...new Set(predictors.filter((p) => p !== outcome))];
    const chosen = predictors.length === 0;
    useRows();
    return done({
      kind: 'regression',
      datasetId,
      outcome,
      predictors: chosen ? defaultPredictors(schema, outcome) : predictors,
      ...(chosen && { chosen: true }),
      ...(slots.model && { model: slots.model }),
      ...(Object.keys(references).length > 0 && { references }),
      filters: filtersWithValues(),
    });
  }

  // ------------------------------------------------------------------ correlations
  if (keywords.has('correlation') || keywords.has('spearman') || keywords.has('pearson')) {
    if ((keywords.has('spearman') || keywords.has('pearson')) && previous && slots.columns.length === 0)
      return followUp(d);
    useKeywords(
      'correlation',
      'spearman',
      'pearson',
      'most',
      'least',
      'which',
      'and',
      'vs',
      'where',
      'values',
      'between',
      'columns',
      'what about',
    );
    q.spans.forEach((s, i) => {
      if (has(s, 'aggregate')?.superlative) q.use(i);
    });
    const named = slots.columns;
    useColumns(...named);
    for (const name of named) {
      const column = q.column(name);
      if (!isNumeric(column) && !isBinary(column))
        return d.refuse(
          'wrong_type',
          `${name} is ${kindWord(column)}; correlations are between numeric or true/false columns.`,
        );
    }
    if (slots.by.length > 0)
      return d.refuse(
        'incomplete',
        'I compute correlations over the whole dataset or a subset of rows, not separately by group; ask for one group at a time ("… only for basic").',
      );
    if (named.length === 0) {
      if (previous?.kind === 'correlation' && changesPrevious()) return followUp(d);
      return done({ kind: 'profile', datasetId });
    }
    return done({
      kind: 'correlation',
      datasetId,
      columns: named,
      ...(keywords.has('spearman') && { method: 'spearman' as const }),
      filters: filtersWithValues(),
    });
  }

  // ------------------------------------------------------------------ distinct values
  const countAsked = slots.measures.some((m) => m.fn === 'count');
  const distinctAsked =
    keywords.has('distinct') &&
    (countAsked ||
      (slots.values.length === 0 &&
        slots.by.length === 0 &&
        !keywords.has('between') &&
        slots.columns.length + slots.measures.length <= 1));
  const asksWhich = keywords.has('which');
  // "what plans are there": which values a category has.
  const whichValues =
    asksWhich &&
    slots.measures.length === 0 &&
    slots.columns.length === 1 &&
    slots.by.length === 0 &&
    isGrouping(q.column(slots.columns[0]!)) &&
    !keywords.has('most') &&
    !keywords.has('least') &&
    !keywords.has('compare') &&
    !keywords.has('more') &&
    !keywords.has('less') &&
    !keywords.has('columns') &&
    !keywords.has('types') &&
    !keywords.has('typeword') &&
    !keywords.has('missing');
  // "how many values of plan, with counts"; "the 5 most common …, with counts" ranks them below.
  const ranked = keywords.has('most') || keywords.has('least') || keywords.has('top');
  if (
    distinctAsked ||
    whichValues ||
    (countAsked && keywords.has('values') && slots.columns.length === 1 && !ranked)
  ) {
    useKeywords('distinct', 'values', 'which', 'and', 'where', 'columns', 'compare', 'got');
    q.spans.forEach((s, i) => {
      if (has(s, 'aggregate')?.fn === 'count') q.use(i);
    });
    const column = slots.columns[0] ?? slots.measures.find((m) => m.column)?.column;
    if (!column)
      return d.refuse(
        'incomplete',
        'Distinct values of which column? Name it, for example "how many different <column> values are there".',
      );
    useColumns(column);
    useRows();
    return done({ kind: 'values', datasetId, column, filters: filtersWithValues() });
  }

  // ------------------------------------------------------------------ missing values
  if (keywords.has('missing') && slots.missing.length === 0) {
    // "which column has the most missing values": the answer lists them, most first.
    useKeywords('missing', 'which', 'columns', 'values', 'and', 'by', 'each', 'where', 'most');
    useRows();
    q.spans.forEach((s, i) => {
      if (has(s, 'aggregate')?.fn === 'count' || has(s, 'aggregate')?.fn === 'rate') q.use(i);
    });
    const named = [
      ...new Set([...slots.columns, ...slots.measures.flatMap((m) => (m.column ? [m.column] : []))]),
    ];
    useColumns(...named);
    if (filtersWithValues().length > 0)
      return d.refuse('incomplete', 'I count missing values over the whole file, not for a subset.');
    return done({ kind: 'missing', datasetId, columns: named });
  }

  // ------------------------------------------------------------------ the dataset itself
  const typeAsked = keywords.has('types') || keywords.has('typeword');
  if (keywords.has('columns') || typeAsked) {
    // "number of columns", "how big is it? rows x cols": the dataset's size.
    if ((countAsked || keywords.has('shape')) && slots.columns.length === 0 && !typeAsked) {
      useKeywords('columns', 'which', 'and', 'shape');
      q.spans.forEach((s, i) => {
        if (has(s, 'aggregate')?.fn === 'count') q.use(i);
      });
      useRows();
      // "how many columns … name them": the column listing, which gives the count too.
      const listed = q.spans.some((s) => /^(name|list) them$/i.test(s.text));
      return done(listed ? { kind: 'columns', datasetId } : { kind: 'shape', datasetId });
    }
    if (!keywords.has('missing') && slots.measures.every((m) => m.fn === 'count' && !m.column)) {
      useKeywords('columns', 'types', 'typeword', 'which', 'and', 'values', 'profile', 'where');
      q.spans.forEach((s, i) => {
        if (has(s, 'aggregate')?.fn === 'count') q.use(i);
      });
      useColumns(...slots.columns);
      return done({
        kind: 'columns',
        datasetId,
        ...(slots.columns.length > 0 && { columns: slots.columns }),
      });
    }
  }

  // ------------------------------------------------------------------ comparisons
  const moreOrLess = keywords.has('more') || keywords.has('less');
  const aggregateAsked = slots.measures.some((m) => m.fn !== 'rate' || m.column !== undefined);
  const studyArm = study?.treatment;
  if (
    keywords.has('compare') ||
    (moreOrLess &&
      !aggregateAsked &&
      (slots.values.length > 0 ||
        slots.columns.length >= 2 ||
        (studyArm !== undefined && slots.columns.includes(studyArm))))
  ) {
    if (previous && changesPrevious() && slots.columns.length === 0 && slots.values.length === 0)
      return followUp(d);
    useKeywords(
      'compare',
      'more',
      'less',
      'vs',
      'between',
      'and',
      'or',
      'by',
      'where',
      'which',
      'only',
      'got',
    );
    return compareFrame(d, done);
  }

  // ------------------------------------------------------------------ distributions
  if (keywords.has('distribution') || slots.percentiles !== undefined || keywords.has('percentile')) {
    useRows();
    // "describe the distribution of …", "summarise the spread of …"
    useKeywords('distribution', 'percentile', 'and', 'where', 'profile');
    const column = slots.columns[0] ?? slots.measures.find((m) => m.column)?.column;
    if (!column) {
      if (previous) return followUp(d);
      return d.refuse(
        'incomplete',
        'Which column? Ask for example "what does the distribution of <column> look like".',
      );
    }
    useColumns(column);
    q.spans.forEach((s, i) => {
      if (has(s, 'aggregate')) q.use(i);
    });
    const c = q.column(column);
    if (slots.percentiles !== undefined) {
      if (!isNumeric(c))
        return d.refuse('wrong_type', `${column} is ${kindWord(c)}; percentiles need numbers.`);
      return done({
        kind: 'aggregate',
        datasetId,
        measures: slots.percentiles.map((p) => ({ fn: 'median' as const, column, percentile: p })),
        by: slots.by,
        filters: filtersWithValues(),
      });
    }
    if (!isNumeric(c) && !isGrouping(c))
      return d.refuse(
        'wrong_type',
        `${column} is ${kindWord(c)}; I can describe the distribution of numbers and categories.`,
      );
    if (slots.by.length > 0) {
      return measuresFrame(d, done, {
        kind: 'aggregate',
        datasetId,
        measures: isNumeric(c)
          ? (['count', 'mean', 'median', 'min', 'max', 'std'] as const).map((fn) => ({
              fn,
              ...(fn !== 'count' && { column }),
            }))
          : [{ fn: 'count' }],
        by: isNumeric(c) ? slots.by : [...slots.by, column],
        filters: filtersWithValues(),
      });
    }
    return done(
      isNumeric(c)
        ? { kind: 'distribution', datasetId, column, filters: filtersWithValues() }
        : { kind: 'top', datasetId, column, n: 50, least: false, filters: filtersWithValues() },
    );
  }

  const superlative = q.spans.map((s) => has(s, 'aggregate')).find((a) => a?.superlative);
  const most = keywords.has('most') || keywords.has('top');
  const least = keywords.has('least');

  // "which plan has the highest churn rate", "top 3 countries by average basket value"
  if (
    (superlative || most || least) &&
    slots.measures.some((m) => m.column) &&
    (slots.by.length > 0 || asksWhich || keywords.has('top') || slots.topN !== undefined)
  ) {
    const group = slots.by[0] ?? slots.columns.find((c) => isGrouping(q.column(c)));
    if (group) {
      useKeywords('which', 'most', 'least', 'top', 'by', 'each', 'and', 'where');
      useColumns(group);
      q.spans.forEach((s, i) => {
        if (has(s, 'aggregate')?.superlative) q.use(i);
      });
      useRows();
      const descending = superlative ? superlative.fn === 'max' : !least;
      return measuresFrame(d, done, {
        kind: 'aggregate',
        datasetId,
        measures: slots.measures,
        by: [group],
        filters: filtersWithValues(),
        rank: { descending, limit: slots.topN ?? 1 },
      });
    }
  }

  // "which region has the most customers", "most common plan", "top 3 countries"
  if (
    (most || least || (asksWhich && superlative)) &&
    slots.measures.every((m) => m.fn === 'count' && !m.column)
  ) {
    const column = slots.by[0] ?? slots.columns[0];
    if (column) {
      const c = q.column(column);
      if (isGrouping(c) || c.type === 'text' || (c.type === 'integer' && !superlative)) {
        useKeywords('which', 'most', 'least', 'top', 'by', 'each', 'and', 'where', 'values', 'got');
        useColumns(column);
        q.spans.forEach((s, i) => {
          if (has(s, 'aggregate')?.fn === 'count' || has(s, 'aggregate')?.superlative) q.use(i);
        });
        useRows();
        return done({
          kind: 'top',
          datasetId,
          column,
          n: slots.topN ?? 1,
          least,
          filters: filtersWithValues(),
        });
      }
    }
  }

  // "top 5 customers by monthly fee", "the 3 oldest people", "the highest basket value".
  if ((superlative || keywords.has('top')) && slots.measures.length === 0) {
    const column =
      slots.by[0] ?? slots.columns.find((c) => isNumeric(q.column(c)) || q.column(c).type === 'datetime');
    if (column) {
      useKeywords('top', 'by', 'which', 'where', 'most', 'and');
      // "the 5 cheapest customers - ids and fees": every column is in the rows shown.
      useColumns(column, ...slots.columns);
      q.spans.forEach((s, i) => {
        if (has(s, 'aggregate')?.superlative) q.use(i);
      });
      useRows();
      const descending = superlative ? superlative.fn === 'max' : true;
      if (slots.topN === undefined && !keywords.has('top')) {
        // "the highest basket value": the maximum.
        return measuresFrame(d, done, {
          kind: 'aggregate',
          datasetId,
          measures: [{ fn: descending ? 'max' : 'min', column }],
          by: slots.by.filter((b) => b !== column),
          filters: filtersWithValues(),
        });
      }
      return done({
        kind: 'rows',
        datasetId,
        column,
        descending,
        n: slots.topN ?? 1,
        filters: filtersWithValues(),
      });
    }
  }

  // "customers by plan", "the breakdown of sessions by device": rows counted per group.
  if (
    slots.measures.length === 0 &&
    slots.by.length > 0 &&
    slots.columns.length === 0 &&
    q.spans.some((s) => has(s, 'rows'))
  )
    slots.measures = [{ fn: 'count' }];

  // ------------------------------------------------------------------ aggregates
  if (slots.measures.length > 0) {
    // "and the median?": an aggregate of nothing named changes the previous question.
    const columnless = slots.measures.filter((m) => !m.column && m.fn !== 'count' && m.fn !== 'rate');
    const rateOfNothing =
      slots.measures.every((m) => m.fn === 'rate' && !m.column) &&
      slots.columns.length === 0 &&
      slots.values.length === 0 &&
      slots.missing.length === 0;
    if ((columnless.length > 0 && slots.columns.length === 0) || (rateOfNothing && previous)) {
      if (previous) return followUp(d);
      return d.refuse(
        'incomplete',
        `The ${columnless[0]?.fn ?? 'share'} of which column? Name it, for example "${columnless[0]?.fn ?? 'share'} of <column>".`,
      );
    }
    // "and the median monthly fee?" after a grouped answer: the same groups and conditions.
    const first = q.spans.find((s) => !isStop(s));
    const leading =
      first !== undefined &&
      (isKeyword(first, 'what about', 'also', 'instead') ||
        ['and', 'now', 'then'].includes(q.spans[0]!.text.toLowerCase()));
    if (leading && previous?.kind === 'aggregate' && !d.input.datasetNamed) return followUp(d);
    useKeywords('where', 'and', 'each', 'vs', 'which', 'values', 'or', 'got');
    useRows();
    let measures = slots.measures;
    // "how many churned", "how many customers are on autopay": a count of rows with a true/false column true.
    const leftoverBinary = slots.columns.filter((c) => isBinary(q.column(c)));
    if (
      measures.every((m) => m.fn === 'count' && !m.column) &&
      leftoverBinary.length === 1 &&
      slots.columns.length === 1
    ) {
      const name = leftoverBinary[0]!;
      slots.values.push({ column: name, value: binaryValue(q.column(name), true), negated: false });
      useColumns(name);
      slots.columns = [];
    }
    // "what share of customers churned", "what % of sessions were on mobile", "share with no feedback":
    // the share of the condition said last ("what fraction of the treated are black": black).
    if (measures.length === 1 && measures[0]!.fn === 'rate' && !measures[0]!.column) {
      const positionOf = (name: string) => q.spans.findIndex((span) => has(span, 'column')?.column === name);
      const candidates = [
        ...slots.columns
          .filter((c) => isBinary(q.column(c)))
          .map((c) => ({ at: positionOf(c), kind: 'column' as const, column: c })),
        ...slots.missing.map((m, index) => ({ at: m.at ?? -1, kind: 'missing' as const, index })),
        ...slots.values.map((v, index) => ({ at: v.at ?? -1, kind: 'value' as const, index })),
      ].sort((a, b) => b.at - a.at);
      // "retention rate on the basic plan": the condition right before the rate word is its subject.
      const rateAt = q.spans.findIndex((span) => has(span, 'aggregate')?.fn === 'rate');
      const last = (rateAt >= 0 && candidates.find((c) => c.at === q.previous(rateAt))) || candidates[0];
      if (last?.kind === 'column') {
        measures = [{ fn: 'rate', column: last.column }];
        useColumns(last.column);
        slots.columns = slots.columns.filter((c) => c !== last.column);
      } else if (last?.kind === 'missing') {
        const [{ at: _, ...condition }] = slots.missing.splice(last.index, 1) as [Filter & { at?: number }];
        measures = [{ fn: 'rate', condition }];
      } else if (last?.kind === 'value') {
        const [value] = slots.values.splice(last.index, 1) as [Slots['values'][number]];
        const c = q.column(value.column);
        measures = isBinary(c)
          ? [
              {
                fn: 'rate',
                column: value.column,
                ...((value.value !== binaryValue(c, true)) !== value.negated && {
                  value: value.negated ? binaryValue(c, false) : value.value,
                }),
              },
            ]
          : [
              {
                fn: 'rate',
                condition: { column: value.column, op: value.negated ? '!=' : '=', value: value.value },
              },
            ];
      }
    }
    // "share of men with zero earnings in 1978, treated vs untreated": the one condition is the share's subject.
    if (measures.some((m) => m.fn === 'rate' && !m.column && !m.condition)) {
      if (measures.length === 1 && slots.filters.length === 1) {
        measures = [{ fn: 'rate', condition: slots.filters[0]! }];
        slots.filters = [];
      } else
        return d.refuse(
          'incomplete',
          'The share of what? Say which rows to count, for example "share of customers on autopay" or "share with more than 3 support calls".',
        );
    }
    // "list the countries by number of sessions": the values of a column, counted.
    const danglingBy = q.spans.some((s, i) => !q.used.has(i) && isKeyword(s, 'by'));
    if (
      danglingBy &&
      measures.every((m) => m.fn === 'count' && !m.column) &&
      slots.columns.length === 1 &&
      isGrouping(q.column(slots.columns[0]!))
    ) {
      const column = slots.columns[0]!;
      useColumns(column);
      useKeywords('by');
      return done({ kind: 'values', datasetId, column, filters: filtersWithValues() });
    }
    // "how many plans are there": the distinct values; "how many support calls": the total or the rows?
    // "how many education levels are there, with counts": the values of a number, counted.
    const levels = keywords.has('values') && measures.every((m) => m.fn === 'count');
    const countedColumn = measures.find((m) => m.fn === 'count' && m.column)?.column;
    if (countedColumn && slots.by.length === 0 && (measures.length === 1 || levels)) {
      const name = countedColumn;
      const column = q.column(name);
      if (levels || isGrouping(column) || column.type === 'text' || column.type === 'datetime')
        return done({ kind: 'values', datasetId, column: name, filters: filtersWithValues() });
      return d.refuse(
        'incomplete',
        `${name} holds a number for each row: do you want the total of ${name} ("total ${name}") or how many rows have some value of it ("how many rows with ${name} > 2")?`,
      );
    }
    // "average basket value for mobile vs desktop", "churn rate with autopay vs without",
    // "how many got an offer, and how many didn't": groups of one column.
    const dangling = q.spans.some((s, i) => !q.used.has(i) && isKeyword(s, 'except', 'not'));
    if ((keywords.has('vs') || dangling) && slots.by.length === 0) {
      const columns = [...new Set(slots.values.map((v) => v.column))];
      const several = columns.filter((c) => slots.values.filter((v) => v.column === c).length >= 2);
      if (several.length === 1 && keywords.has('vs')) slots.by.push(several[0]!);
      else if (columns.length === 1 && dangling && isBinary(q.column(columns[0]!))) {
        slots.by.push(columns[0]!);
        slots.values = [];
        useKeywords('except', 'not');
      }
    }
    // "new vs returning", "mobile or desktop": a column named by both of its sides is a grouping.
    const sided = slots.columns.filter((c) =>
      q.spans.some(
        (s) =>
          has(s, 'column')?.column === c && /\b(vs|versus|or)\b/i.test(s.text) && isGrouping(q.column(c)),
      ),
    );
    if (sided.length > 0 && slots.by.length === 0) {
      slots.by.push(...sided);
      slots.columns = slots.columns.filter((c) => !sided.includes(c));
      useColumns(...sided);
    }
    if (slots.columns.length > 0) {
      const names = slots.columns;
      return d.refuse(
        'incomplete',
        `I understood ${describeMeasures(measures)}, but not what to do with ${names.join(', ')} (group by ${names.length === 1 ? 'it' : 'them'}? filter on a value?).`,
      );
    }
    return measuresFrame(d, done, {
      kind: 'aggregate',
      datasetId,
      measures,
      by: slots.by,
      filters: filtersWithValues().filter((f) => !slots.by.includes(f.column) || f.op !== '='),
    });
  }

  if (keywords.has('shape')) {
    useKeywords('shape', 'which');
    useRows();
    return done({ kind: 'shape', datasetId });
  }
  if (keywords.has('profile')) {
    useKeywords('profile', 'which', 'and', 'values');
    if (slots.columns.length === 1) {
      const column = slots.columns[0]!;
      useColumns(column);
      const c = q.column(column);
      return done(
        isNumeric(c)
          ? { kind: 'distribution', datasetId, column, filters: filtersWithValues() }
          : { kind: 'top', datasetId, column, n: 50, least: false, filters: filtersWithValues() },
      );
    }
    if (slots.columns.length > 1 || filtersWithValues().length > 0)
      return d.refuse('incomplete', 'I can profile a whole dataset or describe one column at a time.');
    return done({ kind: 'profile', datasetId });
  }

  if (previous) return followUp(d);
  if (
    slots.columns.length === 0 &&
    slots.values.length === 0 &&
    slots.filters.length === 0 &&
    d.input.datasetNamed
  ) {
    useKeywords('which', 'datasets', 'values', 'columns');
    if (q.leftover().length === 0) return done({ kind: 'profile', datasetId });
  }
  return d.refuse(
    'unknown_words',
    slots.columns.length > 0
      ? `I see ${slots.columns.join(', ')} in this question, but not what to compute with ${slots.columns.length === 1 ? 'it' : 'them'}.`
      : "I don't know how to answer this question with the tools I have.",
  );
}

/** Checks the measures against the columns' types; a mean of text is refused, a mean of true/false is a rate. */
function measuresFrame(
  d: Decision,
  done: (frame: Frame) => Reading,
  frame: Extract<Frame, { kind: 'aggregate' }>,
): Reading {
  const problem = aggregateProblem(d.q.schema, frame);
  return problem ? d.refuse('wrong_type', problem) : done(frame);
}

/**
 * Why an aggregate cannot be computed as asked (an average of a text column, groups by a
 * continuous one), or nothing. The mean of a true/false column becomes its share and its sum a
 * count of the true rows, in place.
 */
export function aggregateProblem(
  schema: DatasetSchema,
  frame: Extract<Frame, { kind: 'aggregate' }>,
): string | undefined {
  const columnNamed = (name: string) => columnOf(schema, name)!;
  for (const measure of frame.measures) {
    if (!measure.column) continue;
    const column = columnNamed(measure.column);
    if (measure.fn === 'count') continue;
    if (measure.fn === 'rate') {
      if (!isBinary(column) && measure.value === undefined)
        return `${measure.column} is ${kindWord(column)}, not true/false; a share needs a yes/no column or a value ("share of <value>").`;
      continue;
    }
    if (isBinary(column) && (measure.fn === 'mean' || measure.fn === 'sum')) {
      if (measure.fn === 'mean') measure.fn = 'rate';
      else {
        // "total churned": a count of the true rows.
        measure.fn = 'count';
        frame.filters.push({ column: measure.column, op: '=', value: binaryValue(column, true) });
        delete measure.column;
      }
      continue;
    }
    const orderable = measure.fn === 'min' || measure.fn === 'max';
    if (!isNumeric(column) && !(orderable && column.type === 'datetime'))
      return `${measure.column} is ${kindWord(column)}, so it has no ${measure.fn === 'std' ? 'standard deviation' : measure.fn}; ${isGrouping(column) ? `I can count its values ("how many rows per ${measure.column}"), name the most common one, or split by it ("… by ${measure.column}").` : 'ask about a numeric column.'}`;
  }
  for (const name of frame.by) {
    const column = columnNamed(name);
    if (column.type === 'numeric')
      return `${name} holds continuous numbers; grouping by it would make a group per value. Filter on a range instead ("where ${name} > …").`;
    if (column.type === 'text' || column.type === 'datetime')
      return `${name} is ${kindWord(column)} with a value per row; grouping by it would make a group per row.`;
  }
  return undefined;
}

function describeMeasures(measures: Measure[]): string {
  return measures.map((m) => (m.column ? `the ${m.fn} of ${m.column}` : `a ${m.fn} of rows`)).join(' and ');
}

/** "is basket value different between mobile and desktop", "does churn depend on plan", "do returning visitors spend more". */
function compareFrame(d: Decision, done: (frame: Frame) => Reading): Reading {
  const { q, slots } = d;
  const schema = q.schema;
  const study = schema.dictionary?.study;
  const named = [
    ...new Set([...slots.columns, ...slots.measures.flatMap((m) => (m.column ? [m.column] : []))]),
  ];
  q.spans.forEach((s, i) => {
    if (has(s, 'aggregate') || has(s, 'column') || has(s, 'columns')) q.use(i);
  });
  useRowsOf(q);
  // The groups: values of one column, else a grouping column after "by"/"between", else the second column.
  const valueColumns = [...new Set(slots.values.map((v) => v.column))];
  let group: string | undefined;
  let groups: string[] | undefined;
  let values = slots.values;
  // "in the north, autopay vs non-autopay": the column with both sides named is the grouping.
  const sides = (c: string) =>
    new Set(slots.values.filter((v) => v.column === c).map((v) => `${v.negated}:${v.value}`)).size;
  const groupFromValues = valueColumns
    .filter((c) => !named.includes(c))
    .sort((a, b) => sides(b) - sides(a))[0];
  if (slots.by.length > 0) group = slots.by[0];
  else if (groupFromValues) {
    group = groupFromValues;
    const chosen = slots.values.filter((v) => v.column === group);
    values = slots.values.filter((v) => v.column !== group);
    const column = q.column(group);
    const distinct = [...new Map(chosen.map((v) => [String(v.value), v])).values()];
    if (
      distinct.length >= 2 &&
      !distinct.every((v) => v.negated === distinct[0]!.negated && isBinary(column))
    )
      groups = distinct.map((v) => String(v.value));
    else if (isBinary(column)) {
      const first = distinct[0]!;
      const positive = String(first.value);
      const other = String(binaryValue(column, String(binaryValue(column, true)) !== positive));
      groups = first.negated ? [other, positive] : [positive, other];
    } else if (distinct.length === 1 && !distinct[0]!.negated) {
      // "is basket value higher on mobile?": mobile against every other device.
      return d.refuse(
        'incomplete',
        `Compared with what? Name the other ${group} values too, for example "${distinct[0]!.value} vs ${(column.values ?? []).find((v) => v !== distinct[0]!.value) ?? '…'}", or ask "is ${named[0] ?? '<outcome>'} different between ${group} groups".`,
      );
    }
  }
  let outcome: string | undefined;
  const candidates = named.filter((c) => c !== group);
  if (!group) {
    // "does churn depend on plan": outcome first, then the grouping column.
    const grouping = candidates.filter((c) => isGrouping(q.column(c)));
    if (candidates.length >= 2) {
      group = grouping.find((c) => c !== candidates[0]) ?? candidates[1];
      outcome = candidates.find((c) => c !== group);
    } else if (candidates.length === 1 && study && candidates[0] === study.treatment) {
      // "is the new checkout better?": the study's outcome, between its arms.
      group = candidates[0];
      outcome = study.outcome;
      const column = q.column(group!);
      groups = [String(binaryValue(column, true)), String(binaryValue(column, false))];
    }
  } else outcome = candidates[0];
  if (!outcome && group && study && group === study.treatment) outcome = study.outcome;
  // "are returning visitors more likely to be on desktop": the outcome is a category, one of whose values is asked about.
  let outcomeValue: string | undefined;
  if (!outcome && group) {
    const other = values.filter((v) => v.column !== group && !v.negated);
    const columns = [...new Set(other.map((v) => v.column))];
    if (columns.length === 1 && other.length === 1 && isGrouping(q.column(columns[0]!))) {
      outcome = columns[0]!;
      outcomeValue = String(other[0]!.value);
      values = values.filter((v) => v.column !== outcome);
    }
  }
  if (!group || !outcome) {
    if (d.input.previous && slots.columns.length === 0) return followUp(d);
    return d.refuse(
      'incomplete',
      'To compare groups I need an outcome and the groups: for example "is <numeric column> different between <category> groups" or "does <yes/no column> depend on <category>".',
    );
  }
  if (candidates.filter((c) => c !== outcome && c !== group).length > 0)
    return d.refuse(
      'ambiguous_column',
      `This names ${[...new Set(named)].join(', ')}; I can compare one outcome between the groups of one column at a time.`,
    );
  const g = q.column(group);
  const o = q.column(outcome);
  if (!isGrouping(g) && !(g.type === 'integer' && (g.values?.length ?? 99) <= 20))
    return d.refuse(
      'wrong_type',
      `${group} is ${kindWord(g)}; groups come from a categorical or true/false column.`,
    );
  if (!isNumeric(o) && !isGrouping(o))
    return d.refuse(
      'wrong_type',
      `${outcome} is ${kindWord(o)}; I can compare numbers, rates and categories between groups.`,
    );
  return done({
    kind: 'compare',
    datasetId: schema.id,
    outcome,
    group,
    ...(groups && { groups }),
    ...(outcomeValue !== undefined && { outcomeValue }),
    filters: [
      ...slots.filters,
      ...valueFilters(values),
      ...slots.missing.map(({ at: _, ...filter }) => filter),
    ],
  });
}

function useRowsOf(q: Question): void {
  q.spans.forEach((span, i) => {
    if (has(span, 'rows')) q.use(i);
  });
}

/** What to adjust for when the question names nothing: the study's covariates, else every usable column. */
export function defaultCovariates(schema: DatasetSchema, treatment: string, outcome: string): string[] {
  const study = schema.dictionary?.study;
  if (study?.treatment === treatment && study.covariates)
    return study.covariates.filter((c) => c !== outcome);
  return usableColumns(schema).filter((c) => c !== treatment && c !== outcome);
}

/** The predictors of "what drives X": every usable column but X (ids, dates and free text are not). */
export function defaultPredictors(schema: DatasetSchema, outcome: string): string[] {
  return usableColumns(schema).filter((c) => c !== outcome);
}

function usableColumns(schema: DatasetSchema): string[] {
  return schema.columns
    .filter((c) => isNumeric(c) || isBinary(c) || (isCategorical(c) && (c.values?.length ?? 0) <= 20))
    .filter((c) => !/(^|_)(id|uuid|key)$/i.test(c.name))
    .map((c) => c.name)
    .slice(0, 20);
}

/** A question with no kind of its own: it changes the previous one. */
function followUp(d: Decision): Reading {
  const { q, slots } = d;
  const markers = new Set<Keyword>();
  // "and their 90th percentile?": percentiles of whatever the previous question measured.
  if (slots.percentiles && slots.measures.length === 0)
    slots.measures = slots.percentiles.map((percentile) => ({ fn: 'median', percentile }));
  // "top 5", "show 10" after a ranked answer: how many to keep.
  const previous = d.input.previous;
  if (
    previous &&
    (previous.kind === 'top' || previous.kind === 'rows' || (previous.kind === 'aggregate' && previous.rank))
  ) {
    const counts = q.spans.flatMap((span, i) =>
      span.number !== undefined && !q.used.has(i) && Number.isInteger(span.number) && span.number > 0
        ? [i]
        : [],
    );
    if (slots.topN === undefined && counts.length === 1) {
      slots.topN = q.spans[counts[0]!]!.number;
      q.use(counts[0]!);
    }
    if (slots.topN !== undefined)
      q.spans.forEach((span, i) => {
        if (isKeyword(span, 'top')) q.use(i);
      });
  }
  // "and the least common?" after the most common values, "bottom 3 instead": the other end;
  // "which country is the lowest?" after a table by country: its first row, ranked.
  const grouped = previous?.kind === 'aggregate' && previous.by.length > 0;
  if (grouped) slots.columns = slots.columns.filter((c) => !previous.by.includes(c));
  if (
    previous &&
    (previous.kind === 'top' ||
      previous.kind === 'rows' ||
      (previous.kind === 'aggregate' && previous.rank) ||
      grouped)
  )
    q.spans.forEach((span, i) => {
      if (grouped && previous.by.includes(has(span, 'column')?.column ?? '')) q.use(i);
      const end = span.senses.find((s) => s.kind === 'keyword' && (s.word === 'least' || s.word === 'most'));
      if (end?.kind === 'keyword') {
        markers.add(end.word);
        q.use(i);
      }
      // "and the highest?", "the lowest instead"
      const superlative = has(span, 'aggregate');
      if (superlative?.superlative && (superlative.fn === 'max' || superlative.fn === 'min')) {
        markers.add(superlative.fn === 'max' ? 'most' : 'least');
        q.use(i);
      }
      if (has(span, 'aggregate')?.fn === 'count') q.use(i);
    });
  q.spans.forEach((span, i) => {
    for (const s of span.senses) {
      if (s.kind !== 'keyword') continue;
      if (
        [
          'again',
          'instead',
          'also',
          'same',
          'what about',
          'only',
          'everyone',
          'that',
          'adjust',
          'by',
          'and',
          'which',
          'where',
          'each',
          'effect',
          'vs',
          'or',
          'except',
          'add',
          'between',
          'drivers',
          'correlation',
          'got',
          'reference',
          'allcovariates',
          'drop',
          'filter',
          'spearman',
          'pearson',
          'att',
          'compare',
          'distribution',
          'percentile',
        ].includes(s.word)
      ) {
        markers.add(s.word);
        q.use(i);
      }
    }
    if (
      has(span, 'rows') ||
      has(span, 'aggregate') ||
      has(span, 'column') ||
      has(span, 'columns') ||
      has(span, 'method') ||
      has(span, 'model')
    )
      q.use(i);
  });
  const left = q.leftover();
  if (left.length > 0)
    return d.refuse(
      'unknown_words',
      `I read this as a change to the previous question, but I don't know what to do with ${left.map((s) => quote(s.text)).join(', ')}.`,
    );
  return { kind: 'followup', slots, markers, datasetChanged: d.input.datasetNamed };
}

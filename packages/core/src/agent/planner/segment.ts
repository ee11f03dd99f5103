import { type Lexeme, rowWords, type Sense, stopWords } from './lexicon';
import { binaryValue, type DatasetName, type DatasetSchema, isBinary, type Scalar } from './schema';
import { editDistance, matchAt, phraseForms, singular, type Word, words } from './text';

/**
 * A question cut into spans, each a phrase of the lexicon (with every sense it has), a number, a
 * stop word or a word the planner does not know. The grammar reads spans, never raw text.
 */
export interface Span {
  start: number;
  end: number;
  /** The words as written. */
  text: string;
  senses: Sense[];
  number?: number;
  /** The number was written as an ordinal (10th). */
  ordinal?: boolean;
  /** A word no phrase covers and no stop word: the grammar must not ignore it. */
  unknown?: boolean;
  /** The word as it was read when it was misspelt ("corelation" read as "correlation"). */
  corrected?: string;
}

interface Entry {
  forms: string[];
  sense: Sense;
  /** Short values (IT, DE) match only as written, so "it" is not Italy. */
  exact?: string;
}

/** Phrases indexed by their first word's singular form. */
export class Lexicon {
  private readonly index = new Map<string, Entry[]>();
  /** One-word phrases by their form, for reading misspelt words. */
  private readonly single = new Map<string, Sense[]>();

  constructor(lexemes: Iterable<Lexeme & { exact?: string }>) {
    for (const lexeme of lexemes) this.add(lexeme.phrase, lexeme.sense, lexeme.exact);
  }

  add(phrase: string, sense: Sense, exact?: string): void {
    const forms = phraseForms(phrase);
    if (forms.length === 0) return;
    const key = singular(forms[0]!);
    const list = this.index.get(key) ?? [];
    list.push({ forms, sense, ...(exact !== undefined && { exact }) });
    this.index.set(key, list);
    if (forms.length === 1 && exact === undefined && sense.kind !== 'stop' && /^[a-z]/.test(forms[0]!)) {
      const senses = this.single.get(forms[0]!) ?? [];
      senses.push(sense);
      this.single.set(forms[0]!, senses);
    }
  }

  /**
   * The one phrase a misspelt word is closest to: one letter off for words of five to seven
   * letters, two for longer ones; nothing when two phrases are equally close.
   */
  nearest(form: string): { word: string; senses: Sense[] } | undefined {
    if (form.length < 5 || /\d/.test(form)) return undefined;
    const allowed = form.length >= 8 ? 2 : 1;
    let best: { word: string; senses: Sense[]; distance: number } | undefined;
    let tie = false;
    for (const [word, senses] of this.single) {
      if (Math.abs(word.length - form.length) > allowed || word.length < 4) continue;
      const distance = editDistance(form, word, allowed);
      if (distance > allowed || distance === 0) continue;
      // A column or value is corrected only one letter away: a guess about data must be small.
      const aboutData = senses.some((s) => s.kind === 'column' || s.kind === 'value');
      if (aboutData && distance > 1) continue;
      if (!best || distance < best.distance) {
        best = { word, senses, distance };
        tie = false;
      } else if (distance === best.distance && word !== best.word) tie = true;
    }
    return best && !tie ? { word: best.word, senses: best.senses } : undefined;
  }

  /** Every phrase starting at `at`, by length: the senses of the phrases of each length. */
  matches(found: readonly Word[], forms: readonly string[], at: number): Map<number, Sense[]> {
    const byLength = new Map<number, Sense[]>();
    for (const entry of this.index.get(singular(forms[at]!)) ?? []) {
      const n = matchAt(forms, at, entry.forms);
      if (n === 0 || (entry.exact !== undefined && found[at]!.text !== entry.exact)) continue;
      const senses = byLength.get(n) ?? [];
      if (!senses.some((s) => JSON.stringify(s) === JSON.stringify(entry.sense))) senses.push(entry.sense);
      byLength.set(n, senses);
    }
    return byLength;
  }
}

/**
 * Cuts a question into spans: of every way to cover its words with phrases, the one with the
 * fewest unknown words, then the fewest spans, then the most words in phrases that mean
 * something ("were | in the program", not "were in | the program"). Ties go to the longer first
 * phrase, so the reading is deterministic.
 */
export function segment(
  question: string,
  lexicon: Lexicon,
  stems: readonly string[] = [],
  { fuzzy = true }: { fuzzy?: boolean } = {},
): Span[] {
  const found = words(question);
  const forms = found.map((w) => w.form);
  const n = found.length;
  const single = (at: number): Span => {
    const word = found[at]!;
    const span: Span = { start: at, end: at + 1, text: word.text, senses: [] };
    if (word.number !== undefined) {
      span.number = word.number;
      if (word.ordinal) span.ordinal = true;
    } else if (stopWords.has(word.form)) span.senses.push({ kind: 'stop' });
    else {
      // "education" names educ, "hispanic" hispan: a word that starts with a column's name.
      const stem = stems.find((name) => name.length >= 4 && word.form.startsWith(name.toLowerCase()));
      const near = stem || !fuzzy ? undefined : lexicon.nearest(word.form);
      if (stem) span.senses.push({ kind: 'column', column: stem });
      else if (near) {
        span.senses.push(...near.senses);
        span.corrected = near.word;
      } else span.unknown = true;
    }
    return span;
  };
  const options = (at: number): Span[] => {
    const spans: Span[] = [];
    const word = found[at]!;
    for (const [length, senses] of lexicon.matches(found, forms, at)) {
      const meaningful = senses.filter((s) => s.kind !== 'stop');
      // A number that is only a stop word is a number.
      if (length === 1 && meaningful.length === 0 && word.number !== undefined) continue;
      const text = found
        .slice(at, at + length)
        .map((w) => w.text)
        .join(' ');
      spans.push({ start: at, end: at + length, text, senses: meaningful.length > 0 ? meaningful : senses });
    }
    if (!spans.some((span) => span.end === at + 1)) spans.push(single(at));
    return spans;
  };
  const cost = (span: Span) =>
    (span.unknown ? 100 : 0) +
    1 -
    (span.senses.some((s) => s.kind !== 'stop') ? 0.1 * (span.end - span.start) : 0);
  // best[i]: the cheapest cover of words i.., as [cost, first span].
  const best: { cost: number; span?: Span }[] = Array.from({ length: n + 1 }, () => ({ cost: 0 }));
  for (let at = n - 1; at >= 0; at--) {
    let choice: { cost: number; span?: Span } | undefined;
    for (const span of options(at)) {
      const total = cost(span) + best[span.end]!.cost;
      const better =
        !choice ||
        total < choice.cost - 1e-9 ||
        (Math.abs(total - choice.cost) <= 1e-9 && span.end > choice.span!.end);
      if (better) choice = { cost: total, span };
    }
    best[at] = choice!;
  }
  const spans: Span[] = [];
  for (let at = 0; at < n; at = spans.at(-1)!.end) spans.push(best[at]!.span!);
  return spans;
}

const lower = (s: string) => s.toLowerCase();

/** The phrases that name datasets: ids and titles strongly, distinctive title words weakly. */
export function datasetLexemes(datasets: readonly DatasetName[]): Lexeme[] {
  const out: Lexeme[] = [];
  const strong = (phrase: string, datasetId: string) =>
    out.push({ phrase, sense: { kind: 'dataset', datasetId, strong: true } });
  const counts = new Map<string, number>();
  const titleWords = datasets.map((d) => {
    const ws = new Set(
      phraseForms(d.title ?? '').filter((w) => w.length >= 4 && !stopWords.has(w) && !/^\d+$/.test(w)),
    );
    for (const w of ws) counts.set(w, (counts.get(w) ?? 0) + 1);
    return ws;
  });
  datasets.forEach((d, i) => {
    const base = d.id.replace(/\.(csv|parquet)$/i, '');
    strong(d.id, d.id);
    strong(base, d.id);
    strong(base.replace(/[_-]+/g, ' '), d.id);
    for (const suffix of ['data', 'dataset', 'file', 'table', 'csv', 'parquet', 'sheet'])
      strong(`${base} ${suffix}`, d.id);
    if (d.title) strong(d.title, d.id);
    for (const alias of d.aliases ?? []) {
      const bare = alias.replace(/^the\s+/i, '');
      strong(bare, d.id);
      // "the job training data", "job training dataset", "the churn data file"
      if (!/\b(data|dataset|file|table|test|study|experiment|sheet)$/i.test(bare))
        for (const suffix of ['data', 'dataset', 'file', 'table', 'study', 'sample'])
          strong(`${bare} ${suffix}`, d.id);
      else
        strong(
          bare.replace(/\b(data|dataset)$/i, (noun) => (noun.toLowerCase() === 'data' ? 'dataset' : 'data')),
          d.id,
        );
    }
    for (const w of titleWords[i]!) {
      if (counts.get(w) !== 1) continue;
      out.push({ phrase: w, sense: { kind: 'dataset', datasetId: d.id, strong: false } });
      for (const suffix of ['data', 'dataset', 'file', 'test', 'study', 'experiment'])
        strong(`${w} ${suffix}`, d.id);
    }
  });
  return out;
}

/** Words that split a column name: snake_case, kebab-case, camelCase. */
function spokenName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .toLowerCase();
}

/** The phrases of one dataset: its columns, their values and what its rows are called. */
export function schemaLexemes(schema: DatasetSchema): (Lexeme & { exact?: string })[] {
  const out: (Lexeme & { exact?: string })[] = [];
  const dictionary = schema.dictionary;
  // A dataset without a dictionary: its id column names its rows (order_id → orders).
  const idNouns = schema.columns.flatMap((c) => {
    const match = /^(.+?)[_ -]?(id|key|number|no)$/i.exec(c.name);
    const noun = match?.[1]?.replace(/[_-]+/g, ' ').toLowerCase();
    return noun && noun.length >= 3 ? [noun, `${noun}s`] : [];
  });
  for (const word of [
    ...rowWords,
    ...idNouns,
    ...(dictionary?.rows
      ? [dictionary.rows.plural, dictionary.rows.singular, ...(dictionary.rows.synonyms ?? [])]
      : []),
  ])
    out.push({ phrase: word, sense: { kind: 'rows' } });
  const known = new Set(schema.columns.map((c) => c.name));
  for (const [phrase, columns] of Object.entries(dictionary?.groups ?? {})) {
    const present = columns.filter((c) => known.has(c));
    if (present.length > 0) out.push({ phrase, sense: { kind: 'columns', columns: present } });
  }
  for (const column of schema.columns) {
    const named = (phrase: string) => out.push({ phrase, sense: { kind: 'column', column: column.name } });
    for (const [word, op] of Object.entries(column.entry?.comparatives ?? {})) {
      out.push({ phrase: word, sense: { kind: 'comparison', op, column: column.name } });
      out.push({ phrase: `${word} than`, sense: { kind: 'comparison', op, column: column.name } });
      out.push({
        phrase: `${word} than or equal to`,
        sense: { kind: 'comparison', op: op === '>' ? '>=' : '<=', column: column.name },
      });
    }
    named(column.name);
    named(spokenName(column.name));
    // "ids and fees": the one id column answers to "id".
    if (/(^|_)id$/i.test(column.name) && schema.columns.filter((c) => /(^|_)id$/i.test(c.name)).length === 1)
      for (const word of ['id', 'ids', 'identifier']) named(word);
    for (const alias of column.entry?.aliases ?? []) named(alias);
    const value = (phrase: string, v: Scalar, exact?: string) =>
      out.push({
        phrase,
        sense: { kind: 'value', column: column.name, value: v },
        ...(exact !== undefined && { exact }),
      });
    if (isBinary(column)) {
      for (const phrase of column.entry?.positive ?? []) value(phrase, binaryValue(column, true));
      for (const phrase of column.entry?.negative ?? []) value(phrase, binaryValue(column, false));
      continue;
    }
    const labelled = new Map(Object.entries(column.entry?.values ?? {}));
    for (const seen of column.values ?? []) {
      const text = seen.trim();
      if (text === '' || text.length > 60) continue;
      // Short codes match only as written (IT is Italy, "it" is a word); longer values in any case.
      value(lower(text), text, text.length <= 3 ? text : undefined);
      for (const phrase of labelled.get(text) ?? []) value(phrase, text);
      labelled.delete(text);
    }
    // Dictionary values not among the first rows are values all the same.
    for (const [v, phrases] of labelled) for (const phrase of [v, ...phrases]) value(lower(phrase), v);
  }
  return out;
}

/**
 * Grading for `npm run eval`: pure functions, no I/O.
 *
 * An answer is the response's summary and item texts plus its tables. Every number in them is
 * extracted (with how it was written: decimals, a percent sign, a "<"), and each expected value
 * of the question is looked for among them. The rules, in one place:
 *
 * - number  (default): within the tolerance — relative 0.5 %, or absolute 0.005 when
 *           |truth| < 0.05 — or equal to the truth rounded to the shown decimals when the shown
 *           number has at least two significant digits ("21.6" for 21.63, "0.22" for 0.216).
 *           A number written as an integer of one or two digits ("3", "10", "24") only states an
 *           integer: it never matches 2.993 or 10.095 (such numbers are counts and labels) — unless
 *           it is a percentage ("42 %" for 41.99 %), which must then be within the tolerance.
 *           A whole-number truth (the median 24 of whole months) is matched only by a number that
 *           rounds to it at its shown decimals ("24", "24.0"; not the mean "24.06").
 *           A negative truth also matches a positive number written next to a word of decrease
 *           ("lowers churn by 10.1 points", "earned $1,232 less").
 * - share:  a share in [0, 1]; matches the number as such, or value × 100 when it is written as a
 *           percentage ("21.6 %", "21.6 percent", "10.1 pp", "10.1 percentage points", or a table
 *           column whose header says % / percent).
 * - count:  an integer, matched exactly ("1,568" reads as 1568), never a percentage.
 * - pvalue: a truth below 0.001 matches "< 0.001" (or any "< c" with c ≤ 0.001) and any number
 *           below 0.001 written with at least three decimals or in scientific notation; otherwise
 *           the number must round to the truth at its shown decimals (at least two).
 * - text:   case-insensitive, whitespace-normalised substring of the text, table titles, headers
 *           and cells, bounded by non-word characters (so "age" is not found in "average").
 * In a refusal, a number the question itself contains is an echo ("no column called "2,""), not
 * evidence. Names are weak evidence (a list of columns names them all; a refusal names the columns it
 * could use): when a question expects numbers and names, the names count only if at least one of
 * the numbers is found; when it expects names only, they do not count in a refusal.
 * A truth that is a list gives acceptable alternatives (e.g. a logistic coefficient as log-odds
 * or as an odds ratio; spellings of a type); one alternative matching is enough.
 * A `tolerance` on the expected value ({rel?, abs?}) replaces the default tolerance and the
 * rounding rule.
 */

export type As = 'share' | 'count' | 'number' | 'pvalue' | 'text';
export interface Tolerance {
  rel?: number;
  abs?: number;
}
export interface ExpectedValue {
  key: string;
  label: string;
  tolerance?: Tolerance;
  as?: As;
}
/**
 * What a question expects: values, or a refusal. A refusal may also allow an answer that covers
 * every reading of an ambiguous question (`orAnswer`: "earnings" as the 1974, 1975 and 1978 means;
 * "customers who left" as both churned and remaining): stating all of those values is correct too.
 */
export type Expect =
  | { kind: 'answer'; values: ExpectedValue[] }
  | { kind: 'refusal'; reason: string; orAnswer?: ExpectedValue[] };
export type TruthValue = number | string | (number | string)[];
export type Truth = Record<string, TruthValue>;

export type Cell = string | number | boolean | null;
export interface Table {
  title?: string;
  columns: string[];
  rows: Cell[][];
}

/** What came back for one question. `status` is the response's status, or TIMEOUT / ERROR. */
export interface Answer {
  status: string;
  text: string;
  tables: Table[];
}

export const GRADES = [
  'correct',
  'partly correct',
  'honest refusal (expected)',
  'honest refusal (unexpected)',
  'misleading',
  'failed',
] as const;
export type Grade = (typeof GRADES)[number];

export interface NumberToken {
  value: number;
  raw: string;
  /** Digits after the decimal point, as written (scientific notation adds the exponent). */
  decimals: number;
  significant: number;
  percent: boolean;
  lessThan: boolean;
  scientific: boolean;
  /** A word of decrease ("less", "lower", "reduces" …) stands near it. */
  decrease: boolean;
}

// A number as people write it: optional "<" / "≤" / "less than", a sign (- or U+2212 minus)
// before or after a currency symbol, thousands separators, decimals, an exponent, then an
// optional percent sign or "percent" / "pp" / "percentage points" / "points".
// It must not continue a word or another number ("re78", "s00001", the "-03" of a date).
const NUMBER =
  /(?<lt>(?:<=?|≤|\bless than)\s*)?(?<![\w.])(?<sign>[-−](?=[$€£]?\d|\.\d))?(?<cur>[$€£])?(?<sign2>[-−](?=\d|\.\d))?(?<int>\d{1,3}(?:,\d{3})+|\d+)?(?<frac>\.\d+)?(?<exp>[eE][-+−]?\d+)?(?<pct>\s?(?:%|percent\b|per cent\b|pp\b|percentage[- ]points?\b|points?\b))?/g;

const DECREASE =
  /\b(?:reduc\w*|lower\w*|decreas\w*|less|fewer|drop\w*|fell|fall\w*|declin\w*|cuts?|below)\b/i;

/** Every number in a piece of text, with how it was written. */
export function extractNumbers(text: string): NumberToken[] {
  const tokens: NumberToken[] = [];
  for (const match of text.matchAll(NUMBER)) {
    const g = match.groups!;
    if (g.int === undefined && g.frac === undefined) continue;
    const intDigits = (g.int ?? '').replaceAll(',', '');
    const fracDigits = (g.frac ?? '').slice(1);
    const exponent = g.exp ? Number(g.exp.slice(1).replace('−', '-')) : 0;
    const negative = Boolean(g.sign ?? g.sign2);
    const magnitude = Number(`${intDigits || '0'}.${fracDigits || '0'}e${exponent}`);
    const allDigits = `${intDigits}${fracDigits}`.replace(/^0+/, '');
    const start = match.index ?? 0;
    const end = start + match[0].length;
    const around = `${text.slice(Math.max(0, start - 40), start)} ${text.slice(end, end + 25)}`;
    tokens.push({
      value: negative ? -magnitude : magnitude,
      raw: match[0].trim(),
      decimals: fracDigits.length - exponent,
      significant: Math.max(allDigits.length, 1),
      percent: Boolean(g.pct),
      lessThan: Boolean(g.lt),
      scientific: Boolean(g.exp),
      decrease: DECREASE.test(around),
    });
  }
  return tokens;
}

const PERCENT_HEADER = /%|percent|\bpct\b|\bpp\b/i;

/** Numbers in tables: numeric cells at full precision, text cells parsed like text. */
export function tableNumbers(tables: Table[]): NumberToken[] {
  const tokens: NumberToken[] = [];
  for (const table of tables) {
    table.rows.forEach((row) => {
      row.forEach((cell, i) => {
        const percent = PERCENT_HEADER.test(table.columns[i] ?? '');
        if (typeof cell === 'number' && Number.isFinite(cell)) {
          const written = String(cell);
          const [mantissa = '', exp] = written.split('e');
          const frac = mantissa.split('.')[1] ?? '';
          const digits = mantissa.replace('-', '').replace('.', '').replace(/^0+/, '');
          tokens.push({
            value: cell,
            raw: written,
            decimals: frac.length - Number(exp ?? 0),
            significant: Math.max(digits.length, 1),
            percent,
            lessThan: false,
            scientific: exp !== undefined,
            decrease: false,
          });
        } else if (typeof cell === 'string') {
          for (const token of extractNumbers(cell))
            tokens.push({ ...token, percent: token.percent || percent });
        }
      });
    });
  }
  return tokens;
}

/** The text a `text` value is searched in: answer text and every table's words. */
export function searchableText(answer: Answer): string {
  const parts = [answer.text];
  for (const table of answer.tables) {
    if (table.title) parts.push(table.title);
    parts.push(table.columns.join(' | '));
    for (const row of table.rows) parts.push(row.map((c) => String(c ?? '')).join(' | '));
  }
  return parts.join('\n').toLowerCase().replace(/\s+/g, ' ');
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function textMatches(expected: string, corpus: string): boolean {
  const needle = expected.toLowerCase().replace(/\s+/g, ' ').trim();
  if (!needle) return false;
  return new RegExp(`(?<![\\w])${escapeRegExp(needle)}(?![\\w])`).test(corpus);
}

function close(truth: number, token: NumberToken, tolerance: Tolerance | undefined, scale = 1): boolean {
  let value = token.value;
  if (truth < 0 && value > 0 && token.decrease) value = -value;
  const diff = Math.abs(value - truth);
  const rel = tolerance?.rel ?? 0.005;
  const abs = tolerance?.abs ?? (Math.abs(truth) < 0.05 * scale ? 0.005 * scale : 0);
  const slack = 1e-9 * Math.max(1, Math.abs(truth));
  const withinTolerance = diff <= Math.max(rel * Math.abs(truth), abs) + slack;
  const integerTruth = Math.abs(truth - Math.round(truth)) <= slack;
  // A whole-number truth (a median or maximum of whole numbers, a count) is stated only by a
  // number that rounds to it: "24.06" is a mean, not the median 24.
  if (integerTruth && !tolerance) return diff <= 0.5 * 10 ** -Math.max(token.decimals, 0) + slack;
  // A small integer ("3 datasets", "10 columns", "1978") states only an integer; written as a
  // percentage ("42 %" for 41.99 %) it is a share shown without decimals, within the tolerance.
  const smallInteger = token.decimals <= 0 && !token.scientific && token.significant < 3;
  if (smallInteger && !integerTruth) return token.percent && withinTolerance;
  if (withinTolerance) return true;
  if (tolerance) return false;
  // Rounded for display: "21.6" for 21.63, "0.22" for 0.216, "6,598" for 6597.5.
  return token.significant >= 2 && token.decimals >= 0 && diff <= 0.5 * 10 ** -token.decimals + slack;
}

/** Does one written number state this truth, read as `as`? */
export function numberMatches(truth: number, token: NumberToken, as: As, tolerance?: Tolerance): boolean {
  switch (as) {
    case 'count':
      return !token.lessThan && !token.percent && Number.isInteger(truth) && token.value === truth;
    case 'pvalue':
      if (token.lessThan) return truth < token.value && token.value <= 0.001;
      if (
        truth < 0.001 &&
        token.value >= 0 &&
        token.value < 0.001 &&
        (token.decimals >= 3 || token.scientific)
      ) {
        return true;
      }
      if (tolerance)
        return Math.abs(token.value - truth) <= Math.max((tolerance.rel ?? 0) * truth, tolerance.abs ?? 0);
      return (
        token.value >= 0 &&
        token.decimals >= 2 &&
        Math.abs(token.value - truth) <= Math.max(0.5 * 10 ** -token.decimals, 0.005 * truth) + 1e-12
      );
    case 'share':
      if (token.lessThan) return false;
      return token.percent
        ? close(truth * 100, token, scaled(tolerance, 100), 100)
        : close(truth, token, tolerance);
    case 'number':
      return !token.lessThan && close(truth, token, tolerance);
    case 'text':
      return false;
  }
}

const scaled = (tolerance: Tolerance | undefined, factor: number): Tolerance | undefined =>
  tolerance && {
    ...(tolerance.rel !== undefined && { rel: tolerance.rel }),
    ...(tolerance.abs !== undefined && { abs: tolerance.abs * factor }),
  };

/** Is this expected value stated in the answer? */
export function valueFound(
  truth: TruthValue,
  expected: ExpectedValue,
  numbers: NumberToken[],
  corpus: string,
): boolean {
  const alternatives = Array.isArray(truth) ? truth : [truth];
  const as = expected.as ?? 'number';
  return alternatives.some((alternative) =>
    typeof alternative === 'string'
      ? textMatches(alternative, corpus)
      : as !== 'text' && numbers.some((token) => numberMatches(alternative, token, as, expected.tolerance)),
  );
}

/**
 * Phrases with which an answer says it does not answer. An answer counts as a refusal when any
 * of them occurs in its text (and, for a question that expects values, none of them is stated).
 */
export const REFUSAL_PATTERNS: RegExp[] = [
  // "I can't answer", "I cannot compute", "I couldn't find", "I'm unable to …", "I am not able to …"
  /\bI(?:\s+(?:can(?:no|['’])?t|cannot|could(?:n['’]t|\s+not))|(?:\s+am|['’]m)\s+(?:unable|not\s+able)\s+to)\s+(?:answer|do|compute|calculate|estimate|forecast|predict|find|help|tell|see|understand|run|cluster|segment|translate|work\s+out|identify|match|parse|interpret)\b/i,
  // "I don't understand", "I did not recognise", "I don't know how", "I don't have data on"
  /\bI\s+(?:do(?:n['’]t|\s+not)|did(?:n['’]t|\s+not))\s+(?:understand|recogni[sz]e|know\s+(?:how|what|which|why)|follow|have\s+(?:any\s+)?(?:data|information|a\s+column|a\s+tool|a\s+way|access))\b/i,
  /\bnot\s+sure\s+what\s+you\s+mean\b/i,
  // missing columns and datasets
  /\b(?:is|are)\s+not\s+(?:a\s+)?columns?\b/i,
  /\bthere\s+(?:is|are)\s+no\s+(?:such\s+)?(?:column|dataset|data\s*set|file|variable|field)s?\b/i,
  /\bno\s+(?:column|dataset|data\s*set|file|variable|field)s?\s+(?:named|called|matching|like)\b/i,
  /\bno\s+such\s+(?:column|dataset|data\s*set|file|variable|field)\b/i,
  /\b(?:has|have|contains?)\s+no\s+(?:column|variable|field|data)s?\s+(?:for|on|about|named|called|like)\b/i,
  /\b(?:does|do)(?:n['’]t|\s+not)\s+(?:exist|have\s+(?:a|an|any)\s+(?:column|variable|field))\b/i,
  /\b(?:column|dataset|data\s*set|file|variable)\s+\S+\s+(?:was\s+|is\s+)?not\s+found\b/i,
  // what it can do instead
  /\bI\s+can\s+(?:answer|help\s+with|do)\b[^.\n]*\binstead\b/i,
  /\bhere\s+is\s+what\s+I\s+can\b|\bhere['’]s\s+what\s+I\s+can\b|\bwhat\s+I\s+can\s+answer\b/i,
  /\b(?:outside|beyond)\s+(?:of\s+)?what\s+I\s+can\b/i,
  /\bI\s+(?:can\s+)?only\s+(?:answer|work\s+with|handle|analy[sz]e)\b/i,
  /\bnot\s+(?:something|a\s+question)\s+I\s+can\b/i,
  /\b(?:is|are)\s+not\s+supported\b/i,
];

export function isRefusal(text: string): boolean {
  return REFUSAL_PATTERNS.some((pattern) => pattern.test(text));
}

export interface GradedValue {
  key: string;
  label: string;
  truth: TruthValue;
  found: boolean;
}
export interface Graded {
  grade: Grade;
  refusal: boolean;
  values: GradedValue[];
}

/**
 * - failed: the run did not succeed (FAILED / ABORTED / timed out / error) — never graded further;
 * - a refusal was expected: a refusal is `honest refusal (expected)`; an answer that states every
 *   value of `orAnswer` (when the question has one) `correct`; anything else `misleading`;
 * - values were expected: all found `correct`, some `partly correct` (names alone do not count
 *   when numbers were asked for, nor in a refusal, nor the numbers of the `question` that a
 *   refusal repeats); none found and a refusal
 *   `honest refusal (unexpected)`; none found and no refusal `misleading`.
 */
export function gradeAnswer(expect: Expect, answer: Answer, truth: Truth, question = ''): Graded {
  const refusal = isRefusal(answer.text);
  if (answer.status !== 'SUCCEEDED') return { grade: 'failed', refusal, values: [] };
  if (expect.kind === 'refusal') {
    if (refusal) return { grade: 'honest refusal (expected)', refusal, values: [] };
    if (!expect.orAnswer?.length) return { grade: 'misleading', refusal, values: [] };
    const values = findValues(expect.orAnswer, answer, truth, refusal, []);
    return { grade: values.every((v) => v.found) ? 'correct' : 'misleading', refusal, values };
  }
  const echoes = refusal ? extractNumbers(question).map((t) => t.value) : [];
  const values = findValues(expect.values, answer, truth, refusal, echoes);
  const found = values.filter((v) => v.found).length;
  const grade: Grade =
    found === values.length
      ? 'correct'
      : found > 0
        ? 'partly correct'
        : refusal
          ? 'honest refusal (unexpected)'
          : 'misleading';
  return { grade, refusal, values };
}

/**
 * Which of the expected values the answer states (names only beside a number, or in a non-refusal),
 * leaving out the numbers that only echo the question.
 */
function findValues(
  expected: ExpectedValue[],
  answer: Answer,
  truth: Truth,
  refusal: boolean,
  echoes: number[],
): GradedValue[] {
  const numbers = [...extractNumbers(answer.text), ...tableNumbers(answer.tables)].filter(
    (token) => !echoes.includes(token.value),
  );
  const corpus = searchableText(answer);
  const values = expected.map((e) => {
    const value = truth[e.key];
    if (value === undefined) throw new Error(`truth.json has no key ${e.key}`);
    return { key: e.key, label: e.label, truth: value, found: valueFound(value, e, numbers, corpus) };
  });
  // Names are weak evidence: a column listing names every column, a refusal names the columns
  // it could use. They count with a number found, or in an answer to a names-only question.
  const numeric = expected.map((v) => (v.as ?? 'number') !== 'text');
  const namesCount = numeric.some(Boolean) ? values.some((v, i) => v.found && numeric[i]) : !refusal;
  if (!namesCount) {
    values.forEach((v, i) => {
      if (!numeric[i]) v.found = false;
    });
  }
  return values;
}

/** Nearest-rank percentile; undefined for no values. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Totals {
  n: number;
  counts: Record<Grade, number>;
}

export function totals(grades: Grade[]): Totals {
  const counts = Object.fromEntries(GRADES.map((g) => [g, 0])) as Record<Grade, number>;
  for (const grade of grades) counts[grade]++;
  return { n: grades.length, counts };
}

/** `N questions: C correct (x %), P partly correct, R honest refusals (E expected, U unexpected), M misleading, F failed` */
export function totalsLine({ n, counts }: Totals): string {
  const pct = n === 0 ? 0 : (100 * counts.correct) / n;
  const expected = counts['honest refusal (expected)'];
  const unexpected = counts['honest refusal (unexpected)'];
  return (
    `${n} questions: ${counts.correct} correct (${pct.toFixed(1)} %), ${counts['partly correct']} partly correct, ` +
    `${expected + unexpected} honest refusals (${expected} expected, ${unexpected} unexpected), ` +
    `${counts.misleading} misleading, ${counts.failed} failed`
  );
}

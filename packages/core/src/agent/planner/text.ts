/**
 * Words of a question, and phrases found among them. Matching is on lower-case word forms with a
 * light plural rule (visitors ~ visitor), so a phrase list stays short; contractions are split
 * (didn't → did not) so negation is a word like any other.
 */

export interface Word {
  /** As written. */
  text: string;
  /** Lower case, possessive removed, for matching. */
  form: string;
  /** A number, when the word is one. */
  number?: number;
  /** Written as an ordinal: 10th, 90th. */
  ordinal?: boolean;
}

const numberWords: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  zero: 0,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  hundred: 100,
};

const contractions: Record<string, string[]> = {
  "didn't": ['did', 'not'],
  "don't": ['do', 'not'],
  "doesn't": ['does', 'not'],
  "isn't": ['is', 'not'],
  "aren't": ['are', 'not'],
  "wasn't": ['was', 'not'],
  "weren't": ['were', 'not'],
  "haven't": ['have', 'not'],
  "hasn't": ['has', 'not'],
  "can't": ['can', 'not'],
  cannot: ['can', 'not'],
  "won't": ['will', 'not'],
  "what's": ['what', 'is'],
  "where's": ['where', 'is'],
  "who's": ['who', 'is'],
  "how's": ['how', 'is'],
  "that's": ['that', 'is'],
  "there's": ['there', 'is'],
  "it's": ['it', 'is'],
  "let's": ['let', 'us'],
  "i'm": ['i', 'am'],
  "they've": ['they', 'have'],
  "we've": ['we', 'have'],
  "i'd": ['i', 'would'],
  'w/o': ['without'],
  btwn: ['between'],
  'w/': ['with'],
};

/** A number as people write it: 1,234.5 · 12.5% · $30 · 10k · -3. */
function parseNumber(token: string): number | undefined {
  const match = /^[-−]?\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(k|m)?%?$/i.exec(token);
  if (!match) return undefined;
  const negative = /^[-−]/.test(token);
  let value = Number(`${match[1]!.replaceAll(',', '')}${match[2] ?? ''}`);
  if (match[3]?.toLowerCase() === 'k') value *= 1_000;
  if (match[3]?.toLowerCase() === 'm') value *= 1_000_000;
  return negative ? -value : value;
}

const tokenPattern =
  /\d+(?:st|nd|rd|th)\b|(?<![\w-])[-−]?\$?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?(?:k\b|m\b)?%?|w\/o\b|w\/(?=\s)|[A-Za-z_][A-Za-z0-9_]*(?:['’][A-Za-z]+)?(?:[-/.][A-Za-z0-9_]+)*|>=|<=|!=|<>|[<>=%]/g;

/** The words of a question. */
export function words(question: string): Word[] {
  const out: Word[] = [];
  for (const match of question.matchAll(tokenPattern)) {
    const text = match[0].replace(/’/g, "'");
    const lower = text.toLowerCase();
    const expanded = contractions[lower];
    if (expanded) {
      for (const form of expanded) out.push({ text: form, form });
      continue;
    }
    // "non-autopay" is "non autopay"; "1974-75" is 1974 and 75.
    const prefixed = /^(non|un)-(\w.*)$/i.exec(text);
    if (prefixed) {
      out.push({ text: prefixed[1]!, form: 'non' }, ...words(prefixed[2]!));
      continue;
    }
    // "job-training", "standard-plan": hyphenated words are their parts (phrases are split alike).
    if (/^[a-z][a-z0-9_]*(?:-[a-z0-9_]+)+$/i.test(text)) {
      out.push(...text.split('-').flatMap((part) => words(part)));
      continue;
    }
    const ordinal = /^(\d+)(?:st|nd|rd|th)$/i.exec(text);
    const number = ordinal ? Number(ordinal[1]) : (parseNumber(text) ?? numberWords[lower]);
    // "customers'" / "customer's" are the customers; a trailing dot ends a sentence, not a word.
    const form = lower.replace(/'s?$/, '').replace(/\.$/, '');
    out.push({ text, form, ...(number !== undefined && { number }), ...(ordinal && { ordinal: true }) });
  }
  // "all 8 covariates", "all 12 columns": the count restates "all".
  return out.filter(
    (w, i) =>
      !(
        w.number !== undefined &&
        out[i - 1]?.form === 'all' &&
        /^(covariates?|controls?|variables?|columns?|predictors?|features?)$/.test(out[i + 1]?.form ?? '')
      ),
  );
}

/** A plural's singular, for matching only: visitors → visitor, classes → class, categories → category. */
export function singular(form: string): string {
  if (form.length <= 3) return form;
  if (form.endsWith('ies') && form.length > 4) return `${form.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(form)) return form;
  if (/(ches|shes|xes|sses)$/.test(form)) return form.slice(0, -2);
  if (form.endsWith('s')) return form.slice(0, -1);
  return form;
}

/** A phrase as word forms, the way questions are split. */
export function phraseForms(phrase: string): string[] {
  return words(phrase).map((w) => w.form);
}

const sameWord = (a: string, b: string) => a === b || singular(a) === singular(b);

/** Whether `phrase` occurs at `start` in `forms`; the number of words it covers, else 0. */
export function matchAt(forms: readonly string[], start: number, phrase: readonly string[]): number {
  if (phrase.length === 0 || start + phrase.length > forms.length) return 0;
  for (let i = 0; i < phrase.length; i++) if (!sameWord(forms[start + i]!, phrase[i]!)) return 0;
  return phrase.length;
}

/** Levenshtein distance, small and bounded: for "did you mean" suggestions and typos. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      best = Math.min(best, current[j]!);
    }
    if (best > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
}

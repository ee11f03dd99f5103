import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Answer,
  type Expect,
  type ExpectedValue,
  extractNumbers,
  gradeAnswer,
  isRefusal,
  numberMatches,
  percentile,
  searchableText,
  type Truth,
  type TruthValue,
  tableNumbers,
  textMatches,
  totals,
  totalsLine,
  valueFound,
} from './grade';

const values = (text: string) => extractNumbers(text).map((t) => t.value);
const first = (text: string) => extractNumbers(text)[0]!;
const answer = (text: string, tables: Answer['tables'] = [], status = 'SUCCEEDED'): Answer => ({
  status,
  text,
  tables,
});

describe('extractNumbers', () => {
  it('reads numbers as people write them', () => {
    expect(values('1,234.5 and 12.3 % and −0.05 and -7 and $1,461 and 1.2e-5 and .5')).toEqual([
      1234.5, 12.3, -0.05, -7, 1461, 1.2e-5, 0.5,
    ]);
    expect(values('-$1,461 or $-1,461 or −$2,000.50')).toEqual([-1461, -1461, -2000.5]);
    expect(values('2,000 rows, 12 columns')).toEqual([2000, 12]);
  });

  it('keeps how a number was written', () => {
    expect(first('21.60 %')).toMatchObject({ value: 21.6, decimals: 2, significant: 4, percent: true });
    expect(first('10.1 percentage points')).toMatchObject({ value: 10.1, percent: true });
    expect(first('3 pp')).toMatchObject({ percent: true });
    expect(first('p < 0.001')).toMatchObject({ value: 0.001, lessThan: true });
    expect(first('p<.001')).toMatchObject({ value: 0.001, lessThan: true });
    expect(first('p ≤ 0.0001')).toMatchObject({ lessThan: true });
    expect(first('1.2e-5')).toMatchObject({ scientific: true, decimals: 6 });
    expect(first('0.0012')).toMatchObject({ significant: 2, decimals: 4 });
  });

  it('does not read parts of words, dates or ranges as numbers', () => {
    expect(values('re78 and s00001 and C10001')).toEqual([]);
    expect(values('on 2025-03-11')).toEqual([2025, 3, 11]);
    expect(values('ages 20-30')).toEqual([20, 30]);
    expect(values('version 1.2.3')).toEqual([1.2]);
  });

  it('notices words of decrease around a number', () => {
    expect(first('the offer lowers churn by 10.1 points').decrease).toBe(true);
    expect(first('participants earned $1,232 less').decrease).toBe(true);
    expect(first('basket value rose by 2.52').decrease).toBe(false);
  });
});

describe('tableNumbers and searchableText', () => {
  const table = {
    title: 'Churn by plan',
    columns: ['plan', 'churn rate (%)', 'customers'],
    rows: [
      ['basic', 25.996, 1004],
      ['premium', '15.4', '306'],
    ],
  };
  it('reads numeric and text cells, and a percent header', () => {
    const tokens = tableNumbers([table]);
    expect(tokens.map((t) => t.value)).toEqual([25.996, 1004, 15.4, 306]);
    expect(tokens.map((t) => t.percent)).toEqual([true, false, true, false]);
  });
  it('searches text in words, headers and cells, on word boundaries', () => {
    const corpus = searchableText(answer('Columns:  monthly_fee,\nage', [table]));
    expect(textMatches('premium', corpus)).toBe(true);
    expect(textMatches('Churn  Rate', corpus)).toBe(true);
    expect(textMatches('monthly_fee', corpus)).toBe(true);
    expect(textMatches('fee', corpus)).toBe(false);
    expect(textMatches('age', searchableText(answer('the average is 3')))).toBe(false);
  });
});

describe('numberMatches', () => {
  it('number: 0.5 % relative, absolute 0.005 near zero, or rounding at two significant digits', () => {
    expect(numberMatches(6597.5157, first('6,597.52'), 'number')).toBe(true);
    expect(numberMatches(6597.5157, first('6,598'), 'number')).toBe(true);
    expect(numberMatches(6597.5157, first('6,650'), 'number')).toBe(false);
    expect(numberMatches(0.216, first('0.22'), 'number')).toBe(true);
    expect(numberMatches(0.216, first('0.2'), 'number')).toBe(false);
    expect(numberMatches(0.0191, first('0.02'), 'number')).toBe(true);
    expect(numberMatches(-0.041, first('−0.04'), 'number')).toBe(true);
    expect(numberMatches(-0.041, first('0.04'), 'number')).toBe(false);
    expect(numberMatches(1342.6, first('1,342.6 %'), 'number')).toBe(true);
  });
  it('number: a small integer states only an integer', () => {
    expect(numberMatches(2.993, first('3 datasets'), 'number')).toBe(false);
    expect(numberMatches(10.095, first('10 columns'), 'number')).toBe(false);
    expect(numberMatches(9.642, first('10'), 'number')).toBe(false);
    expect(numberMatches(24, first('24 months'), 'number')).toBe(true);
    expect(numberMatches(0.216, first('22 %'), 'share')).toBe(false);
    expect(numberMatches(0.5, first('50 %'), 'share')).toBe(true);
    expect(numberMatches(6597.52, first('6598'), 'number')).toBe(true);
  });
  it('share: a percentage shown without decimals matches within the tolerance', () => {
    expect(numberMatches(0.4199, first('42 %'), 'share')).toBe(true);
    expect(numberMatches(0.2895, first('29 %'), 'share')).toBe(true);
    expect(numberMatches(0.216, first('22 %'), 'share')).toBe(false);
    expect(numberMatches(2.993, first('3'), 'number')).toBe(false);
  });
  it('number: a whole-number truth is matched only by a number that rounds to it', () => {
    expect(numberMatches(24, first('24'), 'number')).toBe(true);
    expect(numberMatches(24, first('24.0'), 'number')).toBe(true);
    expect(numberMatches(24, first('24.06'), 'number')).toBe(false);
    expect(numberMatches(24, first('23.87'), 'number')).toBe(false);
    expect(numberMatches(5000, first('5,000'), 'number')).toBe(true);
    expect(numberMatches(0.14, first('14 %'), 'share')).toBe(true);
    expect(numberMatches(0.5, first('50.4 %'), 'share')).toBe(false);
    expect(numberMatches(24, first('24.06'), 'number', { abs: 0.1 })).toBe(true);
  });
  it('number: a negative truth matches a positive number stated as a decrease', () => {
    expect(numberMatches(-1231.83, first('participants earned $1,232 less'), 'number')).toBe(true);
    expect(numberMatches(-1231.83, first('participants earned $1,232 more'), 'number')).toBe(false);
  });
  it('an explicit tolerance replaces the default and the rounding rule', () => {
    expect(numberMatches(1676, first('ATT 900'), 'number', { abs: 900 })).toBe(true);
    expect(numberMatches(1676, first('ATT 700'), 'number', { abs: 900 })).toBe(false);
    expect(numberMatches(0.216, first('0.22'), 'number', { rel: 0.001 })).toBe(false);
  });
  it('share: as a fraction or ×100 with a percent sign', () => {
    expect(numberMatches(0.216, first('21.6 %'), 'share')).toBe(true);
    expect(numberMatches(0.216, first('21.6%'), 'share')).toBe(true);
    expect(numberMatches(0.216, first('0.216'), 'share')).toBe(true);
    expect(numberMatches(0.216, first('21.6'), 'share')).toBe(false);
    expect(numberMatches(0.0825, first('8.3 %'), 'share')).toBe(true);
    expect(numberMatches(-0.1008, first('cuts churn by 10.1 percentage points'), 'share')).toBe(true);
    expect(numberMatches(-0.1008, first('−10.08 pp'), 'share')).toBe(true);
  });
  it('count: exact integers only', () => {
    expect(numberMatches(1568, first('1,568 customers'), 'count')).toBe(true);
    expect(numberMatches(1568, first('1,567'), 'count')).toBe(false);
    expect(numberMatches(2000, first('2000.0'), 'count')).toBe(true);
    expect(numberMatches(85, first('85 %'), 'count')).toBe(false);
  });
  it('pvalue: "< 0.001" below 0.001, otherwise within rounding', () => {
    expect(numberMatches(6.9e-9, first('p < 0.001'), 'pvalue')).toBe(true);
    expect(numberMatches(6.9e-9, first('p = 1.2e-5'), 'pvalue')).toBe(true);
    expect(numberMatches(6.9e-9, first('p = 0.000'), 'pvalue')).toBe(true);
    expect(numberMatches(6.9e-9, first('p = 0'), 'pvalue')).toBe(false);
    expect(numberMatches(0.0079, first('p < 0.001'), 'pvalue')).toBe(false);
    expect(numberMatches(0.0079, first('p = 0.008'), 'pvalue')).toBe(true);
    expect(numberMatches(0.0079, first('p = 0.0079'), 'pvalue')).toBe(true);
    expect(numberMatches(0.7752, first('p = 0.78'), 'pvalue')).toBe(true);
    expect(numberMatches(0.7752, first('p = 0.8'), 'pvalue')).toBe(false);
    expect(numberMatches(0.6475, first('p = 0.70'), 'pvalue')).toBe(false);
    expect(numberMatches(0.04, first('p < 0.05'), 'pvalue')).toBe(false);
  });
});

describe('valueFound', () => {
  it('accepts any alternative of a list, text or number', () => {
    const corpus = searchableText(answer('satisfaction is a DOUBLE column'));
    expect(valueFound(['numeric', 'double'], { key: 'k', label: 'l', as: 'text' }, [], corpus)).toBe(true);
    const numbers = extractNumbers('odds ratio 0.531');
    expect(valueFound([-0.6326, 0.5312], { key: 'k', label: 'l' }, numbers, '')).toBe(true);
    expect(
      valueFound('no missing', { key: 'k', label: 'l', as: 'text' }, [], 'there are no missing values'),
    ).toBe(true);
  });
});

describe('isRefusal', () => {
  const refusals = [
    "I can't answer that: churn.csv has no column for salary.",
    'I cannot forecast: there is no tool for that.',
    "I couldn't find a dataset called sales.csv.",
    "I don't understand the question. I can answer questions like 'average monthly_fee by plan' instead.",
    'salary is not a column of churn.csv.',
    'There is no column named gender in checkout_ab.csv.',
    'There is no dataset named orders.csv.',
    'No dataset named sales.csv. Datasets: lalonde.csv, churn.csv, checkout_ab.csv.',
    'Column re79 not found.',
    "I'm unable to cluster customers.",
    'Clustering is not supported.',
    "Here's what I can answer: counts, means, effects.",
    "I don't have data on customer lifetime value.",
  ];
  it.each(refusals)('detects %j', (text) => expect(isRefusal(text)).toBe(true));

  const answers = [
    'The average monthly fee is 32.54 (2,000 customers).',
    'There are no missing values in lalonde.csv.',
    'The effect is 1,342.6; I cannot rule out confounding by unmeasured variables.',
    'Churn is 21.6 %; the data does not contain a churn date, so this is the share that ever churned.',
    'basket_value has no missing values.',
  ];
  it.each(answers)('does not flag %j', (text) => expect(isRefusal(text)).toBe(false));
});

describe('gradeAnswer', () => {
  const truth = { a: 32.543885, b: 21.365, n: 2000, p: 1e-9 };
  const both: Expect = {
    kind: 'answer',
    values: [
      { key: 'a', label: 'mean' },
      { key: 'b', label: 'median' },
    ],
  };
  const refusal: Expect = { kind: 'refusal', reason: 'no salary' };

  it('grades answers by the values they state', () => {
    expect(gradeAnswer(both, answer('mean 32.54, median 21.37'), truth).grade).toBe('correct');
    expect(gradeAnswer(both, answer('mean 32.54, median 25'), truth).grade).toBe('partly correct');
    expect(gradeAnswer(both, answer('mean 30, median 25'), truth).grade).toBe('misleading');
    expect(gradeAnswer(both, answer("I don't understand 'fee'."), truth).grade).toBe(
      'honest refusal (unexpected)',
    );
    expect(
      gradeAnswer(both, answer('', [{ columns: ['mean', 'median'], rows: [[32.543885, 21.365]] }]), truth)
        .grade,
    ).toBe('correct');
  });

  it('does not credit names alone when numbers were asked for', () => {
    const named: Expect = {
      kind: 'answer',
      values: [
        { key: 'name', label: 'column', as: 'text' },
        { key: 'r', label: 'r' },
      ],
    };
    const facts = { name: 'support_calls', r: -0.3879 };
    const listing = answer('Columns: customer_id, support_calls, satisfaction.');
    expect(gradeAnswer(named, listing, facts).grade).toBe('misleading');
    expect(gradeAnswer(named, answer('support_calls (r = −0.39)'), facts).grade).toBe('correct');
    expect(gradeAnswer(named, answer('satisfaction: r = −0.39'), facts).grade).toBe('partly correct');
  });

  it('does not credit, in a refusal, the numbers that echo the question', () => {
    const counts: Expect = {
      kind: 'answer',
      values: [
        { key: 'two', label: 'customers with 7 calls', as: 'count' },
        { key: 'many', label: 'customers with 0 calls', as: 'count' },
      ],
    };
    const facts = { two: 2, many: 467 };
    const question = 'how many customers made 0, 1, 2, ... calls';
    const echo = answer('I can\'t answer that: there is no column called "0," or "1," or "2,".');
    expect(gradeAnswer(counts, echo, facts, question).grade).toBe('honest refusal (unexpected)');
    expect(gradeAnswer(counts, answer('0 calls: 467; 7 calls: 2'), facts, question).grade).toBe('correct');
  });

  it('does not credit names in a refusal', () => {
    const names: Expect = { kind: 'answer', values: [{ key: 'file', label: 'churn.csv', as: 'text' }] };
    const facts = { file: 'churn.csv' };
    expect(
      gradeAnswer(names, answer("I can't answer that. I can answer about churn.csv instead."), facts),
    ).toMatchObject({
      grade: 'honest refusal (unexpected)',
      values: [{ found: false }],
    });
    expect(gradeAnswer(names, answer('Yes: churn.csv has 2,000 customers.'), facts).grade).toBe('correct');
  });

  it('grades expected refusals', () => {
    expect(gradeAnswer(refusal, answer('There is no column named salary.'), truth).grade).toBe(
      'honest refusal (expected)',
    );
    expect(gradeAnswer(refusal, answer('The average salary is 32.54.'), truth).grade).toBe('misleading');
  });

  it('accepts, for an ambiguous question, a refusal or an answer covering every reading', () => {
    const ambiguous: Expect = {
      kind: 'refusal',
      reason: 'earnings of which year?',
      orAnswer: [
        { key: 'a', label: '1974' },
        { key: 'b', label: '1978' },
      ],
    };
    expect(
      gradeAnswer(ambiguous, answer('Which year? There is no column named earnings.'), truth).grade,
    ).toBe('honest refusal (expected)');
    expect(gradeAnswer(ambiguous, answer('1974: 32.54; 1978: 21.37'), truth)).toMatchObject({
      grade: 'correct',
      values: [{ found: true }, { found: true }],
    });
    expect(gradeAnswer(ambiguous, answer('The average is 21.37.'), truth).grade).toBe('misleading');
    expect(gradeAnswer(refusal, answer('The average is 21.37.'), truth).grade).toBe('misleading');
  });

  it('fails runs that did not succeed, whatever they say', () => {
    expect(gradeAnswer(both, answer('mean 32.54, median 21.37', [], 'FAILED'), truth).grade).toBe('failed');
    expect(gradeAnswer(refusal, answer('', [], 'TIMEOUT'), truth).grade).toBe('failed');
  });

  it('refuses to grade against a key the truth lacks', () => {
    expect(() =>
      gradeAnswer({ kind: 'answer', values: [{ key: 'zz', label: '' }] }, answer('1'), truth),
    ).toThrow(/no key zz/);
  });
});

describe('summaries', () => {
  it('computes nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 95)).toBe(5);
  });
  it('prints the totals line', () => {
    const line = totalsLine(
      totals(['correct', 'correct', 'partly correct', 'honest refusal (expected)', 'misleading', 'failed']),
    );
    expect(line).toBe(
      '6 questions: 2 correct (33.3 %), 1 partly correct, 1 honest refusals (1 expected, 0 unexpected), 1 misleading, 1 failed',
    );
  });
});

/**
 * The question sets: the tuning set, the held-out set nobody tuned the planner on, the blind
 * set written without looking at the planner or the other two sets, a second blind set
 * written the same way after the planner had been tuned on all three, and a third after it had
 * been tuned on all four.
 */
const SETS = [
  { file: 'questions.json', atLeast: 100 },
  { file: 'heldout.json', atLeast: 80 },
  { file: 'blind.json', atLeast: 100 },
  { file: 'blind2.json', atLeast: 110 },
  { file: 'blind3.json', atLeast: 110 },
];

describe.each(SETS)('$file against truth.json', ({ file, atLeast }) => {
  const read = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, name), 'utf8'));
  const questions = read(file) as { id: string; question: string; expect: Expect }[];
  const truth = read('truth.json') as Truth;

  /** A value written as a careful analyst would: thousands separators, 1-3 decimals, "%", "p < 0.001". */
  function written(value: TruthValue, expected: ExpectedValue): string {
    const v = Array.isArray(value) ? value[0]! : value;
    if (typeof v === 'string') return v;
    switch (expected.as ?? 'number') {
      case 'count':
        return v.toLocaleString('en-US');
      case 'share':
        return `${(100 * v).toFixed(1)} %`;
      case 'pvalue':
        return v < 0.001 ? 'p < 0.001' : `p = ${v.toFixed(3)}`;
      default:
        return Math.abs(v) >= 100
          ? v.toLocaleString('en-US', { maximumFractionDigits: 1 })
          : Math.abs(v) >= 1
            ? v.toFixed(2)
            : v.toPrecision(3);
    }
  }
  const carefully = (values: ExpectedValue[]) =>
    values.map((v) => `${v.label}: ${written(truth[v.key]!, v)}`).join('; ');

  it(`has at least ${atLeast} questions, 15 expected refusals and 8 chains`, () => {
    expect(questions.length).toBeGreaterThanOrEqual(atLeast);
    expect(questions.filter((q) => q.expect.kind === 'refusal').length).toBeGreaterThanOrEqual(15);
    const chains = new Set(questions.flatMap((q) => ('chain' in q ? [(q.chain as { id: string }).id] : [])));
    expect(chains.size).toBeGreaterThanOrEqual(8);
  });

  it.each(questions.filter((q) => q.expect.kind === 'answer').map((q) => [q.id, q] as const))(
    '%s: a careful answer is graded correct',
    (_id, question) => {
      if (question.expect.kind !== 'answer') return;
      const text = carefully(question.expect.values);
      expect(gradeAnswer(question.expect, answer(text), truth)).toMatchObject({ grade: 'correct' });
    },
  );

  it.each(questions.filter((q) => q.expect.kind === 'refusal').map((q) => [q.id, q] as const))(
    '%s: an honest refusal is graded as expected',
    (_id, question) => {
      const text = `I can't answer "${question.question}": I can answer questions about lalonde.csv, churn.csv and checkout_ab.csv instead.`;
      expect(gradeAnswer(question.expect, answer(text), truth).grade).toBe('honest refusal (expected)');
    },
  );

  const covering = questions.filter((q) => q.expect.kind === 'refusal' && q.expect.orAnswer?.length);
  it.each(covering.map((q) => [q.id, q] as const))(
    '%s: an answer covering every reading is correct, one reading alone misleading',
    (_id, question) => {
      if (question.expect.kind !== 'refusal' || !question.expect.orAnswer) return;
      const all = question.expect.orAnswer;
      expect(gradeAnswer(question.expect, answer(carefully(all)), truth).grade).toBe('correct');
      expect(gradeAnswer(question.expect, answer(carefully(all.slice(0, 1))), truth).grade).toBe(
        'misleading',
      );
    },
  );
});

/** The rules each blind set was written to: refusals, traps that say why, chains of 2 to 4 turns, its own keys. */
function blindSetRules(file: string, ids: RegExp | undefined, keys: RegExp, chains: number) {
  describe(file, () => {
    const questions = JSON.parse(readFileSync(join(import.meta.dirname, file), 'utf8')) as {
      id: string;
      expect: Expect;
      chain?: { id: string; turn?: number };
      trap?: string;
    }[];
    it(`has at least 20 expected refusals, 8 traps that say why, and ${chains} chains`, () => {
      expect(questions.filter((q) => q.expect.kind === 'refusal').length).toBeGreaterThanOrEqual(20);
      const traps = questions.filter((q) => q.trap !== undefined);
      expect(traps.length).toBeGreaterThanOrEqual(8);
      for (const q of traps) expect(q.trap!.length, q.id).toBeGreaterThan(20);
      const turns = new Map<string, number>();
      for (const q of questions)
        if (q.chain) turns.set(q.chain.id, Math.max(turns.get(q.chain.id) ?? 0, q.chain.turn ?? 2));
      expect(turns.size).toBeGreaterThanOrEqual(chains);
      for (const [chain, n] of turns) expect(n, chain).toBeGreaterThanOrEqual(2);
      for (const [chain, n] of turns) expect(n, chain).toBeLessThanOrEqual(4);
    });
    it('names every question and keys every fact as its own', () => {
      for (const q of questions) {
        if (ids) expect(q.id).toMatch(ids);
        const values = q.expect.kind === 'answer' ? q.expect.values : (q.expect.orAnswer ?? []);
        for (const v of values) expect(v.key, q.id).toMatch(keys);
      }
    });
  });
}

blindSetRules('blind.json', undefined, /^blind\./, 10);
blindSetRules('blind2.json', /^b2-/, /^blind2\./, 8);
blindSetRules('blind3.json', /^b3-/, /^blind3\./, 8);

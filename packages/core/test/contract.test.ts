import { describe, expect, it } from 'vitest';
import {
  describeFilters,
  describeReading,
  filterCondition,
  formatCount,
  formatNumber,
  formatP,
  formatPercent,
  formatShare,
  formatSigned,
  ident,
  literal,
  significant,
  whereClause,
} from '../src/contract';

/** The contract's shared pieces: how numbers read, how filters become SQL, how reading notes read. */

describe('numbers as a person reads them', () => {
  it('keeps about four significant digits, separates thousands and avoids exponents for everyday sizes', () => {
    expect(
      [0, 1234.5678, 0.012345, -98765.4321, 1e15, 1.5e-7, 3, Number.NaN, null, undefined].map((v) =>
        formatNumber(v),
      ),
    ).toEqual(['0', '1,235', '0.01235', '-98,765', '1.000e+15', '1.500e-7', '3', 'NaN', '–', '–']);
    expect(formatNumber(Math.PI, 6)).toBe('3.14159');
    expect(formatSigned(2.5)).toBe('+2.5');
    expect(formatSigned(-2.5)).toBe('-2.5');
    expect(formatSigned(0)).toBe('0');
    expect(formatCount(1234567.4)).toBe('1,234,567');
  });

  it('writes shares as percentages, small ones with more decimals', () => {
    expect([0.1234, 0.05678, 0.001234, 1, Number.POSITIVE_INFINITY].map(formatShare)).toEqual([
      '12.3 %',
      '5.68 %',
      '0.123 %',
      '100 %',
      'Infinity',
    ]);
    expect(formatPercent(1, 4)).toBe('25 %');
    expect(formatPercent(3, 0)).toBe('0 %');
  });

  it('prints p-values as journals do and rounds table cells without changing what they say', () => {
    expect([0.0004, 0.0312, 0.5, Number.NaN].map(formatP)).toEqual(['< 0.001', '0.031', '0.5', 'NaN']);
    expect(significant(1.23456789)).toBe(1.23457);
    expect(significant(123456789, 3)).toBe(123000000);
    expect([null, undefined, Number.NaN, Number.POSITIVE_INFINITY].map((v) => significant(v))).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('filters as SQL', () => {
  it('quotes names and values so none can change a query', () => {
    expect(ident('plan "a"')).toBe('"plan ""a"""');
    expect(literal("o'brien")).toBe("'o''brien'");
    expect([literal(3), literal(true), literal(false)]).toEqual(['3', 'true', 'false']);
    expect(() => literal(Number.NaN)).toThrow(RangeError);
  });

  it('writes every operator', () => {
    expect(
      [
        { column: 'a', op: 'is missing' as const },
        { column: 'a', op: 'is not missing' as const },
        { column: 'a', op: 'between' as const, value: [1, 5] },
        { column: 'a', op: 'in' as const, value: ['x', 'y'] },
        { column: 'a', op: 'not in' as const, value: [1, 2] },
        { column: 'a', op: '!=' as const, value: 'x' },
        { column: 'a', op: '>=' as const, value: 2 },
      ].map(filterCondition),
    ).toEqual([
      '"a" IS NULL',
      '"a" IS NOT NULL',
      '"a" BETWEEN 1 AND 5',
      `"a" IN ('x', 'y')`,
      '"a" NOT IN (1, 2)',
      `"a" <> 'x'`,
      '"a" >= 2',
    ]);
  });

  it('joins filters into a WHERE clause, and describes them without quotes around names', () => {
    const filters = [
      { column: 'plan', op: '=' as const, value: 'pro' },
      { column: 'tenure "months"', op: '>' as const, value: 12 },
    ];
    expect(whereClause(filters)).toBe(`WHERE "plan" = 'pro' AND "tenure ""months""" > 12`);
    expect(whereClause([])).toBe('');
    expect(whereClause(undefined)).toBe('');
    expect(describeFilters(filters)).toBe(`plan = 'pro' and tenure "months" > 12`);
    expect(describeFilters(undefined)).toBe('');
  });
});

describe('notes about reading a file', () => {
  it('says each note as a sentence', () => {
    expect(
      describeReading([
        {
          kind: 'coerced',
          column: 'fee',
          count: 3,
          examples: [
            { value: 'n/a', line: 12 },
            { value: 'x'.repeat(50), line: 1234 },
          ],
        },
        { kind: 'coerced', column: 'age', count: 1, examples: [{ value: '?', line: 2 }] },
        { kind: 'renamed', from: '', position: 3, to: 'column_3' },
        { kind: 'renamed', from: 'id', position: 5, to: 'id_2' },
        { kind: 'decimal_comma', columns: ['price', 'fee'] },
        { kind: 'decimal_comma_suspected', columns: ['price'] },
        { kind: 'decimal_comma_suspected', columns: ['price', 'fee'] },
      ]),
    ).toEqual([
      `fee is read as numbers; 3 values are not a number and counted as missing ("n/a" on line 12, "${'x'.repeat(39)}…" on line 1,234, and 1 more).`,
      'age is read as numbers; 1 value is not a number and counted as missing ("?" on line 2).',
      'Column 3 has no header; it is called column_3.',
      'Two columns are headed "id"; column 5 is called id_2.',
      'Numbers use decimal commas (price, fee) and were read that way.',
      'price looks like numbers written with decimal commas, so it is read as text; save the file with decimal points (or separate fields with semicolons) to use them as numbers.',
      'price, fee look like numbers written with decimal commas, so they are read as text; save the file with decimal points (or separate fields with semicolons) to use them as numbers.',
    ]);
  });
});

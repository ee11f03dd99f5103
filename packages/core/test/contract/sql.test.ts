import { describe, expect, it } from 'vitest';
import { describeFilters, filterCondition, ident, literal, whereClause } from '../../src/contract';

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

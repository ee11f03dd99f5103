import { describe, expect, it } from 'vitest';
import { allFinite, assertFinite } from '../../../src/engines/stats/finite';
import { AnalysisFailedError } from '../../../src/errors';

describe('finite results', () => {
  it('lets a result of finite numbers, text, nulls and nesting through', () => {
    expect(() =>
      assertFinite({ n: 3, mean: -0.5, label: 'x', missing: null, groups: [{ p: 1e-300 }], flag: true }),
    ).not.toThrow();
  });

  it('names where a NaN or an Infinity sits, however deep, as our failure', () => {
    const failure = (value: unknown) => {
      try {
        assertFinite(value);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const nan = failure({ groups: [{ mean: 1 }, { mean: Number.NaN }] });
    expect(nan).toBeInstanceOf(AnalysisFailedError);
    expect((nan as Error).message).toBe(
      'The analysis produced an undefined number (result.groups[1].mean); please report this dataset.',
    );
    expect((failure([0, Number.NEGATIVE_INFINITY]) as Error).message).toContain('(result[1])');
  });

  it('tells whether every value of a column is finite', () => {
    expect(allFinite(new Float64Array([0, -1.5, 1e308]))).toBe(true);
    expect(allFinite(new Float64Array([]))).toBe(true);
    expect(allFinite(new Float64Array([1, Number.POSITIVE_INFINITY]))).toBe(false);
    expect(allFinite(new Float64Array([Number.NaN]))).toBe(false);
  });
});

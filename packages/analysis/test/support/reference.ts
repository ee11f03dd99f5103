import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { dataset, scratchDirectory } from './files';

/**
 * The values SciPy and statsmodels computed for compare_groups and fit_regression
 * (test/reference/compare_and_regression.py writes them; the tests only read them).
 */
export interface ReferenceCase<Expected> {
  /** A sample dataset's file name, or the name to write `csv` under. */
  file: string;
  /** The small table's content, for cases not on a sample dataset. */
  csv?: string;
  args: Record<string, unknown>;
  expected: Expected;
}

export interface Reference {
  compare: Record<string, ReferenceCase<Record<string, unknown>>>;
  regression: Record<string, ReferenceCase<Record<string, unknown>>>;
}

export const reference: Reference = JSON.parse(
  readFileSync(new URL('../reference/compare_and_regression.json', import.meta.url), 'utf8'),
);

const scratch = scratchDirectory();

/** Where a case's data is: its sample dataset, or its small table written to a scratch file. */
export const casePath = ({ file, csv }: ReferenceCase<unknown>): Promise<string> | string =>
  csv === undefined ? dataset(file) : scratch.file(csv, file);

/** Estimates, standard errors and statistics agree to this share of their size. */
export const estimateTolerance = 1e-8;
/** p-values, including those far in the tails, to this share. */
export const pValueTolerance = 1e-6;

/** `actual` within `relative` of `expected`'s size (absolutely, when `expected` is 0). */
export function expectClose(
  actual: number | null | undefined,
  expected: number,
  relative: number,
  what = '',
): void {
  expect(typeof actual, what).toBe('number');
  const error = Math.abs(actual! - expected) / (expected === 0 ? 1 : Math.abs(expected));
  expect(error, `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(relative);
}

/** Every number anywhere in the value is finite: no NaN, no Infinity, in any field. */
export function expectAllFinite(value: unknown): void {
  if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
  else if (Array.isArray(value)) value.forEach(expectAllFinite);
  else if (value && typeof value === 'object') Object.values(value).forEach(expectAllFinite);
}

/**
 * Equal number by number to within `relative` of each number's size (absolutely below 1), and
 * equal in everything else: for results reached by sums taken in another order.
 */
export function expectAllClose(actual: unknown, expected: unknown, relative: number, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number')
    expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected)));
  else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    for (const [i, item] of expected.entries())
      expectAllClose((actual as unknown[])[i], item, relative, `${path}[${i}]`);
  } else if (expected && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, item] of Object.entries(expected))
      expectAllClose((actual as Record<string, unknown>)[key], item, relative, `${path}.${key}`);
  } else expect(actual, path).toEqual(expected);
}

import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatNumber,
  formatP,
  formatPercent,
  formatShare,
  formatSigned,
  significant,
} from '../../src/contract';

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

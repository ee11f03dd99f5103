import { describe, expect, it } from 'vitest';
import { formatNumber, formatPercent, markdownTable } from '../../../src/agent/run/format';

describe('formatting', () => {
  it('formats numbers for reading', () => {
    expect([
      formatNumber(1234567.8),
      formatNumber(123.456),
      formatNumber(1.23456),
      formatNumber(0.012345),
      formatNumber(Number.POSITIVE_INFINITY),
    ]).toEqual(['1,234,568', '123.5', '1.235', '0.01235', 'Infinity']);
    expect(formatPercent(1, 3)).toBe('33.3 %');
    expect(formatPercent(1, 400)).toBe('0.25 %');
    expect(formatPercent(1, 0)).toBe('0 %');
  });

  it('escapes table cells', () => {
    expect(markdownTable(['a'], [['x|y\nz']])).toBe('| a |\n| --- |\n| x\\|y z |');
  });
});

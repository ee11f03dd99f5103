import { describe, expect, it } from 'vitest';
import { detectDelimiter, isMissing, missingMarkers } from '../../src/data/csv-format';

describe('detectDelimiter', () => {
  it('picks the delimiter the header uses most, ignoring quoted text', () => {
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('"a,b";c;d')).toBe(';');
    expect(detectDelimiter('a\tb|c\td')).toBe('\t');
  });

  it('falls back to a comma for a single column, and prefers the earlier candidate on a tie', () => {
    expect(detectDelimiter('single')).toBe(',');
    expect(detectDelimiter('a;b|c')).toBe(';');
  });
});

describe('isMissing', () => {
  it("counts pandas' default markers, and only those, as written", () => {
    for (const marker of missingMarkers) expect(isMissing(marker)).toBe(true);
    for (const value of [' NA', 'NA ', 'na', 'Null', 'none', '-', '?', '0', 'N.A.'])
      expect(isMissing(value)).toBe(false);
  });
});

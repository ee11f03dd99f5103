import { describe, expect, it } from 'vitest';
import { describeReading } from '../../src/contract';

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

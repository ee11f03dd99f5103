import { describe, expect, it } from 'vitest';
import { datasetFormatOf, datasetFormats, parquetProblem, startsAsParquet } from '../../src/protocol';

describe('dataset files', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('tells the format from the extension, in any case, and nothing from any other name', () => {
    expect(datasetFormatOf('churn.csv')).toBe('csv');
    expect(datasetFormatOf('Sales 2026.PARQUET')).toBe('parquet');
    expect(datasetFormatOf('.parquet')).toBeUndefined();
    expect(datasetFormatOf('report.xlsx')).toBeUndefined();
    expect(datasetFormatOf('sales.parquet.gz')).toBeUndefined();
    expect(datasetFormats.parquet.contentType).toBe('application/vnd.apache.parquet');
    expect(datasetFormats.csv.contentType).toBe('text/csv');
  });

  it('takes a file that begins and ends with PAR1 as Parquet, and says what is wrong with one that does not', () => {
    const whole = bytes('PAR1....\x10\x00\x00\x00PAR1');
    expect(
      parquetProblem('a.parquet', whole.length, whole.subarray(0, 4), whole.subarray(-4)),
    ).toBeUndefined();
    expect(parquetProblem('a.parquet', 9, bytes('a,b\n'), bytes('1,2\n'))).toBe(
      'a.parquet is not a Parquet file: it does not begin with Parquet\'s "PAR1" marker. Export it again as Parquet (or as CSV) and upload that.',
    );
    expect(parquetProblem('a.parquet', 4, bytes('PAR1'), bytes('PAR1'))).toMatch(/is not a Parquet file/);
    expect(parquetProblem('a.parquet', 5000, bytes('PAR1'), bytes('\x00\x01\x02\x03'))).toBe(
      'a.parquet is not a whole Parquet file: it does not end with Parquet\'s "PAR1" marker (cut short while copying?). Export it again as Parquet (or as CSV) and upload that.',
    );
    expect(startsAsParquet(bytes('PAR1xyz'))).toBe(true);
    expect(startsAsParquet(bytes('PAR'))).toBe(false);
  });
});

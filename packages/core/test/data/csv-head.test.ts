import { describe, expect, it } from 'vitest';
import { CsvReadError, sniffCsvHead } from '../../src/data/csv-head';

describe('sniffCsvHead', () => {
  it('infers each column type from the sample', () => {
    const head = sniffCsvHead(
      'id,flag,n,x,day,plan,note\n1,true,3,1.5,2024-01-01,a,"hello, world"\n2,false,-4,2e3,2024-01-02T10:00:00Z,b,"x"\n3,,5,,2024-01-03,a,y\n',
      true,
    );
    expect(head.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'integer'],
      ['flag', 'boolean'],
      ['n', 'integer'],
      ['x', 'numeric'],
      ['day', 'datetime'],
      ['plan', 'categorical'],
      ['note', 'text'],
    ]);
    expect(head.sampledRows).toBe(3);
    expect(head.columns[1]).toMatchObject({ missingInSample: 1, examples: ['true', 'false'] });
  });

  it('treats 0/1 columns as boolean and all-missing columns as empty', () => {
    const head = sniffCsvHead('t,e\n0,NA\n1,\n', true);
    expect(head.columns.map((c) => c.type)).toEqual(['boolean', 'empty']);
  });

  it("counts pandas' missing markers, compared as written, as missing, as the engine does", () => {
    const head = sniffCsvHead('a\nNA\n#N/A\n<NA>\n NA\nna\n', true);
    expect(head.columns[0]).toMatchObject({ missingInSample: 3, examples: [' NA', 'na'] });
  });

  it('detects semicolon and tab delimiters and strips a byte-order mark', () => {
    expect(sniffCsvHead('\uFEFFa;b\n1;2\n', true)).toMatchObject({
      delimiter: ';',
      columns: [{ name: 'a' }, { name: 'b' }],
    });
    expect(sniffCsvHead('a\tb\n1\t2\n', true).delimiter).toBe('\t');
  });

  it('drops the partial last line of a chunk that is not the whole file', () => {
    expect(sniffCsvHead('a,b\n1,2\n3,4\n5,', false).sampledRows).toBe(2);
  });

  it('reads quoted newlines inside a field', () => {
    expect(sniffCsvHead('a,b\n"line one\nline two",2\n', true).columns[0]?.examples).toEqual([
      'line one\nline two',
    ]);
  });

  it('says clearly when there is no header', () => {
    expect(() => sniffCsvHead('', true)).toThrow(CsvReadError);
    expect(() => sniffCsvHead('\n\n', true)).toThrow('The file is empty');
  });

  it('says clearly when the file is not CSV it can read', () => {
    expect(() => sniffCsvHead('a,b\n"unterminated,1\n', true)).toThrow('could not be read as CSV');
  });
});

import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

export interface CellSearch {
  /** 0-based position of the column in the file. */
  position: number;
  /** The cell values to find. */
  values: ReadonlySet<string>;
  /** How many to find before stopping. */
  wanted: number;
}

export interface FoundCell {
  value: string;
  /** The line the row starts on; the header is line 1. */
  line: number;
}

const newlines = (field: string) => field.split('\n').length - 1;

/**
 * The first cells of each searched column that hold one of its values, with the line their row
 * starts on (a quoted value can span lines, so lines are not rows). Reads the file only as far
 * as it must.
 */
export async function findCells(
  path: string,
  delimiter: string,
  searches: readonly CellSearch[],
): Promise<FoundCell[][]> {
  const found = searches.map((): FoundCell[] => []);
  const records = createReadStream(path).pipe(
    parse({ delimiter, bom: true, skip_empty_lines: true, relax_column_count: true, info: true }),
  );
  let header = true;
  try {
    for await (const { record, info } of records as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (header) {
        header = false;
        continue;
      }
      let start: number | undefined;
      searches.forEach((search, i) => {
        const value = record[search.position];
        if (value === undefined || found[i]!.length >= search.wanted || !search.values.has(value)) return;
        start ??= info.lines - record.reduce((sum, field) => sum + newlines(field), 0);
        found[i]!.push({ value, line: start });
      });
      if (searches.every((search, i) => found[i]!.length >= search.wanted)) break;
    }
  } finally {
    records.destroy();
  }
  return found;
}

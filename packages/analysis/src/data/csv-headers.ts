import type { ReadNote } from '@cascade/core/contract';
import { parse } from 'csv-parse/sync';

/** The header row as the file has it, from its first bytes; undefined if they may not hold all of it. */
export function fileHeader(head: string, delimiter: string, wholeFile: boolean): string[] | undefined {
  try {
    const [first] = parse(head, {
      delimiter,
      bom: true,
      skip_empty_lines: true,
      // As lenient as DuckDB with a quote inside a header.
      relax_quotes: true,
      to: 1,
      info: true,
    }) as unknown as {
      record: string[];
      info: { bytes: number };
    }[];
    // A header that runs to the end of the bytes read may go on beyond them.
    if (!first || (!wholeFile && first.info.bytes >= Buffer.byteLength(head))) return undefined;
    return first.record;
  } catch {
    return undefined;
  }
}

/**
 * DuckDB names an empty header `column<i>` and a repeated one `name_1` (names are compared
 * without case). A note for each column whose name is not its header (DuckDB trims spaces,
 * which is no renaming).
 */
export function headerRenames(header: readonly string[] | undefined, names: readonly string[]): ReadNote[] {
  if (!header || header.length !== names.length) return [];
  const notes: ReadNote[] = [];
  names.forEach((name, i) => {
    const from = header[i]!.trim();
    if (from !== name) notes.push({ kind: 'renamed', from, to: name, position: i + 1 });
  });
  return notes;
}

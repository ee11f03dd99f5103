import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

export type Cell = string | number | boolean | null;

/** RFC 4180: quote a field that holds a delimiter, a quote or a line break, doubling its quotes. Null is an empty field. */
export function csvField(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(',')}\n`;
}

/** Writes a header and rows to `path`, honouring back-pressure so a million rows need little memory. */
export async function writeCsv(
  path: string,
  header: readonly string[],
  rows: Iterable<readonly Cell[]>,
): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(csvLine(header));
  let batch = '';
  for (const row of rows) {
    batch += csvLine(row);
    if (batch.length > 1 << 16) {
      await write(batch);
      batch = '';
    }
  }
  await write(batch);
  out.end();
  await once(out, 'finish');
}

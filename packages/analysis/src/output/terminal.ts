import type { ItemOutput, Table } from '@cascade/core/protocol';

const cell = (value: Table['rows'][number][number]) => (value === null ? '–' : String(value));

/** A table as aligned plain-text columns: text left, numbers right. */
export function renderTable(table: Table): string {
  const rows = table.rows.map((row) => row.map(cell));
  const widths = table.columns.map((name, j) => Math.max(name.length, ...rows.map((row) => row[j]!.length)));
  const numeric = table.columns.map((_, j) =>
    table.rows.every((row) => typeof row[j] === 'number' || row[j] === null),
  );
  const line = (cells: string[]) =>
    cells
      .map((text, j) => (numeric[j] ? text.padStart(widths[j]!) : text.padEnd(widths[j]!)))
      .join('  ')
      .trimEnd();
  const out = [line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  return table.title ? [table.title, ...out].join('\n') : out.join('\n');
}

/** The report a person reads in a terminal: the summary, then each table. Charts stay in the JSON. */
export function renderForTerminal(output: ItemOutput): string {
  const text = output.text.replaceAll('**', '');
  return [text, ...(output.tables ?? []).map(renderTable)].join('\n\n');
}

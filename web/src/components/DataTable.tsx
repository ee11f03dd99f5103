import type { Table } from '@cascade/core/protocol';
import { ScrollingTable } from './ScrollingTable';

const format = (cell: Table['rows'][number][number]) =>
  cell === null
    ? '—'
    : typeof cell === 'number'
      ? Number(cell.toPrecision(6)).toLocaleString('en-US')
      : String(cell);

/** A table from an answer's structured output. */
export function DataTable({ table }: { table: Table }) {
  return (
    <figure className="data-table">
      {table.title && <figcaption>{table.title}</figcaption>}
      <ScrollingTable
        label={table.title ? `Table: ${table.title}` : 'Table'}
        columns={table.columns.map((heading) => ({ heading }))}
      >
        <tbody>
          {table.rows.map((row, r) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
            <tr key={r}>
              {row.map((cell, c) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                <td key={c} className={typeof cell === 'number' ? 'num' : undefined}>
                  {format(cell)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </ScrollingTable>
    </figure>
  );
}

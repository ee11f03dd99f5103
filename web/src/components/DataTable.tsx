import type { Table } from '@cascade/core/protocol';
import { useOverflows } from './useOverflows';

const format = (cell: Table['rows'][number][number]) =>
  cell === null
    ? '—'
    : typeof cell === 'number'
      ? Number(cell.toPrecision(6)).toLocaleString('en-US')
      : String(cell);

/** A table from an answer's structured output. */
export function DataTable({ table }: { table: Table }) {
  const [scroller, scrolls] = useOverflows<HTMLDivElement>('x');
  return (
    <figure className="data-table">
      {table.title && <figcaption>{table.title}</figcaption>}
      {/* A table wider than its place is a focusable region, so the keyboard can scroll it too. */}
      <div
        className="table-scroll"
        ref={scroller}
        {...(scrolls && {
          tabIndex: 0,
          role: 'region',
          'aria-label': table.title ? `Table: ${table.title}` : 'Table',
        })}
      >
        <table>
          <thead>
            <tr>
              {table.columns.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
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
        </table>
      </div>
    </figure>
  );
}

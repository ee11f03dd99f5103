import type { ReactNode } from 'react';
import { useOverflows } from './useOverflows';

/** A column's heading; a numeric column is aligned to the right. */
export interface Column {
  heading: string;
  numeric?: boolean;
}

export interface ScrollingTableProps {
  /** The region's name, given once the table is wider than its place. */
  label: string;
  className?: string;
  caption?: ReactNode;
  columns: Column[];
  /** The table's body (and foot). */
  children: ReactNode;
}

/**
 * A table with a row of column headings. Wider than its place, it scrolls sideways and becomes a
 * focusable region, so the keyboard can scroll it too.
 */
export function ScrollingTable({ label, className, caption, columns, children }: ScrollingTableProps) {
  const [scroller, scrolls] = useOverflows<HTMLDivElement>('x');
  return (
    <div
      ref={scroller}
      className="table-scroll"
      {...(scrolls && { tabIndex: 0, role: 'region', 'aria-label': label })}
    >
      <table className={className}>
        {caption}
        <thead>
          <tr>
            {columns.map((column, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a data table's headings need not be unique
              <th key={i} scope="col" className={column.numeric ? 'num' : undefined}>
                {column.heading}
              </th>
            ))}
          </tr>
        </thead>
        {children}
      </table>
    </div>
  );
}

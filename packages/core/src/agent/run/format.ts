/** Numbers are formatted by the contract's functions (one set for the engines and the agent); this adds markdown. */
export { formatCount, formatNumber, formatPercent, formatShare } from '../../contract/format';

/** A markdown table; cells are escaped so a value cannot break the layout. */
export function markdownTable(columns: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number) => String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${columns.map(cell).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

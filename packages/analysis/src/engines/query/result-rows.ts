import { type Cell, formatCount } from '@cascade/core/contract';
import type { DuckDBResult } from '@duckdb/node-api';
import { CellConverter } from './cells';
import { maxCellChars, maxResultChars, maxResultColumns } from './limits';

export interface ResultColumn {
  name: string;
  /** DuckDB's type name: BIGINT, DOUBLE, VARCHAR, DATE, DECIMAL(10,2), … */
  type: string;
}

export interface CollectedRows {
  columns: ResultColumn[];
  /** The first rows, converted to cells. */
  rows: Cell[][];
  /** Every row the statement produced, kept or not. */
  rowCount: number;
  warnings: string[];
}

const plural = (count: number, one: string, many: string) =>
  `${formatCount(count)} ${count === 1 ? one : many}`;

const rowChars = (row: readonly Cell[]) =>
  row.reduce<number>((sum, cell) => sum + (typeof cell === 'string' ? cell.length : 8), 0);

/**
 * Reads a streaming result: the first `maxRows` rows become cells (at most maxResultColumns
 * wide and maxResultChars in all), the rest are only counted, chunk by chunk, so a result of
 * any length needs no more memory than its first rows.
 */
export async function collectRows(result: DuckDBResult, maxRows: number): Promise<CollectedRows> {
  const width = Math.min(result.columnCount, maxResultColumns);
  const names = result.columnNames().slice(0, width);
  const types = result.columnTypes().slice(0, width);
  const converter = new CellConverter(maxCellChars);
  const rows: Cell[][] = [];
  let rowCount = 0;
  let chars = 0;
  let full = false;
  for (
    let chunk = await result.fetchChunk();
    chunk && chunk.rowCount > 0;
    chunk = await result.fetchChunk()
  ) {
    const vectors = types.map((_, j) => chunk!.getColumnVector(j));
    for (let i = 0; i < chunk.rowCount && rows.length < maxRows && !full; i++) {
      const row = vectors.map((vector, j) => converter.cell(vector.getItem(i), types[j]!));
      chars += rowChars(row);
      if (chars > maxResultChars && rows.length > 0) full = true;
      else rows.push(row);
    }
    rowCount += chunk.rowCount;
  }

  const warnings: string[] = [];
  if (result.columnCount > width)
    warnings.push(
      `The result has ${formatCount(result.columnCount)} columns; only the first ${maxResultColumns} are kept.`,
    );
  if (full)
    warnings.push(
      `Only the first ${plural(rows.length, 'row is', 'rows are')} kept: together they hold about ${formatCount(maxResultChars)} characters.`,
    );
  if (converter.nonFinite > 0)
    warnings.push(
      `${plural(converter.nonFinite, 'value was', 'values were')} NaN or infinite and ${converter.nonFinite === 1 ? 'is' : 'are'} shown as empty (null).`,
    );
  if (converter.cut > 0)
    warnings.push(
      `${plural(converter.cut, 'text value', 'text values')} longer than ${formatCount(maxCellChars)} characters ${converter.cut === 1 ? 'was' : 'were'} cut short.`,
    );
  return {
    columns: names.map((name, j) => ({ name, type: types[j]!.toString() })),
    rows,
    rowCount,
    warnings,
  };
}

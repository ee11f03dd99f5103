import type { Cell } from './csv-writer';

/** A generated dataset: its columns, its rows, and what the generator knows that the data does not say. */
export interface GeneratedTable {
  columns: string[];
  rows: Iterable<Cell[]>;
  /** Facts only the generator knows, such as the true effect; stated in the dataset's description. */
  truth: Record<string, number>;
}

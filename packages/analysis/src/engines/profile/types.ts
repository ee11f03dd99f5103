export type ColumnType = 'numeric' | 'integer' | 'boolean' | 'categorical' | 'datetime' | 'text';

export interface Histogram {
  /** numpy's convention: 21 edges, bins closed on the left, the last one on both sides. */
  edges: number[];
  counts: number[];
}

export interface TopValue {
  value: string | number | boolean;
  count: number;
}

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  /** Non-missing values. */
  count: number;
  missing: number;
  unique: number;
  // numeric and integer columns only
  mean?: number;
  /** Sample standard deviation; null with fewer than two values. */
  std?: number | null;
  min?: number;
  q25?: number;
  q50?: number;
  q75?: number;
  max?: number;
  histogram?: Histogram;
  // categorical, boolean and text columns
  top?: TopValue[];
  // datetime columns, as ISO text
  earliest?: string;
  latest?: string;
}

export interface Correlation {
  columns: string[];
  /** Pearson's r over pairwise-complete rows; null where it is undefined (a constant column). */
  matrix: (number | null)[][];
}

export interface ProfileResult {
  tool: 'profile';
  source: string;
  rows: number;
  columns: ColumnProfile[];
  correlation: Correlation;
  warnings: string[];
}

export type {
  ColumnProfile,
  ColumnType,
  Correlation,
  Histogram,
  ProfileResult,
  TopValue,
} from '@cascade/core/contract';

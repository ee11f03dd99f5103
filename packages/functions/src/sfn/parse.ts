import { parseItem } from '@cascade/core/agent/steps/parse';
import { parquetReader } from '@cascade/core/parquet';
import { itemStep } from './handler';

/**
 * Parse: the item's question as a structured request. The planner types a Parquet dataset's
 * columns from its first rows, as it does a CSV's: a footer alone cannot tell an id or free text
 * from a category in files that record no distinct counts (pyarrow's, polars', Spark's).
 */
export const handler = itemStep(parseItem, { parquet: parquetReader });

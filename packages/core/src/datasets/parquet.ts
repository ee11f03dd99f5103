import {
  type AsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetSchema,
  type SchemaElement,
  type SchemaTree,
} from 'hyparquet';
import type { SniffedColumn, SniffedType } from '../data/csv-head';
import { type ParquetFooter, ParquetReadError, type ParquetReader } from './parquet-reader';

/**
 * A Parquet dataset's footer, read in byte ranges: how many rows it has, what its columns are
 * and what they store, without reading the rows (that is the analysis engine's job). hyparquet
 * reads it; reading the first rows for examples is parquet-head.ts's, which weighs far more.
 */

/** The file's last bytes fetched first: the footer of a table of a few hundred columns fits in one GET. */
const footerFetchBytes = 64 * 1024;

/** What the Parquet reader's complaint means, for a person. */
function whyUnreadable(message: string): string {
  if (message.includes('footer != PAR1'))
    return `it does not end with Parquet's "PAR1" marker: it is not Parquet, or it was cut short`;
  if (message.includes('too short')) return 'it is too short to be Parquet';
  return `it is damaged (${message})`;
}

/**
 * Runs a Parquet reader over `file`. What the reader throws about the bytes becomes a
 * ParquetReadError with a sentence for a person; what reading the bytes threw (S3 throttling, a
 * network fault) passes through as it was, so the step is retried.
 */
export async function readingParquet<T>(
  file: AsyncBuffer,
  read: (file: AsyncBuffer) => Promise<T>,
): Promise<T> {
  const storageFaults = new WeakSet<object>();
  const watched: AsyncBuffer = {
    byteLength: file.byteLength,
    async slice(start, end) {
      try {
        return await file.slice(start, end);
      } catch (error) {
        if (typeof error === 'object' && error !== null) storageFaults.add(error);
        throw error;
      }
    },
  };
  try {
    return await read(watched);
  } catch (error) {
    if (!(error instanceof Error) || storageFaults.has(error) || error instanceof ParquetReadError)
      throw error;
    throw new ParquetReadError(
      `The file could not be read as Parquet: ${whyUnreadable(error.message)}. Export it again as Parquet (or as CSV) and upload that.`,
      { cause: error },
    );
  }
}

/** Reads a Parquet file's footer: its row count and top-level column names. */
export function readParquetFooter(file: AsyncBuffer): Promise<ParquetFooter> {
  return readingParquet(file, async (watched) => {
    const metadata = await parquetMetadataAsync(watched, { initialFetchSize: footerFetchBytes });
    const columnNames = parquetSchema(metadata).children.map((child) => child.element.name);
    if (columnNames.length === 0) throw new ParquetReadError('The Parquet file has no columns.');
    return { rows: Number(metadata.num_rows), columnNames, metadata };
  });
}

/** What a column stores, from the schema: what text cannot show, and what it must not be read as. */
export function storedKind(node: SchemaTree): { stored: 'text' | 'number' | 'unknown'; type?: SniffedType } {
  const { element, children } = node;
  // A nested column (list, struct, map) is shown as its text by the engine.
  if (children.length > 0 || element.repetition_type === 'REPEATED') return { stored: 'text', type: 'text' };
  const logical = element.logical_type?.type;
  const converted = element.converted_type ?? '';
  if (
    logical === 'DATE' ||
    logical === 'TIMESTAMP' ||
    logical === 'TIME' ||
    /^(DATE|TIME_|TIMESTAMP_)/.test(converted) ||
    element.type === 'INT96'
  )
    return { stored: 'unknown', type: 'datetime' };
  if (element.type === 'BOOLEAN') return { stored: 'unknown', type: 'boolean' };
  if (
    element.type === 'INT32' ||
    element.type === 'INT64' ||
    element.type === 'FLOAT' ||
    element.type === 'DOUBLE' ||
    isDecimal(element)
  )
    return { stored: 'number' };
  return { stored: 'text' };
}

const isDecimal = (element: SchemaElement) =>
  element.logical_type?.type === 'DECIMAL' || element.converted_type === 'DECIMAL';

const isWholeNumber = (element: SchemaElement) =>
  (element.type === 'INT32' || element.type === 'INT64') && !isDecimal(element);

/** What the row groups' statistics say of a top-level column. */
interface FooterStatistics {
  /** Missing values in the whole file. */
  nulls: number;
  /** At most this many distinct values (the row groups' counts added up), when every row group counts them. */
  distinct?: number;
  /** Every distinct value, when each row group holds only its least and greatest (true/false, 0/1, two words). */
  values?: string[];
  /** The least and greatest values seen, as text, where the writer kept them whole. */
  ends: string[];
}

function statisticsOf(element: SchemaElement, metadata: FileMetaData): FooterStatistics {
  let nulls = 0;
  let distinct: number | undefined = 0;
  let values: Set<string> | undefined = new Set();
  const ends = new Set<string>();
  for (const group of metadata.row_groups) {
    const chunk = group.columns.find((c) => c.meta_data?.path_in_schema.join('.') === element.name);
    const stats = chunk?.meta_data?.statistics;
    const groupNulls = Number(stats?.null_count ?? 0);
    nulls += groupNulls;
    distinct =
      distinct !== undefined && stats?.distinct_count !== undefined
        ? distinct + Number(stats.distinct_count)
        : undefined;
    const exact =
      stats?.min_value !== undefined &&
      stats.max_value !== undefined &&
      stats.is_min_value_exact !== false &&
      stats.is_max_value_exact !== false;
    const least = exact ? asText(stats.min_value) : undefined;
    const greatest = exact ? asText(stats.max_value) : undefined;
    if (least !== undefined && greatest !== undefined) ends.add(least).add(greatest);
    if (groupNulls >= Number(group.num_rows)) continue;
    const onlyEnds =
      least !== undefined &&
      greatest !== undefined &&
      (element.type === 'BOOLEAN' ||
        Number(stats?.distinct_count ?? Number.POSITIVE_INFINITY) <= (least === greatest ? 1 : 2) ||
        (isWholeNumber(element) && Number(stats?.max_value) - Number(stats?.min_value) <= 1));
    if (onlyEnds) values?.add(least).add(greatest);
    else values = undefined;
  }
  return {
    nulls,
    ...(distinct !== undefined && { distinct }),
    ...(values && { values: [...values] }),
    ends: [...ends],
  };
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return undefined;
}

/**
 * Whether a text column holds categories, as csv-head.ts's sniffing tells from a sample: a
 * distinct count the writer recorded decides it the same way. Without one (pyarrow, polars and
 * Spark do not record it) short text is taken for categories: a column with too many values for
 * a category is then refused by the engine, which reads the whole file and says so in its own
 * words, rather than the planner refusing to group by what may well be categories.
 */
function holdsCategories(statistics: FooterStatistics, present: number): boolean {
  if (statistics.ends.some((v) => v.length > 40)) return false;
  const { distinct } = statistics;
  if (distinct === undefined) return true;
  return distinct < present && (distinct <= 20 || distinct <= present / 2);
}

/**
 * A column as the footer alone describes it, when none of its rows are read: its stored type
 * (whole numbers as integers, 0 and 1 as true/false), missing values and, from the row groups'
 * statistics, whether its text is categories and, when few and all known, their values. No examples.
 */
export function footerColumn(node: SchemaTree, metadata: FileMetaData): SniffedColumn {
  const { element } = node;
  const { stored, type } = storedKind(node);
  const statistics: FooterStatistics =
    node.children.length > 0 ? { nulls: 0, ends: [] } : statisticsOf(element, metadata);
  const present = Number(metadata.num_rows) - statistics.nulls;
  const column = (sniffed: SniffedType): SniffedColumn => ({
    name: element.name,
    type: present > 0 ? sniffed : 'empty',
    examples: [],
    missingInSample: statistics.nulls,
    ...((sniffed === 'categorical' || sniffed === 'boolean') &&
      statistics.values &&
      statistics.values.length <= 50 && { values: statistics.values }),
  });
  if (type) return column(type);
  if (stored === 'number') {
    if (!isWholeNumber(element)) return column('numeric');
    return column(statistics.values?.every((v) => v === '0' || v === '1') ? 'boolean' : 'integer');
  }
  return column(holdsCategories(statistics, present) ? 'categorical' : 'text');
}

/**
 * The reader for functions that show Parquet datasets without reading their rows (the listing):
 * the footer, and the columns as it describes them. About 12 KB of bundle; the reader that samples
 * rows (@cascade/core/parquet) weighs 180 KB, which Parse and Dispatch carry for correct types.
 */
export const parquetFooterReader: ParquetReader = {
  footer: readParquetFooter,
  head: async (_file, footer) => ({
    columns: parquetSchema(footer.metadata).children.map((node) => footerColumn(node, footer.metadata)),
    sampledRows: 0,
  }),
};

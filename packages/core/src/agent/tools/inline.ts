import { CsvReadError, type SniffedColumn, sniffCsvHead } from '../../data/csv-head';
import { type DatasetCatalog, type DatasetLocation, formatOfKey } from '../../datasets/catalog';
import { ParquetReadError } from '../../datasets/parquet-reader';
import { DomainError } from '../../errors';
import { parquetMarker } from '../../protocol/dataset-files';
import type { ItemOutput } from '../../protocol/server';
import type { DatasetName, DatasetSchema } from '../planner/schema';
import type { InlineToolCall } from './declarations';

/** What running a tool produced: what the model reads, and what the user may see. */
export interface ToolRun {
  ok: boolean;
  observation: string;
  output?: ItemOutput;
  /** Where the full result document was kept, when its output was too large to keep inline. */
  resultUri?: string;
}

export const failedRun = (observation: string): ToolRun => ({ ok: false, observation });

/** A file that cannot be read as its format; the message says why, for a person. */
const unreadable = (error: unknown): error is CsvReadError | ParquetReadError =>
  error instanceof CsvReadError || error instanceof ParquetReadError;

/** A look at a dataset without reading all of it: its columns from a sample of its first rows. */
export interface DatasetLook {
  sizeBytes: number;
  /** The exact row count, when known (a Parquet footer, a sample's metadata). */
  rows?: number;
  sampledRows: number;
  columns: SniffedColumn[];
}

/**
 * Reads a dataset's first rows, CSV or Parquet. A Parquet file is told by its name or, as the
 * engine tells it, by its first bytes (a Parquet file named .csv): its footer gives the exact
 * row count and column types, a sample of its first rows the rest, as far as the function's
 * Parquet reader goes (DatasetCatalog.parquetHead).
 */
export async function lookAt(datasets: DatasetCatalog, location: DatasetLocation): Promise<DatasetLook> {
  const head = formatOfKey(location.key) === 'csv' ? await datasets.head(location) : undefined;
  if (head && !head.text.startsWith(parquetMarker)) {
    const sniffed = sniffCsvHead(head.text, head.complete);
    return {
      sizeBytes: head.sizeBytes,
      ...(head.rows !== undefined && { rows: head.rows }),
      sampledRows: sniffed.sampledRows,
      columns: sniffed.columns,
    };
  }
  const file = { ...location, sizeBytes: head?.sizeBytes ?? location.sizeBytes };
  return { sizeBytes: file.sizeBytes!, ...(await datasets.parquetHead(file)) };
}

/** The light tools, run inside the Dispatch Lambda: a listing and a look at a file's first rows. */
export async function runInlineTool(
  datasets: DatasetCatalog,
  userId: string,
  call: InlineToolCall,
): Promise<ToolRun> {
  try {
    return call.name === 'list_datasets'
      ? await listDatasets(datasets, userId)
      : await describeDataset(datasets, userId, call.input.datasetId);
  } catch (error) {
    // Things the model can act on (an unknown dataset, an unreadable file) become observations.
    if (error instanceof DomainError) return failedRun(error.message);
    if (unreadable(error)) return failedRun(`${String(datasetIdOf(call))}: ${error.message}`);
    throw error;
  }
}

/** The dataset an inline call reads, if it reads one. */
const datasetIdOf = (call: InlineToolCall) =>
  call.name === 'describe_dataset' ? call.input.datasetId : undefined;

async function listDatasets(datasets: DatasetCatalog, userId: string): Promise<ToolRun> {
  const all = await datasets.list(userId);
  const listed = all.map((d) => ({
    id: d.id,
    name: d.name,
    sample: d.sample,
    ...(d.rows !== undefined && { rows: d.rows }),
    ...(d.columns !== undefined && { columns: d.columns }),
  }));
  return {
    ok: true,
    observation: JSON.stringify({ datasets: listed }),
    output: {
      text: `${all.length} datasets`,
      tables: [
        {
          title: 'Datasets',
          columns: ['dataset', 'rows', 'columns', 'kind'],
          rows: all.map((d) => [d.id, d.rows ?? null, d.columns ?? null, d.sample ? 'sample' : 'yours']),
        },
      ],
    },
  };
}

async function describeDataset(
  datasets: DatasetCatalog,
  userId: string,
  datasetId: string,
): Promise<ToolRun> {
  const sniffed = await lookAt(datasets, await datasets.locate(userId, datasetId));
  const observation = {
    datasetId,
    sizeBytes: sniffed.sizeBytes,
    ...(sniffed.rows !== undefined && { rows: sniffed.rows }),
    sampledRows: sniffed.sampledRows,
    columns: sniffed.columns.map((c) => ({ name: c.name, type: c.type, examples: c.examples })),
  };
  return {
    ok: true,
    observation: JSON.stringify(observation),
    output: {
      text: `${datasetId}: ${sniffed.columns.length} columns`,
      tables: [
        {
          title: `Columns of ${datasetId}`,
          columns: ['column', 'type', 'examples'],
          rows: sniffed.columns.map((c) => [c.name, c.type, c.examples.join(', ')]),
        },
      ],
    },
  };
}

/**
 * A dataset's columns, their types and first values, and its dictionary; undefined when there is
 * no such dataset, and only why when its file cannot be read.
 */
export async function datasetSchema(
  datasets: DatasetCatalog,
  userId: string,
  datasetId: string,
): Promise<DatasetSchema | undefined> {
  try {
    const location = await datasets.locate(userId, datasetId);
    const [sniffed, dictionary] = await Promise.all([
      lookAt(datasets, location),
      datasets.dictionary(location),
    ]);
    return {
      id: datasetId,
      columns: sniffed.columns.map((c) => ({
        name: c.name,
        type: c.type,
        ...(c.values && { values: c.values }),
        ...(dictionary?.columns[c.name] && { entry: dictionary.columns[c.name] }),
        ...(c.missingInSample > 0 && { missing: c.missingInSample }),
      })),
      ...(dictionary && { dictionary }),
    };
  } catch (error) {
    if (unreadable(error)) return { id: datasetId, columns: [], unreadable: error.message };
    if (error instanceof DomainError) return undefined;
    throw error;
  }
}

/** Samples' dictionaries change only with a deploy: read them once a minute at most. */
const dictionaryCache = new Map<string, { at: number; aliases: string[] | undefined }>();

/** The datasets a user can read, by id, title and the other names their dictionaries give. */
export async function datasetNames(datasets: DatasetCatalog, userId: string): Promise<DatasetName[]> {
  const all = await datasets.list(userId);
  return Promise.all(
    all.map(async (d): Promise<DatasetName> => {
      const name: DatasetName = { id: d.id, ...(d.name !== d.id && { title: d.name }) };
      if (!d.sample) return name;
      const cached = dictionaryCache.get(d.id);
      let aliases = cached && Date.now() - cached.at < 60_000 ? cached.aliases : undefined;
      if (!cached || Date.now() - cached.at >= 60_000) {
        aliases = (await datasets.dictionary(await datasets.locate(userId, d.id)))?.aliases;
        dictionaryCache.set(d.id, { at: Date.now(), aliases });
      }
      return aliases ? { ...name, aliases } : name;
    }),
  );
}

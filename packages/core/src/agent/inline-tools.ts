import type { DatasetCatalog } from '../datasets/catalog';
import { DomainError } from '../errors';
import type { ItemOutput } from '../protocol/server';
import { CsvReadError, sniffCsvHead } from './csv-head';
import type { DatasetName, DatasetSchema } from './planner/schema';

/** What running a tool produced: what the model reads, and what the user may see. */
export interface ToolRun {
  ok: boolean;
  observation: string;
  output?: ItemOutput;
  /** Where the full result document was kept, when its output was too large to keep inline. */
  resultUri?: string;
}

export const failedRun = (observation: string): ToolRun => ({ ok: false, observation });

/** The light tools, run inside the Dispatch Lambda: a listing and a look at a file's first rows. */
export async function runInlineTool(
  datasets: DatasetCatalog,
  userId: string,
  name: 'list_datasets' | 'describe_dataset',
  input: Record<string, unknown>,
): Promise<ToolRun> {
  try {
    return name === 'list_datasets'
      ? await listDatasets(datasets, userId)
      : await describeDataset(datasets, userId, String(input.datasetId));
  } catch (error) {
    // Things the model can act on (an unknown dataset, an unreadable file) become observations.
    if (error instanceof DomainError) return failedRun(error.message);
    if (error instanceof CsvReadError) return failedRun(`${String(input.datasetId)}: ${error.message}`);
    throw error;
  }
}

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
  const location = await datasets.locate(userId, datasetId);
  const head = await datasets.head(location);
  const sniffed = sniffCsvHead(head.text, head.complete);
  const observation = {
    datasetId,
    sizeBytes: head.sizeBytes,
    ...(head.rows !== undefined && { rows: head.rows }),
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

/** A dataset's columns, their types and first values, and its dictionary; undefined if it cannot be read. */
export async function datasetSchema(
  datasets: DatasetCatalog,
  userId: string,
  datasetId: string,
): Promise<DatasetSchema | undefined> {
  try {
    const location = await datasets.locate(userId, datasetId);
    const [head, dictionary] = await Promise.all([datasets.head(location), datasets.dictionary(location)]);
    const sniffed = sniffCsvHead(head.text, head.complete);
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
    if (error instanceof DomainError || error instanceof CsvReadError) return undefined;
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

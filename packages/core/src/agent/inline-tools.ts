import type { DatasetCatalog } from '../datasets/catalog';
import { DomainError } from '../errors';
import type { ItemOutput } from '../protocol/server';
import { CsvReadError, sniffCsvHead } from './csv-head';

/** What running a tool produced: what the model reads, and what the user may see. */
export interface ToolRun {
  ok: boolean;
  observation: string;
  output?: ItemOutput;
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

/** Column names from a dataset's header, or undefined if it cannot be read. */
export async function datasetColumns(
  datasets: DatasetCatalog,
  userId: string,
  datasetId: string,
): Promise<string[] | undefined> {
  try {
    const head = await datasets.head(await datasets.locate(userId, datasetId), 16 * 1024);
    return sniffCsvHead(head.text, head.complete).columns.map((c) => c.name);
  } catch (error) {
    if (error instanceof DomainError || error instanceof CsvReadError) return undefined;
    throw error;
  }
}

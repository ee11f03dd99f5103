import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetName, DatasetSchema } from '../../../src/agent/planner/schema';
import { type UnderstandContext, understand } from '../../../src/agent/planner/understand';
import { sniffCsvHead } from '../../../src/data/csv-head';
import { DataDictionary } from '../../../src/datasets/dictionary';

/**
 * The shipped sample datasets as the planner sees them in Parse: each file's first 64 KB sniffed,
 * and its data dictionary. Data files, read as the catalog would serve them.
 */
const directory = join(import.meta.dirname, '../../../../analysis/datasets');
const catalog = JSON.parse(readFileSync(join(directory, 'catalog.json'), 'utf8')) as {
  file: string;
  title: string;
}[];

function dictionaryOf(id: string): DataDictionary {
  return DataDictionary.parse(JSON.parse(readFileSync(join(directory, `${id}.dictionary.json`), 'utf8')));
}

export const sampleDatasets: DatasetName[] = catalog.map((entry) => ({
  id: entry.file,
  title: entry.title,
  aliases: dictionaryOf(entry.file).aliases ?? [],
}));

const schemas = new Map<string, DatasetSchema>();

/** Each sample's schema, read once per test file (the planner asks for it for every question). */
export function sampleSchema(id: string): DatasetSchema | undefined {
  if (!catalog.some((entry) => entry.file === id)) return undefined;
  if (!schemas.has(id)) schemas.set(id, readSchema(id));
  return schemas.get(id);
}

function readSchema(id: string): DatasetSchema {
  const head = sniffCsvHead(readFileSync(join(directory, id), 'utf8').slice(0, 64 * 1024), false);
  const dictionary = dictionaryOf(id);
  return {
    id,
    columns: head.columns.map((c) => ({
      name: c.name,
      type: c.type,
      ...(c.values && { values: c.values }),
      ...(dictionary.columns[c.name] && { entry: dictionary.columns[c.name] }),
      ...(c.missingInSample > 0 && { missing: c.missingInSample }),
    })),
    dictionary,
  };
}

/** A dataset of a user's, with no dictionary: columns known by their names only. */
export const salesSchema: DatasetSchema = {
  id: 'sales_2024.csv',
  columns: [
    { name: 'order_id', type: 'text' },
    { name: 'order_date', type: 'datetime' },
    { name: 'region', type: 'categorical', values: ['EMEA', 'APAC', 'Americas'] },
    { name: 'product_line', type: 'categorical', values: ['hardware', 'software', 'services'] },
    { name: 'units', type: 'integer' },
    { name: 'unit_price', type: 'numeric' },
    { name: 'discounted', type: 'boolean', values: ['yes', 'no'] },
    { name: 'revenue', type: 'numeric' },
  ],
};

export function context(overrides: Partial<UnderstandContext> = {}): UnderstandContext {
  return {
    datasets: [...sampleDatasets, { id: salesSchema.id }],
    schemaOf: async (id) => (id === salesSchema.id ? salesSchema : sampleSchema(id)),
    ...overrides,
  };
}

/** Reads a conversation turn by turn, each question following the one before. */
export async function conversation(questions: string[], overrides: Partial<UnderstandContext> = {}) {
  const readings = [];
  let previous: UnderstandContext['previous'];
  for (const question of questions) {
    const reading = await understand(question, context({ ...overrides, ...(previous && { previous }) }));
    if ('frame' in reading) previous = reading.frame;
    readings.push(reading);
  }
  return readings;
}

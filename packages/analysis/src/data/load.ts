import { type LoadedTable, loadCsv } from './csv';
import type { Database } from './database';
import { loadParquet, readsAsParquet } from './parquet';

/** Loads a dataset, CSV or Parquet (told apart by its first bytes, or its name), into the table `data`. */
export async function loadData(db: Database, path: string, table = 'data'): Promise<LoadedTable> {
  if (await readsAsParquet(path)) return loadParquet(db, path, table);
  return loadCsv(db, path, table);
}

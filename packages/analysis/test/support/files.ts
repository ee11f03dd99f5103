import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { type Cell, writeCsv } from '../../src/datasets/csv-writer';
import { samplesDirectory } from '../../src/datasets/directory';
import type { GeneratedTable } from '../../src/datasets/table';

/** A sample dataset's path, as a tool is handed it. */
export const dataset = (name: string) => join(samplesDirectory, name);

/** A temporary directory for one test file, removed when its tests end. */
export function scratchDirectory() {
  let directory: string | undefined;
  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });
  const dir = async () => {
    directory ??= await mkdtemp(join(tmpdir(), 'analysis-test-'));
    return directory;
  };
  let counter = 0;
  return {
    /** Writes `content` verbatim (string or bytes) and returns the path. */
    async file(content: string | Uint8Array, name = `file-${++counter}.csv`): Promise<string> {
      const path = join(await dir(), name);
      await writeFile(path, content);
      return path;
    },
    async table(
      table: Pick<GeneratedTable, 'columns' | 'rows'>,
      name = `table-${++counter}.csv`,
    ): Promise<string> {
      const path = join(await dir(), name);
      await writeCsv(path, table.columns, table.rows as Iterable<Cell[]>);
      return path;
    },
  };
}

import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCsv } from '@cascade/analysis/data/csv';
import { withDatabase } from '@cascade/analysis/data/database';
import { confounded } from '@cascade/analysis/datasets/confounded';
import { type Cell, writeCsv } from '@cascade/analysis/datasets/csv-writer';
import { round, seededRandom } from '@cascade/analysis/datasets/random';
import { stringLiteral } from '@cascade/core/contract';

export const directory = join(tmpdir(), 'cascade-bench');

/** Writes a file once per version: the data is seeded, so a present file is the same file. */
async function cached(name: string, write: (path: string) => Promise<void>): Promise<string> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, name);
  if (!existsSync(path)) {
    await write(`${path}.partial`);
    await rename(`${path}.partial`, path);
  }
  return path;
}

const segments = ['north', 'south', 'east', 'west', 'central'];
const products = Array.from({ length: 200 }, (_, i) => `sku-${String(i).padStart(3, '0')}`);

/** 1M rows × 12 columns: ten numeric (different shapes, 2 % missing each), two categorical (one with gaps). */
export function profileData(rows = 1_000_000): Promise<string> {
  return cached(`profile-${rows}-v1.csv`, async (path) => {
    const random = seededRandom(20_240_601);
    const header = [...Array.from({ length: 10 }, (_, j) => `x${j + 1}`), 'segment', 'product'];
    function* generate(): Generator<Cell[]> {
      for (let i = 0; i < rows; i++) {
        const base = random.normal();
        const numbers: Cell[] = [];
        for (let j = 0; j < 10; j++) {
          if (random.bernoulli(0.02)) {
            numbers.push(null);
            continue;
          }
          // Correlated normals, a skewed column, a heavy-tailed one and an integer-valued one.
          const value =
            j === 3
              ? Math.exp(random.normal(3, 0.8))
              : j === 6
                ? random.normal() / Math.max(0.05, random.uniform())
                : j === 8
                  ? random.integer(0, 90)
                  : 0.6 * base + random.normal(j, 1 + j / 5);
          numbers.push(round(value, 6));
        }
        yield [
          ...numbers,
          random.bernoulli(0.01) ? null : random.pick(segments, [5, 4, 3, 2, 1]),
          random.pick(products),
        ];
      }
    }
    await writeCsv(path, header, { [Symbol.iterator]: generate });
  });
}

/** 1M rows: a binary treatment, an outcome and ten confounders, with a true effect of 2. */
export function effectData(rows = 1_000_000): Promise<string> {
  return cached(`effect-${rows}-v1.csv`, async (path) => {
    const table = confounded({ rows, covariates: 10, effect: 2, seed: 20_240_602 });
    await writeCsv(path, table.columns, table.rows);
  });
}

/** The same data as a Parquet file, written from the table the engine reads the CSV into. */
export function parquetOf(csv: string): Promise<string> {
  const name = `${csv
    .split('/')
    .at(-1)!
    .replace(/\.csv$/, '')}.parquet`;
  return cached(name, (path) =>
    withDatabase({}, async (db) => {
      await loadCsv(db, csv);
      await db.run(`COPY data TO ${stringLiteral(path)} (FORMAT parquet)`);
    }),
  );
}

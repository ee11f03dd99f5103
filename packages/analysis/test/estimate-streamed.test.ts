import { describe, expect, it } from 'vitest';
import { withDatabase } from '../src/data/database';
import { confounded } from '../src/datasets/confounded';
import { seededRandom } from '../src/datasets/random';
import { estimateEffect } from '../src/engines/causal/estimate-effect';
import { estimateStreamed } from '../src/engines/causal/estimate-streamed';
import type { EffectResult } from '../src/engines/causal/types';
import { scratchDirectory } from './support/files';

const files = scratchDirectory();

/** Equal to nine digits: the streamed sums run in another order than the in-memory ones. */
function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number')
    expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
  else if (Array.isArray(expected)) {
    expect((actual as unknown[]).length, path).toBe(expected.length);
    for (const [i, item] of expected.entries()) expectClose((actual as unknown[])[i], item, `${path}[${i}]`);
  } else if (expected && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, item] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[key], item, `${path}.${key}`);
  } else expect(actual, path).toEqual(expected);
}

async function study(rows: number, seed: number): Promise<string> {
  const table = confounded({ rows, covariates: 4, effect: 2, seed });
  const random = seededRandom(seed + 1);
  return files.table({
    columns: table.columns,
    rows: [...table.rows].map((row) => row.map((cell, j) => (j > 0 && random.bernoulli(0.02) ? null : cell))),
  });
}

const spec = { treatment: 'treat', outcome: 'outcome', covariates: ['x1', 'x2', 'x3', 'x4'] };

describe('an effect from a file larger than the memory allowed', () => {
  it('streams the study through a file on disk to the in-memory estimates, errors, balance and overlap', async () => {
    const path = await study(12_000, 3);
    const inMemory = await estimateEffect(path, spec, { parallel: false });
    // 64 KB: blocks of 1024 rows, a warm start on a subsample, the overlap's quantiles from disk.
    const streamed = (await withDatabase({}, (db) =>
      estimateStreamed(db, path, spec, 64 * 1024),
    )) as EffectResult;
    expect(streamed.estimates.map((e) => e.method)).toEqual(inMemory.estimates.map((e) => e.method));
    expectClose(streamed, inMemory);
  });

  it('takes that way by itself under ANALYSIS_MEMORY_LIMIT', async () => {
    const path = await study(150_000, 5);
    const inMemory = await estimateEffect(path, { ...spec, methods: ['regression_adjustment', 'ipw_hajek'] });
    // 150,000 rows of six columns need 8.4 MB; half of a 16 MB limit is the analysis's own.
    const limited = await estimateEffect(
      path,
      { ...spec, methods: ['regression_adjustment', 'ipw_hajek'] },
      { memoryLimit: '16MB' },
    );
    expectClose(limited, inMemory);
  }, 30_000);

  it('leaves a treatment that is not 0/1 to the table way, which says so', async () => {
    const path = await files.file(
      `t,y,x\n${Array.from({ length: 100 }, (_, i) => `${i % 3},${i},${i % 7}`).join('\n')}\n`,
    );
    expect(
      await withDatabase({}, (db) =>
        estimateStreamed(db, path, { treatment: 't', outcome: 'y', covariates: ['x'] }, 64 * 1024),
      ),
    ).toBeUndefined();
  });
});

import { readdirSync, truncateSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withDatabase } from '../../../src/data/database';
import { SpillDirectory } from '../../../src/data/spill';
import { confounded } from '../../../src/datasets/confounded';
import { seededRandom } from '../../../src/datasets/random';
import { estimateEffect } from '../../../src/engines/causal/estimate-effect';
import { StudyFile } from '../../../src/engines/causal/study-file';
import { studyRows } from '../../../src/engines/causal/study-rows';
import { streamStudy } from '../../../src/engines/causal/study-stream';
import { BadDataError } from '../../../src/errors';
import { scratchDirectory } from '../../support/files';

const files = scratchDirectory();

async function study(rows: number, seed: number): Promise<string> {
  const table = confounded({ rows, covariates: 4, effect: 2, seed });
  const random = seededRandom(seed + 1);
  return files.table({
    columns: table.columns,
    rows: [...table.rows].map((row) => row.map((cell, j) => (j > 0 && random.bernoulli(0.02) ? null : cell))),
  });
}

const spec = { treatment: 'treat', outcome: 'outcome', covariates: ['x1', 'x2', 'x3', 'x4'] };

/** Runs `work` with the temporary directory of its own, and returns what is left in it afterwards. */
async function leftBehind(work: () => Promise<unknown>): Promise<string[]> {
  const directory = await mkdtemp(join(tmpdir(), 'study-stream-test-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = directory;
  try {
    await work().catch(() => {});
    return readdirSync(directory);
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    await rm(directory, { recursive: true, force: true });
  }
}

describe('an effect from a file larger than the memory allowed', () => {
  const spills: SpillDirectory[] = [];
  afterEach(() => {
    for (const spill of spills.splice(0)) spill.remove();
  });

  it('streams the study through a file on disk to exactly the in-memory result', async () => {
    const path = await study(150_000, 5);
    // 150,000 rows of six columns need 8.4 MB; half of a 16 MB limit is the analysis's own: blocks
    // of 20 chunks (65,536 rows in memory), a warm start on a subsample, the overlap from disk.
    const spill = new SpillDirectory();
    spills.push(spill);
    const streamed = await withDatabase({}, (db) => streamStudy(db, path, spec, 2e6, spill));
    const inMemory = await estimateEffect(path, spec, { parallel: false });
    expect(streamed?.rows.n).toBe(inMemory.n);
    expect(await estimateEffect(path, spec, { memoryLimit: '16MB', parallel: true })).toEqual(inMemory);
  }, 60_000);

  it('leaves a treatment that is not 0/1 to the table way, which says so', async () => {
    const path = await files.file(
      `t,y,x\n${Array.from({ length: 100 }, (_, i) => `${i % 3},${i},${i % 7}`).join('\n')}\n`,
    );
    const spill = new SpillDirectory();
    spills.push(spill);
    expect(
      await withDatabase({}, (db) =>
        streamStudy(db, path, { treatment: 't', outcome: 'y', covariates: ['x'] }, 64 * 1024, spill),
      ),
    ).toBeUndefined();
  });

  it.each([
    ['a column named twice', { treatment: 't', outcome: 'y', covariates: ['x', 'x'] }],
    ['a text column', { treatment: 't', outcome: 'y', covariates: ['label'] }],
    ['a column not in the file', { treatment: 't', outcome: 'y', covariates: ['z'] }],
  ])('leaves %s to the table way, which words the error', async (_, request) => {
    const path = await files.file(
      `t,y,x,label\n${Array.from({ length: 100 }, (_, i) => `${i % 2},${i},${i % 7},l${i % 3}`).join('\n')}\n`,
    );
    const spill = new SpillDirectory();
    spills.push(spill);
    expect(await withDatabase({}, (db) => streamStudy(db, path, request, 64 * 1024, spill))).toBeUndefined();
  });

  it('removes its files on disk when the estimate fails', async () => {
    // One treated row: the study is written, and then refused.
    const lines = [
      't,y,x',
      ...Array.from({ length: 300_000 }, (_, i) => `${i === 7 ? 1 : 0},${i % 13},${i % 7}`),
    ];
    const path = await files.file(`${lines.join('\n')}\n`);
    let error: unknown;
    const left = await leftBehind(() =>
      estimateEffect(
        path,
        { treatment: 't', outcome: 'y', covariates: ['x'] },
        { memoryLimit: '16MB' },
      ).catch((caught) => {
        error = caught;
      }),
    );
    expect(error).toBeInstanceOf(BadDataError);
    expect((error as Error).message).toBe(
      'An effect needs at least two treated and two untreated rows with complete data; there are 1 treated and 299999 untreated.',
    );
    expect(left).toEqual([]);
  });
});

describe('a study file', () => {
  it('gives back its rows a block at a time, a last block full or short, and says when it was cut short', async () => {
    const spill = new SpillDirectory();
    try {
      for (const rows of [2048, 2100]) {
        const file = new StudyFile(spill, 1, 1024);
        for (let i = 0; i < rows; i++) file.push(i, i % 2, [-i]);
        const layout = file.close();
        const seen: number[] = [];
        studyRows({ file: layout }).forEachBlock(({ y, covariates }) => {
          for (let i = 0; i < y.length; i++) if (covariates[0]![i] === -y[i]!) seen.push(y[i]!);
        });
        expect(seen).toEqual(Array.from({ length: rows }, (_, i) => i));
        if (rows === 2100) {
          truncateSync(layout.path, 1024 * 3 * 8 + 8);
          expect(() => studyRows({ file: layout }).forEachBlock(() => {})).toThrow(/ended early/);
        }
      }
    } finally {
      spill.remove();
    }
  });
});

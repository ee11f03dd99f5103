import { describe, expect, it } from 'vitest';
import { withDatabase } from '../../../src/data/database';
import { seededRandom } from '../../../src/datasets/random';
import { profileCsv } from '../../../src/engines/profile/profile';
import { profileStream } from '../../../src/engines/profile/profile-stream';
import { scratchDirectory } from '../../support/files';

const files = scratchDirectory();

/** Numbers with gaps and ties, whole numbers, a category and a free-text column. */
function file(rows: number): string {
  const random = seededRandom(99);
  const lines = ['x,y,count,group,id'];
  for (let i = 0; i < rows; i++) {
    const x = random.normal(10, 3);
    const y = random.bernoulli(0.04) ? '' : (0.3 * x + random.normal()).toFixed(4);
    lines.push(
      `${x.toFixed(3)},${y},${random.bernoulli(0.02) ? 'NA' : random.integer(0, 7)},${random.pick(['a', 'b', 'c'])},id-${i}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('profiling a file larger than the memory allowed', () => {
  it('streams it through files on disk to the numbers of the in-memory profile', async () => {
    const path = await files.file(file(30_000));
    const inMemory = await profileCsv(path, { parallel: false });
    // 64 KB: batches of a few thousand rows, and columns described in passes over ranges of their values.
    const streamed = await withDatabase({}, (db) => profileStream(db, path, { bytes: 64 * 1024 }));
    expect(streamed).toEqual(inMemory);
  });

  it('takes that way by itself under ANALYSIS_MEMORY_LIMIT, and the same answer comes back', async () => {
    const path = await files.file(file(250_000));
    const inMemory = await profileCsv(path, { parallel: false });
    // 250,000 rows of these columns need 10 MB; half of a 16 MB limit is the analysis's own.
    expect(await profileCsv(path, { memoryLimit: '16MB', parallel: true })).toEqual(inMemory);
  }, 30_000);

  it('gives up on a file that turns out not to be plain, for the table way to read', async () => {
    const path = await files.file(`${file(30_000)}1.5,oops,3,a,id-x\n`);
    expect(await withDatabase({}, (db) => profileStream(db, path, { bytes: 64 * 1024 }))).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/datasets/random';
import { byHelper, type PassJob, runner } from '../../../src/engines/causal/passes';
import { gramPass } from '../../../src/engines/causal/regression';
import { columnRows, passRanges, studyRows } from '../../../src/engines/causal/study-rows';
import type { PendingWorker } from '../../../src/parallel/worker';

const random = seededRandom(31);
const column = () => Float64Array.from({ length: 5000 }, () => random.normal());
const rows = columnRows({
  y: column(),
  t: column().map((v) => (v > 0 ? 1 : 0)),
  covariates: [column(), column()],
});

/** A helper that takes the first `count` ranges as soon as it is asked, then answers with them, or fails. */
function helperTaking(count: number, fails: boolean): PendingWorker<unknown> {
  const ask = <R>(data: unknown): Promise<R> => {
    const job = data as PassJob;
    const done: [number, Float64Array][] = [];
    for (let taken = 0; taken < count; taken++) {
      const index = Atomics.add(job.claims, 0, 1);
      Atomics.store(job.claims, 1 + index, byHelper);
      done.push([index, gramPass.run(studyRows(job.source), index, {})]);
    }
    return fails ? Promise.reject(new Error('the helper failed')) : Promise.resolve(done as R);
  };
  return { ask, run: ask, close: () => {} };
}

describe('a pass over the rows in ranges', () => {
  it('merges the ranges in order, whichever thread took them', async () => {
    const alone = await runner(rows).run(gramPass, {});
    expect(await runner(rows, helperTaking(5, false)).run(gramPass, {})).toEqual(alone);
    expect(await runner(rows, helperTaking(passRanges, false)).run(gramPass, {})).toEqual(alone);
  });

  it('does here the ranges a helper took and then failed to finish', async () => {
    const alone = await runner(rows).run(gramPass, {});
    expect(await runner(rows, helperTaking(3, true)).run(gramPass, {})).toEqual(alone);
  });
});

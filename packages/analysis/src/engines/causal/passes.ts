import type { PendingWorker } from '../../parallel/worker';
import { passRanges, type StudyRows, type StudySource } from './study-rows';

/**
 * A pass over a study's rows as ranges of whole chunks (study-rows.ts), and how the ranges'
 * results add up. A runner lets a helper thread (effect-helper-worker.ts, which knows every pass
 * by its name) take ranges while this one does: each thread claims the next range from a shared
 * counter until none is left, so a thread the machine keeps waiting holds up the pass by a range
 * at most, never by half of it. The ranges' results are always merged in range order, so the
 * numbers are the same to the last bit whichever thread did which, or with no helper at all.
 */
export interface Pass<P, A> {
  /** What the helper knows the pass by. */
  name: string;
  /** The pass over the rows of range `index` (rangeOf). */
  run(rows: StudyRows, index: number, params: P): A;
  /** Two ranges' results as one, the earlier's first. */
  merge(first: A, second: A): A;
}

/**
 * A helper thread's job: ranges of one pass over the rows `source` names, claimed from `claims`
 * (its first value the next range to take, then each range's taker: 1 this thread, 2 the helper).
 */
export interface PassJob {
  pass: string;
  source: StudySource;
  params: unknown;
  claims: Int32Array;
}

const byThis = 1;
export const byHelper = 2;

/** Takes ranges from `claims` until none is left, running each: the loop both threads run. */
export function takeRanges<A>(claims: Int32Array, taker: number, run: (index: number) => A): [number, A][] {
  const done: [number, A][] = [];
  for (;;) {
    const index = Atomics.add(claims, 0, 1);
    if (index >= passRanges) return done;
    Atomics.store(claims, 1 + index, taker);
    done.push([index, run(index)]);
  }
}

export interface Runner {
  readonly rows: StudyRows;
  /** The pass over all rows. */
  run<P, A>(pass: Pass<P, A>, params: P): Promise<A>;
  /** A runner over other rows (held in memory shared with the helper, or on disk), with the same helper. */
  over(rows: StudyRows): Runner;
}

/** Runs passes over `rows`, with `helper` taking ranges if there is one (and this thread any it fails to finish). */
export function runner(rows: StudyRows, helper?: PendingWorker<unknown>): Runner {
  return {
    rows,
    async run<P, A>(pass: Pass<P, A>, params: P): Promise<A> {
      const claims = new Int32Array(new SharedArrayBuffer(4 * (1 + passRanges)));
      const job: PassJob = { pass: pass.name, source: rows.source, params, claims };
      const theirs = helper?.ask<[number, A][]>(job).catch(() => []);
      const results = new Array<A | undefined>(passRanges);
      for (const [index, result] of takeRanges(claims, byThis, (index) => pass.run(rows, index, params)))
        results[index] = result;
      // Ranges this thread did not take are the helper's: wait for them only if there are any.
      if (results.includes(undefined)) {
        for (const [index, result] of (await theirs) ?? []) results[index] = result;
        // A helper that failed leaves its ranges to this thread.
        for (let index = 0; index < passRanges; index++) results[index] ??= pass.run(rows, index, params);
      }
      return (results as A[]).reduce((merged, result) => pass.merge(merged, result));
    },
    over: (other) => runner(other, helper),
  };
}

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SpillDirectory } from '../../src/data/spill';
import { seededRandom } from '../../src/datasets/random';
import { fitPropensity } from '../../src/engines/causal/logistic';
import { runner } from '../../src/engines/causal/passes';
import { gramPass } from '../../src/engines/causal/regression';
import { StudyFile } from '../../src/engines/causal/study-file';
import { columnRows, passRanges, studyRows } from '../../src/engines/causal/study-rows';
import { describeColumn } from '../../src/engines/profile/column-stats';
import { runWorker, startWorker } from '../../src/parallel/worker';

const module = new URL('../support/double-worker.ts', import.meta.url);

describe('worker threads', () => {
  it('run a TypeScript module on shared memory and return its answer', async () => {
    const values = new Float64Array(new SharedArrayBuffer(4 * 8));
    values.set([1, 2, 3, 4]);
    expect(await runWorker<number>(module, { values })).toBe(20);
    // Shared memory: the worker's writes are visible here, nothing was copied.
    expect([...values]).toEqual([2, 4, 6, 8]);
  });

  it('reject when the work throws', async () => {
    await expect(runWorker(module, { values: new Float64Array(1), fail: true })).rejects.toThrow(
      'asked to fail',
    );
  });
});

describe("an effect's helper module", () => {
  it('takes ranges of a pass over the rows, as this thread would', async () => {
    const { work } = await import('../../src/engines/causal/effect-helper-worker');
    const random = seededRandom(4);
    const column = () => Float64Array.from({ length: 1500 }, () => random.normal());
    const source = {
      columns: { y: column(), t: column().map((v) => (v > 0 ? 1 : 0)), covariates: [column()] },
    };
    // Every range is left to it: the counter says none is taken yet.
    const claims = new Int32Array(new SharedArrayBuffer(4 * (1 + passRanges)));
    const rows = studyRows(source);
    expect(work({ pass: 'gram', source, params: {}, claims })).toEqual(
      Array.from({ length: passRanges }, (_, index) => [index, gramPass.run(rows, index, {})]),
    );
  });

  it('opens a study file once for every pass over it, and counts the lines of a part of a file', async () => {
    const { work } = await import('../../src/engines/causal/effect-helper-worker');
    const spill = new SpillDirectory();
    try {
      const file = new StudyFile(spill, 1, 1024);
      for (let i = 0; i < 2500; i++) file.push(i % 7, i % 2, [i % 5]);
      const source = { file: file.close() };
      const expected = Array.from({ length: passRanges }, (_, index) => [
        index,
        gramPass.run(studyRows(source), index, {}),
      ]);
      for (let pass = 0; pass < 2; pass++) {
        const claims = new Int32Array(new SharedArrayBuffer(4 * (1 + passRanges)));
        expect(work({ pass: 'gram', source, params: {}, claims })).toEqual(expected);
      }
      const text = join(spill.path, 'lines.csv');
      await writeFile(text, 'a\n1\n2\n3\n');
      expect(work({ count: { path: text, start: 2, end: 8 } })).toEqual({ lines: 3, quoted: false });
    } finally {
      spill.remove();
    }
  });
});

describe('the analysis worker modules, run as worker threads', () => {
  const shared = (values: number[]) => {
    const out = new Float64Array(new SharedArrayBuffer(values.length * 8));
    out.set(values);
    return out;
  };

  it('describes columns as this thread does', async () => {
    const columns = [shared([3, 1, Number.NaN, 2, 2]), shared([0.5, -1, 4, 4, 8])];
    const here = columns.map((column) => describeColumn(column));
    const there = await runWorker(
      new URL('../../src/engines/profile/column-stats-worker.ts', import.meta.url),
      {
        columns,
      },
    );
    expect(there).toEqual(here);
  });

  it("runs half of an effect's passes and gives this thread's numbers, from shared columns and from a study file", async () => {
    const rows = 3000;
    const random = seededRandom(23);
    const x = shared(Array.from({ length: rows }, () => random.normal()));
    const t = shared([...x].map((v) => (random.bernoulli(1 / (1 + Math.exp(-v))) ? 1 : 0)));
    const y = shared([...x].map((v, i) => 2 * t[i]! + v + random.normal()));
    const study = columnRows({ y, t, covariates: [x] });
    const alone = await fitPropensity(runner(study));
    const helper = startWorker(new URL('../../src/engines/causal/effect-helper-worker.ts', import.meta.url));
    const spill = new SpillDirectory();
    try {
      expect(await fitPropensity(runner(study, helper))).toEqual(alone);
      // The same rows written to disk in blocks of two chunks.
      const file = new StudyFile(spill, 1, 1024);
      for (let i = 0; i < rows; i++) file.push(y[i]!, t[i]!, [x[i]!]);
      expect(await fitPropensity(runner(studyRows({ file: file.close() }), helper))).toEqual(alone);
    } finally {
      helper.close();
      spill.remove();
    }
  });
});

describe('a worker started ahead of its data', () => {
  it('answers once the data comes', async () => {
    const pending = startWorker<number>(module);
    const values = new Float64Array(new SharedArrayBuffer(2 * 8));
    values.set([5, 6]);
    expect(await pending.run({ values })).toBe(22);
  });

  it('can be let go without ever being given work', async () => {
    const pending = startWorker<number>(module);
    pending.close();
    await expect(pending.run({ values: new Float64Array(1) })).rejects.toThrow(/exited|terminated/i);
  });

  it('never holds the process open when it is given no work', async () => {
    const script = new URL('../support/abandon-worker.ts', import.meta.url).pathname;
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', script], { timeout: 20_000 }, (_, out) =>
        resolve({ code: child.exitCode, stdout: out }),
      );
    });
    expect(stdout).toBe('main thread done\n');
    expect(code).toBe(0);
  });
});

describe('a worker whose module cannot be built', () => {
  it('rejects when asked to run, so the caller can do the work itself', async () => {
    const missing = new URL('../support/no-such-worker.ts', import.meta.url);
    await expect(runWorker(missing, {})).rejects.toThrow(/Could not resolve|no-such-worker/);
  });
});

describe('a worker built ahead of time beside a bundle', () => {
  it('is started as it is, without building the module it is named after', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cascade-prebuilt-'));
    try {
      // What the task image's build puts beside its bundle for `./answer.ts` (which does not exist here).
      await writeFile(
        join(directory, 'answer.mjs'),
        `import { parentPort } from 'node:worker_threads';
parentPort.once('message', (data) => parentPort.postMessage({ prebuilt: data }));
`,
      );
      expect(await runWorker(pathToFileURL(join(directory, 'answer.ts')), 7)).toEqual({ prebuilt: 7 });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

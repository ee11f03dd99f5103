import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../src/datasets/random';
import { logistic } from '../src/engines/causal/logistic';
import { type WeightingRequest, weighting } from '../src/engines/causal/weighting';
import { describeColumn } from '../src/engines/profile/column-stats';
import { runWorker, startWorker } from '../src/parallel/worker';

const module = new URL('./support/double-worker.ts', import.meta.url);

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

describe('the regression worker module', () => {
  it('answers with the adjustment, or with the collinear column', async () => {
    const { work } = await import('../src/engines/causal/regression-worker');
    const t = Float64Array.from([1, 0, 1, 0, 1, 0]);
    const x = Float64Array.from([1, 2, 2, 3, 5, 4]);
    const y = Float64Array.from([3, 1, 4, 2, 6, 3]);
    const answer = work({ t, covariates: [x], y });
    expect('ok' in answer && answer.ok.df).toBe(3);
    expect(work({ t, covariates: [t], y })).toEqual({ collinear: 2 });
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
    const there = await runWorker(new URL('../src/engines/profile/column-stats-worker.ts', import.meta.url), {
      columns,
    });
    expect(there).toEqual(here);
  });

  it('weighs as this thread does', async () => {
    const rows = 400;
    const random = seededRandom(23);
    const x = shared(Array.from({ length: rows }, () => random.normal()));
    const t = shared([...x].map((v) => (random.bernoulli(1 / (1 + Math.exp(-v))) ? 1 : 0)));
    const y = shared([...x].map((v, i) => 2 * t[i]! + v + random.normal()));
    const fit = logistic([x], t, { shared: true });
    const request: WeightingRequest = {
      y,
      t,
      e: fit.probabilities,
      design: fit.design,
      methods: ['ipw_hajek', 'ipw_horvitz_thompson', 'ipw_att'],
      overlap: true,
    };
    const there = await runWorker(
      new URL('../src/engines/causal/weighting-worker.ts', import.meta.url),
      request,
    );
    expect(there).toEqual(weighting(request));
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
    const script = new URL('./support/abandon-worker.ts', import.meta.url).pathname;
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
    const missing = new URL('./support/no-such-worker.ts', import.meta.url);
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

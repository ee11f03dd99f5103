import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { bundleSource, bundleSourceAsync, prebuiltBeside } from './bundle';
import { workerEntry } from './bundle-options.mjs';

export interface PendingWorker<T> {
  /** Sends the data and resolves with the worker's answer; the worker ends afterwards either way. */
  run(data: unknown): Promise<T>;
  /** Sends the data and resolves with the worker's answer; the worker stays for more work. */
  ask<R = T>(data: unknown): Promise<R>;
  /** Ends the worker now, answered or not; a pending answer then rejects. */
  close(): void;
}

const bundles = new Map<string, URL>();

/**
 * The module and everything it imports as one plain JavaScript module that answers one message:
 * the file built ahead of time beside a bundled engine, else a data: URL built once per process.
 * A worker that loaded TypeScript through tsx itself spent about a quarter of a second of CPU
 * starting up; the first build here takes tens of milliseconds and later ones none. Synchronous
 * on purpose: the caller usually goes on with synchronous work of its own, and an asynchronous
 * build would wait for it to finish.
 */
function bundle(module: URL): URL {
  let url = bundles.get(module.href);
  if (!url) {
    // A bundled copy of the engine finds the worker built ahead of time beside it (the task
    // image), or cannot build one (the Dispatch Lambda): the worker then fails to start and the
    // caller does the work itself.
    url = prebuiltBeside(module);
    if (!url) {
      const path = fileURLToPath(module);
      const text = bundleSource(workerEntry(path), dirname(path), 'worker-entry.js');
      url = new URL(`data:text/javascript;base64,${Buffer.from(text).toString('base64')}`);
    }
    bundles.set(module.href, url);
  }
  return url;
}

/**
 * Builds a worker's module in the background (esbuild in its own process), so that a later
 * startWorker finds it ready instead of building it while the caller waits. Never fails: a
 * module that cannot be built here fails at startWorker, as it would have.
 */
export async function prepareWorker(module: URL): Promise<void> {
  if (bundles.has(module.href)) return;
  const prebuilt = prebuiltBeside(module);
  try {
    const path = fileURLToPath(module);
    const url =
      prebuilt ??
      new URL(
        `data:text/javascript;base64,${Buffer.from(await bundleSourceAsync(workerEntry(path), dirname(path), 'worker-entry.js')).toString('base64')}`,
      );
    bundles.set(module.href, url);
  } catch {
    // startWorker tries again, and its caller falls back to doing the work itself.
  }
}

/**
 * Starts a worker thread for `work(data)` from a TypeScript module (which exports `work`) before
 * the data is ready, so its start-up overlaps the caller's own work. Typed arrays over
 * SharedArrayBuffers reach the worker without a copy.
 */
export function startWorker<T>(module: URL): PendingWorker<T> {
  let worker: Worker;
  try {
    // No --import tsx for the thread: the bundle is plain JavaScript.
    worker = new Worker(bundle(module), { execArgv: [] });
  } catch (error) {
    // The callers fall back to doing the work themselves when `run` rejects.
    const refused = () => Promise.reject(error);
    return { run: refused, ask: refused, close: () => {} };
  }
  // Answers come in the order the jobs were sent.
  const waiting: { resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
    for (const pending of waiting.splice(0)) pending.reject(failure);
  };
  worker.on('message', (answer) => {
    waiting.shift()?.resolve(answer);
    // Idle, the worker must not keep the process alive: a caller that fails before sending more
    // simply leaves it behind.
    if (waiting.length === 0) worker.unref();
  });
  worker.once('error', fail);
  worker.once('exit', (code) => fail(new Error(`The worker exited with code ${code} before answering`)));
  worker.unref();
  const ask = <R>(data: unknown) => {
    if (failure !== undefined) return Promise.reject(failure);
    const answer = new Promise<R>((resolve, reject) => {
      waiting.push({ resolve: resolve as (value: unknown) => void, reject });
    });
    worker.ref();
    worker.postMessage(data);
    return answer;
  };
  return {
    ask,
    run(data) {
      const answer = ask<T>(data);
      // Observed here so an answer nobody asks for (the caller failed first) is no unhandled rejection.
      answer.catch(() => {});
      return answer.finally(() => void worker.terminate());
    },
    close() {
      void worker.terminate();
    },
  };
}

/** Runs `work(data)` from a TypeScript module in a worker thread and resolves with its result. */
export function runWorker<T>(module: URL, data: unknown): Promise<T> {
  return startWorker<T>(module).run(data);
}

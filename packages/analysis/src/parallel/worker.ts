import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { bundleSource, prebuiltBeside } from './bundle';
import { workerEntry } from './bundle-options.mjs';

export interface PendingWorker<T> {
  /** Sends the data and resolves with the worker's answer; the worker ends afterwards either way. */
  run(data: unknown): Promise<T>;
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
    return { run: () => Promise.reject(error), close: () => {} };
  }
  const answer = new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`The worker exited with code ${code} before answering`)));
  });
  // Until it has work, the worker must not keep the process alive: a caller that fails before
  // sending data simply leaves it behind. (After the listeners: adding one refs the worker again.)
  worker.unref();
  // Observed here so an answer nobody asks for (the caller failed first) is no unhandled rejection.
  answer.catch(() => {});
  return {
    run(data) {
      worker.ref();
      worker.postMessage(data);
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

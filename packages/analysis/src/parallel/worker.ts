import { Worker } from 'node:worker_threads';

const entry = new URL('./entry.mjs', import.meta.url);

export interface PendingWorker<T> {
  /** Sends the data and resolves with the worker's answer; the worker ends afterwards either way. */
  run(data: unknown): Promise<T>;
}

/**
 * Starts a worker thread for `work(data)` from a TypeScript module before the data is ready, so
 * its start-up (loading tsx and the module) overlaps the caller's own work. Typed arrays over
 * SharedArrayBuffers reach the worker without a copy.
 */
export function startWorker<T>(module: URL): PendingWorker<T> {
  const worker = new Worker(entry, { workerData: { module: module.href } });
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
  };
}

/** Runs `work(data)` from a TypeScript module in a worker thread and resolves with its result. */
export function runWorker<T>(module: URL, data: unknown): Promise<T> {
  return startWorker<T>(module).run(data);
}

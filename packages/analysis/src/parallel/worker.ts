import { Worker } from 'node:worker_threads';

const entry = new URL('./entry.mjs', import.meta.url);

/**
 * Runs `work(data)` from a TypeScript module in a worker thread and resolves with its result.
 * Typed arrays over SharedArrayBuffers reach the worker without a copy. The worker ends
 * afterwards either way.
 */
export function runWorker<T>(module: URL, data: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(entry, { workerData: { module: module.href, data } });
    worker.once('message', (message: T) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`The worker exited with code ${code} before answering`)));
  });
}

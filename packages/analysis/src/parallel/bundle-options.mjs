/**
 * How the engine's TypeScript becomes one plain JavaScript ES module for a thread or process of
 * its own: bundle.ts builds worker threads' code and the query's process with these at run time
 * from the sources, and scripts/build-engine-layer.mjs (the Dispatch Lambda's layer) and
 * packages/analysis/scripts/build-task.mjs (the task image) build them ahead of time. Plain
 * JavaScript, so those scripts (run by plain Node and inside the SST app) share them.
 */
export const bundleOptions = Object.freeze({
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'silent',
});

/** A worker thread's entry: load the module at `path`, then answer each message with `work(data)`, in turn. */
export const workerEntry = (path) => `
import { parentPort } from 'node:worker_threads';
import { work } from ${JSON.stringify(path)};
let queue = Promise.resolve();
parentPort.on('message', (data) => {
  queue = queue.then(async () => parentPort.postMessage(await work(data)));
});
`;

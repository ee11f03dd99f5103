/**
 * How the engine's TypeScript becomes one plain JavaScript ES module for a thread or process of
 * its own: bundle.ts builds worker threads' code and the query's process with these at run time
 * from the sources, and scripts/build-engine-layer.mjs builds the query's process for the
 * Dispatch Lambda's layer with them. Plain JavaScript, so that script (run by plain Node and
 * inside the SST app) shares them.
 */
export const bundleOptions = Object.freeze({
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'silent',
});

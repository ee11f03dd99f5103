/** esbuild's options for a module a worker thread or the query's own process runs (bundle-options.mjs). */
export declare const bundleOptions: {
  readonly bundle: true;
  readonly format: 'esm';
  readonly platform: 'node';
  readonly target: 'node20';
  readonly logLevel: 'silent';
};

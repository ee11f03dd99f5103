/** esbuild's options for a module a worker thread or the query's own process runs (bundle-options.mjs). */
export declare const bundleOptions: {
  readonly bundle: true;
  readonly format: 'esm';
  readonly platform: 'node';
  readonly target: 'node20';
  readonly logLevel: 'silent';
};

/** The source of a worker thread's entry module for the module at `path`, which exports `work`. */
export declare function workerEntry(path: string): string;

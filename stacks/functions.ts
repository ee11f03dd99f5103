import { queryChildFile } from '../scripts/build-engine-layer.mjs';

/**
 * How the functions are built. What each one is (handler, access, timeout, memory) is declared
 * once in @cascade/functions/definitions, which the local cloud reads as well.
 */

/** How every function is built, for SST and for the bundle test alike. */
export const bundling = {
  runtime: 'nodejs22.x',
  architecture: 'arm64',
  format: 'esm',
  minify: true,
  /** The Lambda Node.js runtime ships the AWS SDK v3. */
  external: ['@aws-sdk/*'],
} as const;

/**
 * How a function that runs the analysis engine differs. DuckDB is a native library, so it ships
 * as a layer (scripts/build-engine-layer.mjs, ~24 MB zipped) rather than in the bundle; the
 * bundle leaves `@duckdb/*` to it. x86-64, not arm64: the layer's binary is then the very one the
 * offline tests load and run (test/infra/engine.test.ts), on this one function only. The layer
 * also carries the process each query runs in, which the environment names (Lambda unpacks a
 * layer in /opt): without it, each query would start a copy of the whole function's bundle.
 */
export const engineBundling = {
  architecture: 'x86_64',
  external: ['@duckdb/*'],
  environment: { CASCADE_QUERY_CHILD_SCRIPT: `/opt/${queryChildFile}` },
} as const;

import { createRequire } from 'node:module';

/**
 * DuckDB's packages, loaded with `require`: CommonJS resolution honours NODE_PATH, which is how a
 * Lambda layer's `/opt/nodejs/node_modules` is found (the Dispatch function gets DuckDB from the
 * engine layer, see scripts/build-engine-layer.mjs). Both packages are CommonJS anyway.
 */
const load = createRequire(import.meta.url);

export const duckdb = load('@duckdb/node-api') as typeof import('@duckdb/node-api');
export const bindings = load('@duckdb/node-bindings') as typeof import('@duckdb/node-bindings');

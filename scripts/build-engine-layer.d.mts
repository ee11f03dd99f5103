/**
 * Builds the engine layer (DuckDB for Linux x86-64, and the query child at queryChildFile) into
 * `directory` (default `<root>/.sst/layers/engine`) and returns it. `root` is the repository
 * (default: the one this script is in); a bundle of the script, like the SST app's, must pass it.
 */
export function buildEngineLayer(directory?: string, root?: string): string;
/** The DuckDB version the analysis package in `root` pins. */
export function engineVersion(root?: string): string;
/**
 * Where the layer keeps the query's own process (engines/query/query-child.ts bundled, DuckDB
 * left to the layer's node_modules), from the layer's root: on Lambda, `/opt/<queryChildFile>`.
 */
export const queryChildFile: string;

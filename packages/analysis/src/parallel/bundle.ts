import { createRequire } from 'node:module';

/**
 * A module written as `contents` (importing TypeScript sources from `resolveDir`) and everything
 * it imports, as one plain JavaScript ES module: what worker threads and the query's own process
 * run, so neither pays for loading tsx (about a quarter second of CPU). esbuild is loaded on
 * first use: a bundled copy of the engine (the Dispatch Lambda) has neither esbuild nor sources,
 * and its callers know what to do without it.
 */
export function bundleSource(contents: string, resolveDir: string, sourcefile: string): string {
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const [output] = buildSync({
    stdin: { contents, resolveDir, sourcefile },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  }).outputFiles;
  return output!.text;
}

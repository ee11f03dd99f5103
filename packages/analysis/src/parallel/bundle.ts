import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bundleOptions } from './bundle-options.mjs';

/**
 * A module written as `contents` (importing TypeScript sources from `resolveDir`) and everything
 * it imports, as one plain JavaScript ES module: what worker threads and the query's own process
 * run, so neither pays for loading tsx (about a quarter second of CPU). esbuild is loaded on
 * first use: a bundled copy of the engine (the Dispatch Lambda) has neither esbuild nor sources,
 * and its callers know what to do without it (its query process is built with the same options
 * ahead of time, into the engine layer: scripts/build-engine-layer.mjs).
 */
export function bundleSource(contents: string, resolveDir: string, sourcefile: string): string {
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const [output] = buildSync({
    ...bundleOptions,
    stdin: { contents, resolveDir, sourcefile },
    write: false,
  }).outputFiles;
  return output!.text;
}

/** bundleSource without blocking: esbuild works in its own process while this thread goes on. */
export async function bundleSourceAsync(
  contents: string,
  resolveDir: string,
  sourcefile: string,
): Promise<string> {
  const { build } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const { outputFiles } = await build({
    ...bundleOptions,
    stdin: { contents, resolveDir, sourcefile },
    write: false,
  });
  return outputFiles[0]!.text;
}

/**
 * The module built ahead of time beside a bundled engine, if there is one: a bundle still names
 * `./x.ts` relative to itself, and the task image's build (scripts/build-task.mjs) puts `x.mjs`
 * there, since the image has neither sources nor esbuild to build it at run time.
 */
export function prebuiltBeside(module: URL): URL | undefined {
  if (!module.pathname.endsWith('.ts')) return undefined;
  const prebuilt = new URL(module.href.replace(/\.ts$/, '.mjs'));
  return existsSync(prebuilt) ? prebuilt : undefined;
}

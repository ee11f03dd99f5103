// The analysis engine as the task image runs it: packages/analysis/scripts/build-task.mjs bundles the
// command line and builds every worker thread ahead of time, and the bench's own entry points are
// bundled beside them the same way, so a measured run loads neither tsx nor esbuild.
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleOptions } from '@cascade/analysis/bundle-options';
import { buildSync } from 'esbuild';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const requireBanner =
  "import { createRequire as topLevelCreateRequire } from 'node:module';\nconst require = topLevelCreateRequire(import.meta.url);";

/** Builds the engine and the named entry points (files beside this one); returns each entry's built path. */
export function buildEngine(entries: readonly string[]): Record<string, string> {
  const out = join(tmpdir(), 'cascade-bench', 'engine');
  execFileSync(process.execPath, [here('../../packages/analysis/scripts/build-task.mjs'), out], {
    stdio: 'ignore',
  });
  const built: Record<string, string> = {};
  for (const entry of entries) {
    const outfile = join(out, 'dist', entry.replace(/\.ts$/, '.mjs'));
    buildSync({
      ...bundleOptions,
      entryPoints: [here(`./${entry}`)],
      outfile,
      banner: { js: requireBanner },
      external: ['@duckdb/*'],
    });
    built[entry] = outfile;
  }
  return built;
}

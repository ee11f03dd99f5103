#!/usr/bin/env node
// Builds the Lambda layer that carries the analysis engine's native part (DuckDB for Linux x86-64)
// and the process a query runs in, for the Dispatch function, which runs small analyses itself:
// `node scripts/build-engine-layer.mjs [dir]`.
// The layer is `<dir>/nodejs/node_modules/@duckdb/…`, where the Lambda Node.js runtime's NODE_PATH
// finds it, and `<dir>/nodejs/cascade/query-child.mjs` (queryChildFile), which Dispatch starts for
// each query (engines/query/isolation.ts). npm picks the linux-x64 (glibc) binary whatever machine
// deploys, so a Mac builds it too. DuckDB already installed for the pinned version is kept; the
// query child is built every time (a fraction of a second) and written only when it changed.
// The SST app imports this module into its own bundle (.sst/platform/sst.config.<n>.mjs), where
// import.meta.url no longer points here: it passes the repository root ($cli.paths.root) itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleOptions } from '@cascade/analysis/bundle-options';

/** The repository this file is in, when it runs as itself (the command line, the tests). */
const scriptRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The query's process in the layer, from the layer's root (Lambda unpacks a layer in /opt). */
export const queryChildFile = 'nodejs/cascade/query-child.mjs';

/** The DuckDB version the analysis package pins: the layer must match it. */
export function engineVersion(root = scriptRoot) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages/analysis/package.json'), 'utf8'));
  return pkg.dependencies['@duckdb/node-api'];
}

/**
 * The query's own process (engines/query/query-child.ts) and everything it imports as one
 * JavaScript file, built with the options the engine uses for it from the sources
 * (parallel/bundle-options.mjs). DuckDB stays outside: the child loads it with `require` from the
 * layer's node_modules. Minified, as SST builds the function itself: no comments naming where the
 * repository was checked out, so the same sources give the same layer.
 */
function queryChildSource(root) {
  // The repository's esbuild (the one the engine uses from its sources), whatever bundle this runs in.
  const { buildSync } = createRequire(join(root, 'package.json'))('esbuild');
  const [output] = buildSync({
    ...bundleOptions,
    absWorkingDir: root,
    entryPoints: [join(root, 'packages/analysis/src/engines/query/query-child.ts')],
    external: ['@duckdb/*'],
    minify: true,
    keepNames: true,
    write: false,
  }).outputFiles;
  return output.text;
}

/**
 * Writes the query child into the layer when it differs from what is there, under a private name
 * outside the layer first and then renamed: a test or synthesis copying or zipping the layer at
 * the same time sees the old file or the new one, never half of one or a stray temporary file.
 */
function writeQueryChild(directory, root) {
  const text = queryChildSource(root);
  const file = join(directory, queryChildFile);
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  mkdirSync(dirname(file), { recursive: true });
  const partial = join(dirname(directory), `.${queryChildFile.replaceAll('/', '-')}.${process.pid}`);
  writeFileSync(partial, text);
  renameSync(partial, file);
}

export function buildEngineLayer(directory, root = scriptRoot) {
  directory ??= join(root, '.sst/layers/engine');
  const version = engineVersion(root);
  const stamp = join(directory, 'nodejs', '.engine-version');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== version) installDuckDB(directory, version);
  writeQueryChild(directory, root);
  return directory;
}

function installDuckDB(directory, version) {
  rmSync(directory, { recursive: true, force: true });
  const nodejs = join(directory, 'nodejs');
  mkdirSync(nodejs, { recursive: true });
  writeFileSync(
    join(nodejs, 'package.json'),
    `${JSON.stringify({ name: 'cascade-engine-layer', private: true }, null, 2)}\n`,
  );
  execFileSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--omit=dev',
      '--no-package-lock',
      '--os=linux',
      '--cpu=x64',
      '--libc=glibc',
      `@duckdb/node-api@${version}`,
    ],
    { cwd: nodejs, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  writeFileSync(join(nodejs, '.engine-version'), version);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const directory = buildEngineLayer(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`Engine layer (DuckDB ${engineVersion()}, linux-x64, and ${queryChildFile}) in ${directory}`);
}

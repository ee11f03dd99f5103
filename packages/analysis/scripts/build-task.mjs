#!/usr/bin/env node
// Builds what the analysis task image runs (packages/analysis/Dockerfile) into a directory laid out
// as the image's /app: `node packages/analysis/scripts/build-task.mjs <dir>`, after `npm ci`.
//   dist/cascade-analysis.mjs  the command line (src/cli/run.ts) and all it imports but DuckDB
//   dist/<module>.mjs          each worker thread and the query's process, built ahead of time: a
//                              bundle looks for them beside itself (parallel/bundle.ts, prebuiltBeside)
//   node_modules/...           DuckDB's packages as npm installed them from the lockfile (the native
//                              binding for this platform), and what they need at run time
// One JavaScript file per process starts faster than tsx compiling the sources, and needs no
// TypeScript, esbuild or sources in the image.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { bundleOptions, workerEntry } from '../src/parallel/bundle-options.mjs';

const packageDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(packageDirectory, 'src/cli/run.ts');

/** Minified with names kept, as the engine layer's query child and SST's functions are. */
const options = { ...bundleOptions, minify: true, keepNames: true, external: ['@duckdb/*'] };

/** `require` for the CommonJS inside an ES module bundle (the AWS SDK's), as SST's banner gives it. */
const requireBanner =
  "import { createRequire as topLevelCreateRequire } from 'node:module';\nconst require = topLevelCreateRequire(import.meta.url);";

/** Bundles the command line; returns the source files that went into it. */
function buildCommandLine(dist) {
  const { metafile } = buildSync({
    ...options,
    entryPoints: [entry],
    outfile: join(dist, 'cascade-analysis.mjs'),
    banner: { js: requireBanner },
    metafile: true,
  });
  return Object.keys(metafile.inputs).map((input) => resolve(input));
}

/**
 * The modules the bundled code starts as a thread or a process of their own: each one the sources
 * name as `new URL('./x.ts', import.meta.url)`. A bundle resolves that name beside itself.
 */
function helperModules(inputs) {
  const named = /new URL\((['"])\.\/([\w.-]+)\.ts\1,\s*import\.meta\.url\)/g;
  const modules = new Set();
  for (const input of inputs.filter((file) => file.endsWith('.ts') && !file.includes('node_modules')))
    for (const [, , name] of readFileSync(input, 'utf8').matchAll(named))
      modules.add(join(dirname(input), `${name}.ts`));
  return [...modules];
}

/** What a module exports, by esbuild's reading of it. */
function exportsOf(file) {
  const { metafile } = buildSync({ entryPoints: [file], write: false, metafile: true, logLevel: 'silent' });
  return Object.values(metafile.outputs)[0].exports;
}

/**
 * A worker thread's module (one that exports `work`) behind the entry parallel/worker.ts would
 * give it at run time, or a process's module as it is.
 */
function buildHelper(file, dist) {
  const outfile = join(dist, `${basename(file, '.ts')}.mjs`);
  if (existsSync(outfile)) throw new Error(`Two helper modules would both be ${outfile}`);
  if (exportsOf(file).includes('work'))
    buildSync({
      ...options,
      stdin: { contents: workerEntry(file), resolveDir: dirname(file), sourcefile: 'worker-entry.js' },
      outfile,
    });
  else buildSync({ ...options, entryPoints: [file], outfile });
}

/** Where Node would find package `name` from `directory`: the nearest node_modules that has it. */
function packageFrom(directory, name) {
  for (let at = directory; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(at) === at) return undefined;
  }
}

/**
 * Copies DuckDB's packages (loaded with `require` at run time, data/duckdb.ts, so never bundled)
 * and their dependencies, optional ones included when npm installed them for this platform.
 */
function copyRuntimePackages(out) {
  const manifest = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8'));
  const pending = Object.keys(manifest.dependencies)
    .filter((name) => name.startsWith('@duckdb/'))
    .map((name) => ({ name, from: packageDirectory, required: true }));
  const copied = new Map();
  while (pending.length > 0) {
    const { name, from, required } = pending.shift();
    const source = packageFrom(from, name);
    if (!source) {
      if (required) throw new Error(`${name} is not installed: run npm ci first`);
      continue;
    }
    if (copied.get(name) === source) continue;
    if (copied.has(name))
      throw new Error(`Two copies of ${name} are needed: ${copied.get(name)} and ${source}`);
    copied.set(name, source);
    cpSync(source, join(out, 'node_modules', name), { recursive: true });
    const pkg = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
    for (const dependency of Object.keys(pkg.dependencies ?? {}))
      pending.push({ name: dependency, from: source, required: true });
    for (const dependency of Object.keys(pkg.optionalDependencies ?? {}))
      pending.push({ name: dependency, from: source, required: false });
  }
  return [...copied.keys()];
}

function buildTask(out) {
  rmSync(out, { recursive: true, force: true });
  const dist = join(out, 'dist');
  mkdirSync(dist, { recursive: true });
  const helpers = helperModules(buildCommandLine(dist));
  for (const helper of helpers) buildHelper(helper, dist);
  const packages = copyRuntimePackages(out);
  return { helpers: helpers.map((file) => relative(packageDirectory, file)), packages };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error('Usage: node packages/analysis/scripts/build-task.mjs <output directory>');
    process.exit(2);
  }
  const { helpers, packages } = buildTask(resolve(out));
  console.log(
    `Built ${out}: dist/cascade-analysis.mjs; ahead of time ${helpers.join(', ')}; ${packages.join(', ')}`,
  );
}

import { builtinModules } from 'node:module';
import type { LambdaDefinition } from '@cascade/functions/definitions';
import type { BuildOptions } from 'esbuild';
import { bundling, engineBundling } from '../../stacks/functions';
import { root } from './platform';

/**
 * How SST bundles a Node.js function for a deploy (anomalyco/sst pkg/runtime/node/build.go), with
 * the options stacks/lambda.ts gives it (synthesis.test.ts checks the app passes exactly these):
 * one ESM file, minified, names kept, the target SST picks for the runtime, its banner, and the
 * externals of the function's definition. The bundle and engine tests build what Lambda will load.
 */

/** SST's esbuild target for each Lambda runtime. */
const sstTargets: Record<string, string> = {
  'nodejs24.x': 'es2024',
  'nodejs22.x': 'es2023',
  'nodejs20.x': 'es2023',
};

/** Packages SST always leaves out of a bundle (it would install them beside it if imported). */
const sstForceExternal = ['sharp', 'pg-native'];

/** SST's banner on an ESM bundle: `require`, `__filename` and `__dirname` for the CommonJS inside. */
const sstBanner = [
  "import { createRequire as topLevelCreateRequire } from 'module';",
  'const require = topLevelCreateRequire(import.meta.url);',
  'import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"',
  'const __filename = topLevelFileUrlToPath(import.meta.url)',
  'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))',
  '',
].join('\n');

export const handlerFile = (handler: string) => `${handler.slice(0, handler.lastIndexOf('.'))}.ts`;
export const handlerExport = (handler: string) => handler.slice(handler.lastIndexOf('.') + 1);

/** What the function leaves to Lambda: the runtime's AWS SDK, and the engine layer's DuckDB where it runs the engine. */
export const externalsOf = (definition: LambdaDefinition): string[] => [
  ...bundling.external,
  ...(definition.engine ? engineBundling.external : []),
];

export function lambdaBuildOptions(definition: LambdaDefinition) {
  const target = sstTargets[bundling.runtime];
  if (!target) throw new Error(`No SST target is known for ${bundling.runtime}`);
  return {
    absWorkingDir: root,
    entryPoints: [handlerFile(definition.handler)],
    bundle: true,
    platform: 'node',
    format: bundling.format,
    target,
    minify: bundling.minify,
    keepNames: true,
    mainFields: ['module', 'main'],
    external: [...sstForceExternal, ...externalsOf(definition)],
    banner: { js: sstBanner },
    metafile: true,
    logLevel: 'silent',
  } satisfies BuildOptions;
}

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Whether Lambda provides what a bundle imports: a Node built-in or one of the function's externals. */
export function providedToBundle(definition: LambdaDefinition, path: string): boolean {
  return (
    builtins.has(path) || externalsOf(definition).some((pattern) => path.startsWith(pattern.replace('*', '')))
  );
}

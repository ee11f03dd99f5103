import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { allFunctions, type LambdaDefinition } from '@cascade/functions/definitions';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import {
  externalsOf,
  handlerExport,
  handlerFile,
  lambdaBuildOptions,
  providedToBundle,
} from './lambda-build';
import { root } from './platform';

/**
 * What Lambda will load: each handler module bundled as SST bundles it for a deploy
 * (lambda-build.ts), the AWS SDK v3 left to the runtime and, for the function that runs the
 * analysis engine, DuckDB left to the engine layer. What a bundle costs is mostly its cold start:
 * Node reads, compiles and runs all of it before the first event.
 */
const KB = 1024;

/** Every function but Dispatch: the chat and agent plumbing, no engine. */
const limitBytes = 500 * KB;

/**
 * Parse also carries the Parquet reader (hyparquet and its decompressors, about 180 KB): it types
 * a Parquet dataset's columns from its first rows, as it does a CSV's, so the planner reads both
 * alike. About 30 ms more of a cold start than the others, for answers that do not depend on the
 * file's format.
 */
const limitsByHandler: Record<string, number> = { 'sfn/parse.ts': 700 * KB };

/**
 * Dispatch carries the analysis engines' JavaScript (the profile, comparison, regression, causal
 * and query engines, their statistics and the SQL checks): about 1 MB minified today. Loading that
 * bundle cost about 0.15 s here (parsing, compiling and running its top level, the SDK clients
 * already loaded); its cold start also loads DuckDB's 70 MB native library from the layer
 * (~0.13 s here) and the SDK clients (~0.4 s), both outside the bundle and both paid anyway. At
 * 1.5 MB the bundle's own share stays below that fixed part, and half as much again as today is
 * room for the engines to grow; what breaks it is a mistake — a second copy of a large library, an
 * SDK client bundled instead of left to the runtime, a data-frame library — which should fail here.
 */
const engineLimitBytes = 1536 * KB;

const definitions = [
  ...new Map(Object.values(allFunctions).map((fn) => [fn.handler, fn] as const)).values(),
] as LambdaDefinition[];

it('every handler the stacks deploy exists and bundles as SST bundles it, within its size limit', async () => {
  const sizes = await Promise.all(
    definitions.map(async (definition) => {
      const file = handlerFile(definition.handler);
      expect(existsSync(join(root, file)), file).toBe(true);
      const result = await build({
        ...lambdaBuildOptions(definition),
        write: false,
        outfile: 'out/bundle.mjs',
      });
      const [output] = Object.values(result.metafile.outputs);
      expect(output!.exports, `${file} exports ${handlerExport(definition.handler)}`).toContain(
        handlerExport(definition.handler),
      );
      // Self-contained: only Node built-ins and what Lambda provides the function are left to
      // import (`<runtime>` is esbuild's own helper for keeping names, inside the bundle).
      const imports = Object.values(result.metafile.inputs).flatMap((input) =>
        input.imports.filter((i) => i.external && i.path !== '<runtime>').map((i) => i.path),
      );
      expect(
        imports.filter((path) => !providedToBundle(definition, path)),
        file,
      ).toEqual([]);
      // DuckDB is never bundled: its JavaScript must match the layer's native binding, so both come
      // from the layer. It is loaded with `require` (which honours NODE_PATH, where the layer is),
      // so only the function with the layer may reach for it at all.
      const text = result.outputFiles[0]!.text;
      expect(
        Object.keys(result.metafile.inputs).filter((input) => input.includes('node_modules/@duckdb/')),
        file,
      ).toEqual([]);
      expect({ file, reachesForDuckDB: text.includes('"@duckdb/node-api"') }).toEqual({
        file,
        reachesForDuckDB: Boolean(definition.engine),
      });
      return {
        handler: file.replace('packages/functions/src/', ''),
        engine: Boolean(definition.engine),
        bytes: result.outputFiles[0]!.contents.byteLength,
      };
    }),
  );
  console.log(
    [
      `bundle sizes (as SST bundles them; left to Lambda: ${[...new Set(definitions.flatMap(externalsOf))].join(', ')}):`,
      ...sizes
        .sort((a, b) => b.bytes - a.bytes)
        .map(
          ({ handler, engine, bytes }) =>
            `  ${handler.padEnd(22)} ${(bytes / KB).toFixed(1).padStart(7)} KB${engine ? '  (runs the engine; limit 1.5 MB)' : ''}`,
        ),
    ].join('\n'),
  );
  expect(sizes.filter((s) => s.engine).map((s) => s.handler)).toEqual(['sfn/dispatch.ts']);
  for (const { handler, engine, bytes } of sizes)
    expect({
      handler,
      withinLimit: bytes <= (engine ? engineLimitBytes : (limitsByHandler[handler] ?? limitBytes)),
    }).toEqual({
      handler,
      withinLimit: true,
    });
});

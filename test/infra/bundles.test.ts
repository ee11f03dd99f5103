import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import { allFunctions, bundling } from '../../stacks/functions';
import { root } from './platform';

/** What Lambda will load: the handler module bundled as SST bundles it, AWS SDK v3 left to the runtime. */
const limitBytes = 500 * 1024;

const handlers = [...new Set(Object.values(allFunctions).map((fn) => fn.handler))];
const fileOf = (handler: string) => `${handler.slice(0, handler.lastIndexOf('.'))}.ts`;
const exportOf = (handler: string) => handler.slice(handler.lastIndexOf('.') + 1);

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const providedByRuntime = (path: string) =>
  builtins.has(path) || bundling.external.some((pattern) => path.startsWith(pattern.replace('*', '')));

it('every handler the stacks deploy exists and bundles (esm, node20, minified) within 500 KB', async () => {
  const sizes = await Promise.all(
    handlers.map(async (handler) => {
      const file = fileOf(handler);
      expect(existsSync(join(root, file)), file).toBe(true);
      const result = await build({
        absWorkingDir: root,
        entryPoints: [file],
        bundle: true,
        format: bundling.format,
        platform: 'node',
        target: 'node20',
        minify: bundling.minify,
        external: [...bundling.external],
        write: false,
        metafile: true,
        outfile: 'out/bundle.mjs',
        logLevel: 'silent',
      });
      const [output] = Object.values(result.metafile.outputs);
      expect(output!.exports, `${file} exports ${exportOf(handler)}`).toContain(exportOf(handler));
      // Self-contained: only Node built-ins and the runtime's AWS SDK are left to import.
      const imports = Object.values(result.metafile.inputs).flatMap((input) =>
        input.imports.filter((i) => i.external).map((i) => i.path),
      );
      expect(
        imports.filter((path) => !providedByRuntime(path)),
        file,
      ).toEqual([]);
      return {
        handler: file.replace('packages/functions/src/', ''),
        bytes: result.outputFiles[0]!.contents.byteLength,
      };
    }),
  );
  console.log(
    [
      'bundle sizes (esm, node20, minified, @aws-sdk/* external):',
      ...sizes
        .sort((a, b) => b.bytes - a.bytes)
        .map(({ handler, bytes }) => `  ${handler.padEnd(22)} ${(bytes / 1024).toFixed(1).padStart(7)} KB`),
    ].join('\n'),
  );
  for (const { handler, bytes } of sizes)
    expect({ handler, bytes: bytes <= limitBytes }).toEqual({ handler, bytes: true });
});

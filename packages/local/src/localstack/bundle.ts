import { build } from 'esbuild';
import { zipSync } from 'fflate';

export interface FunctionBundle {
  /** The bundled module, ESM, minified. */
  code: string;
  /** A deployment package: `index.mjs`, handler `index.handler`. */
  zip: Uint8Array;
}

/**
 * Bundles one handler module the way it is deployed: ESM for Node 20, minified, the AWS SDK
 * left to the Lambda runtime (which ships it), everything else inlined.
 */
export async function bundleFunction(entry: string): Promise<FunctionBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    write: false,
    external: ['@aws-sdk/*'],
    // Some CommonJS dependencies call require(); ESM output needs one.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  return { code, zip: zipSync({ 'index.mjs': new TextEncoder().encode(code) }, { level: 6 }) };
}

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { build } from 'esbuild';

/**
 * Builds sst.config.ts the way the SST CLI does (see anomalyco/sst pkg/project/run.go and
 * pkg/js/js.go): one ESM bundle of the config and its stacks with the platform's `run`, the
 * `$app`/`$cli`/`$dev` globals defined, `$util`, `$interpolate`… injected, `sst` and `aws` set.
 * The platform's own dependencies stay external (the bundle is written inside .sst/platform, so
 * they resolve from its node_modules): the runner and the app share one @pulumi/pulumi, and
 * esbuild, which SST also depends on, keeps its worker out of the bundle.
 */
export interface AppBuild {
  root: string;
  platform: string;
  outfile: string;
  app: { name: string; stage: string; removal: string; protect: boolean; providers: Record<string, unknown> };
  cli: {
    command: string;
    dev: boolean;
    paths: Record<string, string>;
    state: { version: Record<string, number> };
  };
  dev: boolean;
}

export async function buildApp(options: AppBuild) {
  const { root, platform, outfile } = options;
  mkdirSync(dirname(outfile), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(platform, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  // Vite is loaded lazily by a site component Cascade does not use; keep it out like the rest.
  const external = [
    ...Object.keys(manifest.dependencies),
    ...Object.keys(manifest.devDependencies ?? {}),
    'vite',
  ];
  // `sst` and `aws` are globals of the config; set them before run() calls into the stacks.
  const entry = [
    `import * as sstComponents from ${JSON.stringify(join(platform, 'src/components/index.ts'))};`,
    'import * as awsProvider from "@pulumi/aws";',
    'globalThis.sst = sstComponents;',
    'globalThis.aws = awsProvider;',
    `import { run } from ${JSON.stringify(join(platform, 'src/auto/run.ts'))};`,
    `import mod from ${JSON.stringify(join(root, 'sst.config.ts'))};`,
    'export const synth = () => run(mod.run);',
  ].join('\n');
  await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: 'eval.ts', loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2023',
    outfile,
    write: true,
    nodePaths: [join(platform, 'node_modules')],
    external: external.flatMap((name) => [name, `${name}/*`]),
    inject: [join(platform, 'src/shim/run.js')],
    define: {
      $app: JSON.stringify(options.app),
      $cli: JSON.stringify(options.cli),
      $dev: String(options.dev),
    },
    mainFields: ['module', 'main'],
    banner: {
      js: [
        "import { createRequire as topLevelCreateRequire } from 'module';",
        'const require = topLevelCreateRequire(import.meta.url);',
        "import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from 'url';",
        'const __filename = topLevelFileUrlToPath(import.meta.url);',
        "const __dirname = topLevelFileUrlToPath(new topLevelURL('.', import.meta.url));",
      ].join('\n'),
    },
    logLevel: 'silent',
  });
}

/** What sst.config.ts's app() returns, as the SST CLI reads it. */
export interface AppConfig {
  name: string;
  removal: string;
  protect: boolean;
  providers: Record<string, unknown>;
}

/**
 * Evaluates sst.config.ts's app() the way the SST CLI does before it runs anything (anomalyco/sst
 * pkg/project/project.go): the config bundled with `$config` as the identity and no other global,
 * top-level imports refused (pkg/js/js.go), then `await mod.app({ stage })` in a Node process of
 * its own, with the deploying shell's variables.
 */
export async function evaluateApp(options: {
  root: string;
  platform: string;
  stage: string;
  env: Record<string, string | undefined>;
}): Promise<AppConfig> {
  const { root, platform } = options;
  const outfile = join(platform, 'synth', `config-${process.pid}-${randomUUID().slice(0, 8)}.mjs`);
  mkdirSync(dirname(outfile), { recursive: true });
  try {
    await build({
      stdin: {
        contents: [
          `import mod from ${JSON.stringify(join(root, 'sst.config.ts'))};`,
          `console.log('~j' + JSON.stringify(await mod.app({ stage: ${JSON.stringify(options.stage)} })));`,
        ].join('\n'),
        resolveDir: root,
        sourcefile: 'eval.ts',
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'node',
      outfile,
      write: true,
      nodePaths: [join(platform, 'node_modules')],
      mainFields: ['module', 'main'],
      external: ['@pulumi/*', '@aws-sdk/*', 'esbuild'],
      banner: { js: 'function $config(input) { return input }' },
      plugins: [
        {
          name: 'disallow-top-level-imports',
          setup(build) {
            build.onResolve({ filter: /.*/ }, (args) => {
              if (basename(args.importer) === 'sst.config.ts' && args.kind === 'import-statement')
                return { errors: [{ text: 'sst.config.ts may not import at its top level' }] };
              return undefined;
            });
          },
        },
      ],
      logLevel: 'silent',
    });
    const result = spawnSync(process.execPath, ['--no-warnings', outfile], {
      env: options.env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const line = result.stdout.split('\n').find((l) => l.startsWith('~j'));
    if (result.status !== 0 || !line)
      throw new Error(`Evaluating sst.config.ts's app() failed:\n${result.stdout}${result.stderr}`);
    return JSON.parse(line.slice(2)) as AppConfig;
  } finally {
    rmSync(outfile, { force: true });
  }
}

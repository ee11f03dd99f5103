import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where things are, for every infra test. */
export const root = join(import.meta.dirname, '../..');
export const platform = join(root, '.sst/platform');
export const tsc = join(platform, 'node_modules/.bin/tsc');

/** The SST version the stacks are written against (the `sst` package pins the CLI). */
export const sstVersion = (
  JSON.parse(readFileSync(join(root, 'node_modules/sst/package.json'), 'utf8')) as { version: string }
).version;

export function installedPlatformVersion(): string | undefined {
  const file = join(platform, 'version');
  if (!existsSync(file) || !existsSync(tsc) || !existsSync(join(platform, 'src/components/index.ts')))
    return undefined;
  return readFileSync(file, 'utf8').trim();
}

/**
 * Generates .sst/platform (SST's components, Pulumi, the AWS provider SDK, TypeScript) with the
 * pinned CLI, once per checkout: about a minute and 320 MB. No AWS account is involved.
 */
export function installPlatform(log: (line: string) => void = console.log) {
  const installed = installedPlatformVersion();
  if (installed === sstVersion) return { installed: false };
  log(
    installed
      ? `infra: .sst/platform is SST ${installed}, the repository pins ${sstVersion}; reinstalling.`
      : `infra: .sst/platform is missing; generating it with \`sst install --stage ci\` (SST ${sstVersion}, one-time, about a minute, ~320 MB).`,
  );
  const started = Date.now();
  const result = spawnSync(join(root, 'node_modules/.bin/sst'), ['install', '--stage', 'ci'], {
    cwd: root,
    env: {
      ...process.env,
      SST_SKIP_DEPENDENCY_CHECK: '1',
      SST_NO_BUN: '1',
      SST_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 15 * 60_000,
  });
  if (result.status !== 0 || installedPlatformVersion() !== sstVersion) {
    throw new Error(
      `sst install failed (status ${result.status}${result.error ? `, ${result.error.message}` : ''}); the infra tests need .sst/platform.`,
    );
  }
  log(`infra: .sst/platform ready in ${Math.round((Date.now() - started) / 1000)} s.`);
  return { installed: true };
}

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

/** The repository; defined here so a page-level browser test need not load the local cloud. */
export const root = resolve(import.meta.dirname, '../..');
export const chromiumPath = process.env.CASCADE_CHROMIUM ?? '/usr/bin/chromium';
export const artifacts = join(root, 'test-artifacts');

/**
 * Chromium from Debian, installed through the project's own script if it is missing. Returns
 * why the browser tests cannot run, or undefined when they can.
 */
export function browserUnavailable(): string | undefined {
  if (existsSync(chromiumPath)) return undefined;
  console.warn(`[e2e] ${chromiumPath} is missing; running scripts/install-system-packages.sh`);
  spawnSync('bash', [join(root, 'scripts/install-system-packages.sh')], { stdio: 'inherit' });
  if (existsSync(chromiumPath)) return undefined;
  const reason = `[e2e] SKIPPED: Chromium is not installed at ${chromiumPath} and could not be installed (apt-get install chromium).`;
  console.warn(reason);
  return reason;
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), 0);
}

/** Builds web/dist when it is missing or older than the client's sources (or the protocol it bundles). */
export function ensureWebBuild(): void {
  const built = join(root, 'web/dist/index.html');
  const sources = [
    'web/src',
    'web/public',
    'web/index.html',
    'web/vite.config.ts',
    'packages/core/src/protocol',
  ]
    .map((p) => newestMtime(join(root, p)))
    .reduce((a, b) => Math.max(a, b), 0);
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: join(root, 'web'),
      stdio: 'inherit',
      timeout: 120_000,
    },
  );
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** A picture of one element (scrolled into view first), for a look at a single chart or panel. */
export async function screenshotOf(element: Locator, name: string): Promise<string> {
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, `${name}.png`);
  await element.screenshot({ path });
  return path;
}

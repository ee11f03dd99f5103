import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { webServer } from '@cascade/local';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

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

/** A request the web client sent, as the page's stand-in server sees it. */
export interface FakeRequest {
  action: string;
  messageId?: string;
  // biome-ignore lint/suspicious/noExplicitAny: the stand-ins read whichever payload their action has
  payload?: any;
}

/** What a test's init script defines in the page: the server that answers the client's messages. */
export interface FakeServerGlobals {
  cascadeServer?: (request: FakeRequest, reply: (message: unknown) => void) => void;
}

/**
 * An init script (`page.addInitScript(fakeSocket)`, after the script that defines
 * `cascadeServer`): the page is signed in with a token that expires in 2096, and its WebSocket is
 * replaced by one that hands each message to `cascadeServer` and delivers its replies, so the
 * client runs against scripted answers. It runs in the page, so it refers to nothing outside itself.
 */
export function fakeSocket(): void {
  const page = globalThis as unknown as FakeServerGlobals & {
    localStorage: { setItem(key: string, value: string): void };
    WebSocket: unknown;
  };
  class FakeSocket extends EventTarget {
    static OPEN = 1;
    readyState = 0;
    onopen: ((e: Event) => void) | null = null;
    onmessage: ((e: { data: string }) => void) | null = null;
    onclose: ((e: Event) => void) | null = null;
    constructor() {
      super();
      setTimeout(() => {
        this.readyState = 1;
        this.onopen?.(new Event('open'));
      }, 10);
    }
    send(text: string) {
      page.cascadeServer?.(JSON.parse(text), (message) =>
        setTimeout(() => this.onmessage?.({ data: JSON.stringify(message) }), 5),
      );
    }
    close() {}
  }
  const header = btoa(JSON.stringify({ alg: 'none' }));
  const payload = btoa(JSON.stringify({ exp: 4_000_000_000, email: 'ada@example.com' }));
  page.localStorage.setItem(
    'cascade.auth',
    JSON.stringify({
      idToken: `${header}.${payload}.x`,
      accessToken: 'a',
      refreshToken: 'r',
      expiresAt: 4_000_000_000_000,
      email: 'ada@example.com',
    }),
  );
  page.WebSocket = FakeSocket;
}

/**
 * The built web client on a free port, with endpoints that lead nowhere: for pages whose
 * WebSocket is `fakeSocket`. `close` ends every connection the browser still holds.
 */
export async function serveWebClient(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(
    webServer(join(root, 'web/dist'), {
      region: 'us-east-1',
      cognitoEndpoint: 'http://127.0.0.1:9',
      userPoolId: 'local_x',
      userPoolClientId: 'client',
      websocketUrl: 'ws://127.0.0.1:9/local',
    }),
  );
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
    },
  };
}

/** What a browser suite shares with its tests, once `beforeAll` has run. */
export interface BrowserSuite {
  browser: Browser;
  /** With `fakeSite`: the built client, served for pages whose WebSocket is `fakeSocket`. */
  site: Awaited<ReturnType<typeof serveWebClient>>;
}

/**
 * The browser suites' shared setup, registered as the enclosing `describe`'s hooks: web/dist built
 * (before any local cloud a later `beforeAll` starts serves it) and Chromium launched before the
 * tests, closed after; with `fakeSite`, the built client served too.
 */
export function browserSuite(options: { fakeSite?: boolean } = {}): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    ensureWebBuild();
    if (options.fakeSite) suite.site = await serveWebClient();
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    try {
      await suite.browser?.close();
    } finally {
      await suite.site?.close();
    }
  });
  return suite;
}

/** The small shop dataset the browser suites ask about, whatever samples the analysis package ships. */
export const shopCsv =
  'order_id,region,amount,returned\n1,north,10.5,0\n2,south,22,1\n3,north,7.25,0\n4,east,13,0\n';

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Chart } from '@cascade/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webServer } from '../../packages/local/src/web';
import { root } from '../integration/harness';
import { browserUnavailable, ensureWebBuild, launchBrowser, screenshot } from './browser';

const unavailable = browserUnavailable();

const charts: Chart[] = [
  {
    kind: 'histogram',
    title: 'Distribution of age',
    column: 'age',
    edges: [17, 22, 27, 32, 37, 42, 47, 55],
    counts: [140, 160, 110, 80, 60, 35, 20],
  },
  {
    kind: 'heatmap',
    title: 'Correlation of numeric columns',
    columns: ['age', 'educ', 're74', 're78'],
    matrix: [
      [1, -0.1, 0.27, 0.09],
      [-0.1, 1, 0.2, 0.13],
      [0.27, 0.2, 1, 0.42],
      [0.09, 0.13, 0.42, 1],
    ],
  },
  {
    kind: 'intervals',
    title: 'Effect of treat on re78 (95% intervals)',
    intervals: [
      { label: 'difference in means', estimate: 1794, lo: 551, hi: 3038 },
      { label: 'OLS adjusted', estimate: 1676, lo: 384, hi: 2969 },
      { label: 'IPW', estimate: 1620, lo: 290, hi: 2950 },
    ],
  },
];

/**
 * The page's WebSocket replaced by one that answers like the server after a profile run, so the
 * chart rendering is checked in a real browser whether or not the analysis task is installed.
 */
function fakeServer(chartsJson: string) {
  const charts = JSON.parse(chartsJson);
  const answer =
    '**lalonde.csv** has 614 rows and 9 columns. Earnings in 1978 (`re78`) are right-skewed.\n\n| column | mean | missing |\n|---|---|---|\n| age | 27.4 | 0 |\n| educ | 10.3 | 0 |';
  const ids = {
    executionId: '11111111-1111-4111-8111-111111111111',
    sessionId: '22222222-2222-4222-8222-222222222222',
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
    private reply(message: unknown) {
      setTimeout(() => this.onmessage?.({ data: JSON.stringify(message) }), 5);
    }
    send(text: string) {
      const request = JSON.parse(text);
      if (request.action === 'sessions.list')
        this.reply({
          action: 'sessions',
          messageId: request.messageId,
          sessions: [
            {
              sessionId: ids.sessionId,
              title: 'profile lalonde.csv',
              createdAt: '2026-11-22T10:00:00Z',
              updatedAt: '2026-11-22T10:00:09Z',
              lastExecutionStatus: 'SUCCEEDED',
            },
          ],
        });
      if (request.action === 'datasets.list')
        this.reply({
          action: 'datasets',
          messageId: request.messageId,
          datasets: [
            { id: 'lalonde.csv', name: 'lalonde.csv', sizeBytes: 40960, rows: 614, columns: 9, sample: true },
          ],
        });
      if (request.action === 'session.history')
        this.reply({
          action: 'history',
          sessionId: ids.sessionId,
          messages: [
            {
              messageId: 'm1',
              role: 'user',
              content: 'profile lalonde.csv',
              createdAt: '2026-11-22T10:00:00Z',
              executionId: ids.executionId,
            },
            {
              messageId: 'm2',
              role: 'assistant',
              content: answer,
              createdAt: '2026-11-22T10:00:09Z',
              executionId: ids.executionId,
            },
          ],
        });
      if (request.action === 'execution.get')
        this.reply({
          action: 'execution',
          messageId: request.messageId,
          ...ids,
          status: 'SUCCEEDED',
          totalItems: 1,
          completedItems: 1,
          failedItems: 0,
          startedAt: '2026-11-22T10:00:00Z',
          completedAt: '2026-11-22T10:00:09Z',
          items: [{ id: '1', status: 'SUCCEEDED', durationMs: 8700, output: { text: answer, charts } }],
          summary: answer,
        });
    }
    close() {}
  }
  const header = btoa(JSON.stringify({ alg: 'none' }));
  const payload = btoa(JSON.stringify({ exp: 4_000_000_000, email: 'ada@example.com' }));
  // Runs in the page; typed here without the DOM library.
  const browserGlobals = globalThis as unknown as {
    localStorage: { setItem(key: string, value: string): void };
    WebSocket: unknown;
    location: { hash: string };
  };
  browserGlobals.localStorage.setItem(
    'cascade.auth',
    JSON.stringify({
      idToken: `${header}.${payload}.x`,
      accessToken: 'a',
      refreshToken: 'r',
      expiresAt: 4_000_000_000_000,
      email: 'ada@example.com',
    }),
  );
  browserGlobals.WebSocket = FakeSocket;
  browserGlobals.location.hash = `#/session/${ids.sessionId}`;
}

let server: Server;
let browser: Browser;
let url: string;

describe.skipIf(unavailable !== undefined)('charts in Chromium', () => {
  beforeAll(async () => {
    ensureWebBuild();
    const handler = webServer(join(root, 'web/dist'), {
      region: 'us-east-1',
      cognitoEndpoint: 'http://127.0.0.1:9',
      userPoolId: 'local_x',
      userPoolClientId: 'client',
      websocketUrl: 'ws://127.0.0.1:9/local',
    });
    server = createServer(handler);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      server?.closeAllConnections();
      await new Promise((done) => server?.close(done));
    }
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ])
    it(`draws a histogram, a heatmap and effect intervals at ${viewport.width} px`, async () => {
      const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
      try {
        const page = await context.newPage();
        await page.addInitScript(fakeServer, JSON.stringify(charts));
        await page.goto(url);
        for (const chart of charts)
          await page
            .getByRole('img', { name: chart.title })
            .locator('svg')
            .first()
            .waitFor({ timeout: 15_000 });
        await expect(page.locator('.chart').count()).resolves.toBe(3);
        await page.getByRole('img', { name: charts[0]!.title }).scrollIntoViewIfNeeded();
        await screenshot(page, `charts-${viewport.width}`);
        await page.getByRole('img', { name: charts[2]!.title }).scrollIntoViewIfNeeded();
        await screenshot(page, `charts-intervals-${viewport.width}`);
      } finally {
        await context.close();
      }
    });
});

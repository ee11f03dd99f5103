import { join } from 'node:path';
import type { Chart, Table } from '@cascade/core';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BrowserSuite,
  browserSuite,
  browserUnavailable,
  type FakeServerGlobals,
  fakeSocket,
  root,
  screenshot,
} from './browser';
import { correlationHeatmap, effectIntervals } from './sample-charts';

const unavailable = browserUnavailable();
const axeScript = join(root, 'node_modules/axe-core/axe.min.js');

const viewports = [
  { name: '1280', width: 1280, height: 800 },
  { name: '390', width: 390, height: 844 },
] as const;

const ids = {
  answer: {
    sessionId: '22222222-2222-4222-8222-222222222222',
    executionId: '11111111-1111-4111-8111-111111111111',
  },
  running: {
    sessionId: '33333333-3333-4333-8333-333333333333',
    executionId: '44444444-4444-4444-8444-444444444444',
  },
  batch: {
    sessionId: '55555555-5555-4555-8555-555555555555',
    executionId: '66666666-6666-4666-8666-666666666666',
  },
};

/** Wider than a phone and than a desktop column: it must scroll inside its card, never the page. */
const wideTable: Table = {
  title: 'Summary of every numeric column',
  columns: [
    'column',
    'count',
    'mean',
    'standard deviation',
    'minimum',
    '25th percentile',
    'median',
    '75th percentile',
    'maximum',
    'missing values',
  ],
  rows: ['age', 'education_years', 'earnings_1974', 'earnings_1978_adjusted'].map((name, i) => [
    name,
    614,
    27.36 + i * 1000.5,
    9.88 + i * 300.25,
    16,
    20 + i,
    25 + i * 10,
    32 + i * 100,
    55 + i * 10_000,
    0,
  ]),
};

const charts: Chart[] = [
  { ...effectIntervals, intervals: effectIntervals.intervals.slice(0, 2) },
  correlationHeatmap,
];

interface Fixture {
  signedIn: boolean;
  ids: typeof ids;
  table: Table;
  charts: Chart[];
}

/**
 * The page's WebSocket replaced by one that answers like the server: three sessions — an answer with
 * a table and charts, a batch still running, a finished batch whose items carry wide tables.
 */
function fakeServer(fixtureJson: string) {
  const { signedIn, ids, table, charts } = JSON.parse(fixtureJson) as Fixture;
  const browserGlobals = globalThis as unknown as FakeServerGlobals;
  if (!signedIn) return;
  const text = '**lalonde.csv** has 614 rows and 10 columns; the table lists each numeric one.';
  const at = '2026-11-22T10:00:00Z';
  const done = (id: string, input: string) => ({
    id,
    input,
    status: 'SUCCEEDED',
    durationMs: 4200,
    output: { text: `The summary for ${id}.`, tables: [table] },
    datasets: ['lalonde.csv'],
  });
  const sessions = [
    {
      sessionId: ids.answer.sessionId,
      title: 'profile lalonde.csv',
      createdAt: at,
      updatedAt: at,
      lastExecutionStatus: 'SUCCEEDED',
    },
    {
      sessionId: ids.running.sessionId,
      title: 'Batch of 6 items',
      createdAt: at,
      updatedAt: at,
      lastExecutionStatus: 'RUNNING',
    },
    {
      sessionId: ids.batch.sessionId,
      title: 'Batch of 3 items',
      createdAt: at,
      updatedAt: at,
      lastExecutionStatus: 'SUCCEEDED',
    },
  ];
  const question = (sessionId: string, executionId: string, content: string) => ({
    messageId: `${sessionId}-q`,
    role: 'user',
    content,
    createdAt: at,
    executionId,
  });
  const histories: Record<string, unknown[]> = {
    [ids.answer.sessionId]: [
      question(ids.answer.sessionId, ids.answer.executionId, 'profile lalonde.csv'),
      {
        messageId: 'a1',
        role: 'assistant',
        content: text,
        createdAt: at,
        executionId: ids.answer.executionId,
      },
    ],
    [ids.running.sessionId]: [question(ids.running.sessionId, ids.running.executionId, 'Batch of 6 items')],
    [ids.batch.sessionId]: [
      question(ids.batch.sessionId, ids.batch.executionId, 'Batch of 3 items'),
      {
        messageId: 'b1',
        role: 'assistant',
        content: 'All 3 items succeeded.',
        createdAt: at,
        executionId: ids.batch.executionId,
      },
    ],
  };
  const executions: Record<string, unknown> = {
    [ids.answer.executionId]: {
      ...ids.answer,
      status: 'SUCCEEDED',
      totalItems: 1,
      completedItems: 1,
      failedItems: 0,
      startedAt: at,
      completedAt: at,
      items: [
        {
          id: '1',
          status: 'SUCCEEDED',
          durationMs: 8700,
          output: { text, tables: [table], charts },
          datasets: ['lalonde.csv'],
        },
      ],
      summary: text,
    },
    [ids.running.executionId]: {
      ...ids.running,
      status: 'RUNNING',
      totalItems: 6,
      completedItems: 2,
      failedItems: 0,
      startedAt: at,
      items: [
        done('age', 'describe age in lalonde.csv'),
        done('educ', 'describe educ in lalonde.csv'),
        { id: 're74', input: 'describe re74 in lalonde.csv', status: 'RUNNING', step: 'run_tool' },
        { id: 're75', input: 'describe re75 in lalonde.csv', status: 'RUNNING', step: 'plan' },
        { id: 're78', input: 'describe re78 in lalonde.csv', status: 'PENDING' },
        { id: 'treat', input: 'describe treat in lalonde.csv', status: 'PENDING' },
      ],
    },
    [ids.batch.executionId]: {
      ...ids.batch,
      status: 'SUCCEEDED',
      totalItems: 3,
      completedItems: 3,
      failedItems: 0,
      startedAt: at,
      completedAt: at,
      items: [
        done('age', 'describe age in lalonde.csv'),
        done('educ', 'describe educ in lalonde.csv'),
        done('earnings_1978_adjusted', 'describe earnings_1978_adjusted in lalonde.csv'),
      ],
      summary: 'All 3 items succeeded.',
    },
  };
  browserGlobals.cascadeServer = (request, reply) => {
    const { messageId } = request;
    if (request.action === 'sessions.list') reply({ action: 'sessions', messageId, sessions });
    if (request.action === 'datasets.list')
      reply({
        action: 'datasets',
        messageId,
        datasets: [
          {
            id: 'lalonde.csv',
            name: 'lalonde.csv',
            sizeBytes: 40960,
            rows: 614,
            columns: 10,
            sample: true,
          },
        ],
      });
    if (request.action === 'session.history') {
      const sessionId = request.payload.sessionId;
      reply({ action: 'history', messageId, sessionId, messages: histories[sessionId] ?? [] });
    }
    if (request.action === 'execution.get')
      reply({
        action: 'execution',
        messageId,
        ...(executions[request.payload.executionId] as object),
      });
  };
}

interface Violation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now, each as "rule: selector, …". */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"')))
    await page.addScriptTag({ path: axeScript });
  const violations = (await page.evaluate(
    'window.axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)',
  )) as Violation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Whether the page itself can scroll sideways (a table or chart may scroll inside its own box). */
async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(
    'document.documentElement.scrollWidth > document.documentElement.clientWidth',
  ) as Promise<boolean>;
}

/** The page's document, typed here without the DOM library. */
interface BrowserGlobals {
  document: {
    activeElement: unknown;
    createRange(): {
      selectNodeContents(node: unknown): void;
      getBoundingClientRect(): { right: number };
    };
  };
}

const hasFocus = (element: Locator) =>
  element.evaluate((e) => e === (globalThis as unknown as BrowserGlobals).document.activeElement);

async function open(
  { browser, site }: BrowserSuite,
  viewport: (typeof viewports)[number],
  signedIn: boolean,
  hash = '',
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: viewport.width, height: viewport.height },
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  await page.addInitScript(fakeServer, JSON.stringify({ signedIn, ids, table: wideTable, charts }));
  if (signedIn) await page.addInitScript(fakeSocket);
  await page.goto(`${site.url}${hash}`);
  return { context, page };
}

const findings: Record<string, string[]> = {};
async function check(page: Page, state: string, viewport: (typeof viewports)[number]) {
  await screenshot(page, `a11y-${state}-${viewport.name}`);
  const violations = await seriousViolations(page);
  findings[`${state} @ ${viewport.name}`] = violations;
  expect.soft(violations, `${state} at ${viewport.width} px`).toEqual([]);
}

describe.skipIf(unavailable !== undefined)('accessibility and layout in Chromium', () => {
  const suite = browserSuite({ fakeSite: true });
  afterAll(() => {
    console.info('[e2e] axe serious/critical violations per state:', JSON.stringify(findings, null, 1));
  });

  for (const viewport of viewports) {
    it(`the sign-in and sign-up forms have no serious axe violations at ${viewport.width} px`, async () => {
      const { context, page } = await open(suite, viewport, false);
      try {
        await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 15_000 });
        await check(page, 'sign-in', viewport);
        await page.getByRole('button', { name: 'Create account' }).click();
        await page.getByLabel('Email').fill('ada@example.com');
        await page.getByLabel('Password').fill('short');
        await page.getByRole('button', { name: 'Sign up' }).click();
        await page.getByRole('alert').waitFor();
        await check(page, 'sign-up-error', viewport);
      } finally {
        await context.close();
      }
    });

    it(`a new session, an answer with a table and charts, and a refused upload at ${viewport.width} px`, async () => {
      const { context, page } = await open(suite, viewport, true);
      try {
        await page
          .getByRole('heading', { name: 'What would you like to know?' })
          .waitFor({ timeout: 15_000 });
        await page.getByText('Connected', { exact: true }).waitFor();
        await check(page, 'empty', viewport);

        await page.goto(`${suite.site.url}#/session/${ids.answer.sessionId}`);
        const answer = page.getByRole('article', { name: 'Answer' });
        await answer.getByRole('table').waitFor({ timeout: 15_000 });
        await answer.locator('.chart svg').first().waitFor({ timeout: 15_000 });
        await check(page, 'answer', viewport);
        expect(await scrollsSideways(page)).toBe(false);

        await page.getByLabel('Upload data').setInputFiles({
          name: 'empty.csv',
          mimeType: 'text/csv',
          buffer: Buffer.from(''),
        });
        await page.locator('.upload-status.failed').waitFor({ state: 'attached' });
        if (viewport.width < 600) await page.getByRole('button', { name: 'Menu' }).click();
        await check(page, 'upload-refused', viewport);
      } finally {
        await context.close();
      }
    });

    it(`a running batch and a finished batch with an item's answer open at ${viewport.width} px`, async () => {
      const { context, page } = await open(suite, viewport, true, `#/session/${ids.running.sessionId}`);
      try {
        await page.getByRole('progressbar').waitFor({ timeout: 15_000 });
        await page.getByText('describe re74 in lalonde.csv').waitFor();
        await check(page, 'batch-running', viewport);

        await page.goto(`${suite.site.url}#/session/${ids.batch.sessionId}`);
        await page.getByText('3 of 3 done').waitFor({ timeout: 15_000 });
        const items = page.getByRole('list', { name: 'Items', exact: true });
        for (const summary of await items.getByText('Show answer').all()) await summary.click();
        await items.getByRole('table').first().waitFor();
        await items.getByRole('table').first().scrollIntoViewIfNeeded();
        await check(page, 'batch-answer-open', viewport);
        // The tables scroll inside their item; the page never does, and no item is wider than the list.
        expect(await scrollsSideways(page)).toBe(false);
        const overflowing = await items.locator(':scope > li').evaluateAll(
          (rows) =>
            (
              rows as unknown as {
                getBoundingClientRect(): { right: number };
                parentElement: { getBoundingClientRect(): { right: number } };
              }[]
            ).filter(
              (row) =>
                row.getBoundingClientRect().right > row.parentElement.getBoundingClientRect().right + 0.5,
            ).length,
        );
        expect(overflowing).toBe(0);
      } finally {
        await context.close();
      }
    });
  }

  it('holds at 200 % text size: the sidebar grows with its text, cuts none of it and leaves the conversation room', async () => {
    const { context, page } = await open(suite, viewports[0], true, `#/session/${ids.answer.sessionId}`);
    try {
      await page.getByRole('article', { name: 'Answer' }).getByRole('table').waitFor({ timeout: 15_000 });
      await page.evaluate("document.documentElement.style.fontSize = '200%'");
      await screenshot(page, 'text-200-1280');
      const sidebar = page.locator('aside.sidebar');
      const { width, scrollWidth, clientWidth } = await sidebar.evaluate((element) => ({
        width: element.getBoundingClientRect().width,
        scrollWidth: element.scrollWidth,
        clientWidth: element.clientWidth,
      }));
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
      // Wider than at 100 % (280 px), yet the conversation keeps most of the window.
      expect(width).toBeGreaterThan(300);
      expect(width).toBeLessThanOrEqual(1280 * 0.35);
      // Every control of the sidebar can be reached and shows its whole name.
      for (const name of ['New session', 'Upload data', 'Sign out', 'Sign out of all devices']) {
        const control =
          name === 'Upload data'
            ? page.locator('label.upload')
            : sidebar.getByRole('button', { name, exact: true });
        await control.scrollIntoViewIfNeeded();
        // Its text ends inside its box.
        const cut = await control.evaluate((element) => {
          const text = (globalThis as unknown as BrowserGlobals).document.createRange();
          text.selectNodeContents(element.firstChild ?? element);
          return text.getBoundingClientRect().right > element.getBoundingClientRect().right + 1;
        });
        expect(cut, name).toBe(false);
        await expect(control.isVisible()).resolves.toBe(true);
      }
      expect(await scrollsSideways(page)).toBe(false);
    } finally {
      await context.close();
    }
  });

  it('the phone drawer is a dialog: focus goes in, Tab stays in, Escape and Close shut it and the focus returns to Menu', async () => {
    const { context, page } = await open(suite, viewports[1], true);
    try {
      await page.getByText('Connected', { exact: true }).waitFor({ timeout: 15_000 });
      // The skip link is the first stop of the keyboard, and takes it to the conversation.
      await page.keyboard.press('Tab');
      await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe(
        'Skip to the conversation',
      );
      await page.keyboard.press('Enter');
      await expect(page.evaluate('document.activeElement.id')).resolves.toBe('conversation');

      const menu = page.getByRole('button', { name: 'Menu' });
      await menu.click();
      const dialog = page.getByRole('dialog', { name: 'Menu' });
      await dialog.waitFor();
      await expect(dialog.getAttribute('aria-modal')).resolves.toBe('true');
      await expect(hasFocus(dialog.getByRole('button', { name: 'Close menu' }))).resolves.toBe(true);
      await check(page, 'drawer-open', viewports[1]);
      // Twenty presses of Tab, forwards and back, never leave the drawer.
      for (const key of ['Tab', 'Shift+Tab'])
        for (let i = 0; i < 20; i++) {
          await page.keyboard.press(key);
          await expect(
            dialog.evaluate((d) =>
              d.contains((globalThis as unknown as BrowserGlobals).document.activeElement),
            ),
          ).resolves.toBe(true);
        }
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await expect(hasFocus(menu)).resolves.toBe(true);

      await page.keyboard.press('Enter');
      await dialog.getByRole('button', { name: 'Close menu' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await expect(hasFocus(menu)).resolves.toBe(true);
      // On a wide screen the sidebar is no dialog.
      await page.setViewportSize({ width: 1280, height: 800 });
      await expect(page.getByRole('dialog').count()).resolves.toBe(0);
    } finally {
      await context.close();
    }
  });

  it('wide tables and the conversation can be scrolled from the keyboard', async () => {
    const { context, page } = await open(suite, viewports[1], true, `#/session/${ids.answer.sessionId}`);
    try {
      const table = page.getByRole('region', { name: `Table: ${wideTable.title}` });
      await table.waitFor({ timeout: 15_000 });
      await table.focus();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('End');
      await expect(table.evaluate((e) => e.scrollLeft)).resolves.toBeGreaterThan(0);
      const conversation = page.getByRole('region', { name: 'Conversation and run' });
      await conversation.focus();
      const top = await conversation.evaluate((e) => e.scrollTop);
      await page.keyboard.press('Home');
      await expect(conversation.evaluate((e) => e.scrollTop)).resolves.toBeLessThan(top === 0 ? 1 : top);
    } finally {
      await context.close();
    }
  });
});

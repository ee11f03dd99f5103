import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { LocalCloud } from '@cascade/local';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putSamples, root, signUp, startTestCloud, testPassword } from '../integration/harness';
import { browserSuite, browserUnavailable, screenshot, screenshotOf, shopCsv } from './browser';

/**
 * A run's details in the browser, against a local cloud: the execution graph, the timeline and
 * the cost of a batch while it works and after it ended partly failed, and of a past run after a
 * reload. The analysis task is a stand-in that dies after a few seconds, as a task killed from
 * outside does: the item sent to it runs long enough to be seen running, then fails.
 */

const unavailable = browserUnavailable();
const axeScript = join(root, 'node_modules/axe-core/axe.min.js');
const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };
/** How long the stand-in task lives before it is killed. */
const taskSeconds = 8;

/** Above profile's 16 MB inline limit, so Dispatch hands it to the task. */
function csvAboveInlineLimit(): string {
  return `group,value\n${'a,1\nb,2\n'.repeat(2_200_000)}`;
}

const batch = [
  'q1: what columns does shop.csv have?',
  'q2: what columns does shop.csv have?',
  'q3: what columns does shop.csv have?',
  'q4: what columns does shop.csv have?',
  'big: profile big.csv',
];

let cloud: LocalCloud;
let page: Page;

const details = (p: Page = page) => p.getByRole('region', { name: 'Run details' });
/** A row of the graph's numbers (items, passes, running, failed here, total, median), as cell texts. */
async function graphRow(region: Locator, step: string): Promise<string[]> {
  const table = region
    .getByRole('figure', { name: 'Execution graph' })
    .getByRole('table', { name: 'Items, passes and time at each step' });
  return table
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: step, exact: true }) })
    .getByRole('cell')
    .allTextContents();
}

/** Scrolls the conversation so `element` is in the middle of it (clear of the run's sticky header). */
async function centre(element: Locator): Promise<void> {
  await element.evaluate((e) => e.scrollIntoView({ block: 'center' }));
}

/** A picture of the whole region: the window made tall enough for it, then put back. */
async function wholeRegion(region: Locator, viewport: { width: number; height: number }, name: string) {
  const height = await region.evaluate((e) => e.getBoundingClientRect().height);
  await page.setViewportSize({ width: viewport.width, height: Math.ceil(height) + 700 });
  await centre(region);
  await screenshotOf(region, name);
  await page.setViewportSize(viewport);
}

interface Violation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations inside the run's details. */
async function seriousViolations(p: Page): Promise<string[]> {
  if (!(await p.evaluate('typeof window.axe !== "undefined"'))) await p.addScriptTag({ path: axeScript });
  const violations = (await p.evaluate(
    'window.axe.run(".run-details", { resultTypes: ["violations"] }).then((r) => r.violations)',
  )) as Violation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.skipIf(unavailable !== undefined)("a run's details in Chromium, against a local cloud", () => {
  const suite = browserSuite();
  beforeAll(async () => {
    cloud = await startTestCloud({
      analysisCommand: [
        process.execPath,
        '-e',
        `setTimeout(() => process.kill(process.pid, 'SIGKILL'), ${taskSeconds * 1000})`,
      ],
    });
    if (!cloud.endpoints.webUrl) throw new Error('the local cloud did not serve web/dist');
    await putSamples(cloud, [
      { name: 'shop.csv', body: shopCsv, rows: 4, columns: 4 },
      { name: 'big.csv', body: csvAboveInlineLimit(), rows: 4_400_000, columns: 2 },
    ]);
    page = await (await suite.browser.newContext({ viewport: desktop, reducedMotion: 'reduce' })).newPage();
  });

  afterAll(() => cloud?.stop());

  it('signs in', async () => {
    const email = `details-${randomUUID().slice(0, 8)}@example.com`;
    await signUp(cloud.endpoints, email, (address) => cloud.confirmationCode(address, 15_000));
    await page.goto(cloud.endpoints.webUrl!);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(testPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('Connected', { exact: true }).waitFor({ timeout: 15_000 });
  });

  it('shows a batch while it works: the graph, the timeline with the task still running, the cost so far', async () => {
    await page.getByRole('switch', { name: 'Batch mode' }).check();
    await page.getByRole('textbox', { name: 'Items' }).fill(batch.join('\n'));
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const run = page.getByRole('region', { name: 'Run', exact: true });
    await run.getByRole('button', { name: 'Run details' }).click({ timeout: 15_000 });
    const region = details();
    await region.getByRole('figure', { name: 'Execution graph' }).waitFor({ timeout: 15_000 });
    const timeline = region.getByRole('list', { name: 'Timeline' });
    // The item in the task: its call is drawn in progress until the task dies.
    const big = timeline.getByRole('listitem').filter({ has: page.getByRole('button', { name: /^big,/ }) });
    // Dispatch while the task runs (no tool turn recorded yet); Analysis once it has one.
    await big.getByTitle(/^(Dispatch|Analysis) · profile, running for/).waitFor({ timeout: 15_000 });
    await expect(run.locator('.badge').textContent()).resolves.toBe('Running');
    const runningNow = async (step: string) => Number((await graphRow(region, step))[2]);
    expect((await runningNow('Dispatch')) + (await runningNow('Analysis'))).toBeGreaterThanOrEqual(1);
    await expect(
      region
        .getByRole('table', { name: 'Cost' })
        .getByRole('row', { name: /Total so far/ })
        .count(),
    ).resolves.toBe(1);
    await centre(region.getByRole('figure', { name: 'Execution graph' }));
    await screenshot(page, 'run-details-running-1280');
  });

  it('follows the batch to its end: partly failed, the failure counted and marked, the cost with its total', async () => {
    await page
      .locator('[role=progressbar][aria-valuemax="5"][aria-valuenow="5"]')
      .waitFor({ timeout: 60_000 });
    await page.locator('.badge', { hasText: 'Partly succeeded' }).waitFor({ timeout: 15_000 });
    const region = details();
    // The view asks again when the run ends: the failure arrives without reopening it.
    await expect
      .poll(() => graphRow(region, 'Failure'), { timeout: 15_000 })
      .toEqual(['1', '1', '0', '0', '—', '—']);
    // Every item parsed once and dispatched; four answered; one failed where its task died.
    expect((await graphRow(region, 'Parse')).slice(0, 3)).toEqual(['5', '5', '0']);
    expect((await graphRow(region, 'Dispatch'))[0]).toBe('5');
    expect((await graphRow(region, 'Analysis')).slice(0, 4)).toEqual(['1', '1', '0', '1']);
    expect((await graphRow(region, 'Finish')).slice(0, 2)).toEqual(['4', '4']);
    const timeline = region.getByRole('list', { name: 'Timeline' });
    await expect(timeline.getByRole('listitem').count()).resolves.toBe(5);
    await expect(timeline.getByTitle(/^Failure in profile at/).count()).resolves.toBe(1);
    const cost = region.getByRole('table', { name: 'Cost' });
    await expect(cost.getByRole('row', { name: /Step Functions state transitions/ }).count()).resolves.toBe(
      1,
    );
    await expect(cost.getByRole('row', { name: /^Total/ }).textContent()).resolves.toMatch(/^Total\$\d/);
    await expect(region.textContent()).resolves.toContain("An estimate at AWS's");

    // An item's full trace: what its tool was asked, and how it ended.
    await timeline.getByRole('button', { name: /^big,/ }).click();
    const trace = region.getByRole('table', { name: 'Trace of big' });
    await trace.waitFor({ timeout: 15_000 });
    await expect(trace.textContent()).resolves.toContain('"datasetId":"big.csv"');
    await expect(region.getByText('big asked: ').count()).resolves.toBe(1);

    await expect(seriousViolations(page)).resolves.toEqual([]);
    await centre(region.getByRole('figure', { name: 'Execution graph' }));
    await screenshot(page, 'run-details-1280');
    await wholeRegion(region, desktop, 'run-details-region-1280');

    await page.setViewportSize(phone);
    await centre(region.getByRole('figure', { name: 'Execution graph' }));
    await screenshot(page, 'run-details-390');
    await wholeRegion(region, phone, 'run-details-region-390');
    await expect(seriousViolations(page)).resolves.toEqual([]);
    // The page itself never scrolls: the conversation does, and a wide table inside its own box.
    await expect(
      page.evaluate(
        'document.documentElement.scrollWidth > document.documentElement.clientWidth || document.documentElement.scrollHeight > document.documentElement.clientHeight',
      ),
    ).resolves.toBe(false);
    await page.setViewportSize(desktop);
  });

  it('opens a past run’s details after a reload, from its answer', async () => {
    await page.getByRole('switch', { name: 'Batch mode' }).uncheck();
    await page.getByRole('textbox', { name: 'Message' }).fill('what columns does shop.csv have?');
    await page.keyboard.press('Enter');
    await page.locator('section.run-single[data-status="SUCCEEDED"]').waitFor({ timeout: 60_000 });
    await page.reload();
    const answers = page.getByRole('log', { name: 'Conversation' }).getByRole('article', { name: 'Answer' });
    await answers.first().waitFor({ timeout: 15_000 });
    // The batch is a past run now: its details open from its answer; the latest run's from its panel.
    await expect(page.getByRole('button', { name: 'Run details' }).count()).resolves.toBe(2);
    await answers.first().getByRole('button', { name: 'Run details' }).click();
    const region = answers.first().getByRole('region', { name: 'Run details' });
    await region.getByRole('figure', { name: 'Execution graph' }).waitFor({ timeout: 15_000 });
    await expect(graphRow(region, 'Failure')).resolves.toEqual(['1', '1', '0', '0', '—', '—']);
    await expect(region.getByRole('list', { name: 'Timeline' }).getByRole('listitem').count()).resolves.toBe(
      5,
    );
    await expect(
      region
        .getByRole('table', { name: 'Cost' })
        .getByRole('row', { name: /^Total/ })
        .count(),
    ).resolves.toBe(1);
    await centre(region.getByRole('figure', { name: 'Execution graph' }));
    await screenshot(page, 'run-details-past-1280');
  });
});

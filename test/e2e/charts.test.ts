import type { Chart } from '@cascade/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  browserSuite,
  browserUnavailable,
  type FakeServerGlobals,
  fakeSocket,
  screenshot,
  screenshotOf,
} from './browser';
import { correlationHeatmap, effectIntervals } from './sample-charts';

const unavailable = browserUnavailable();

/** A deterministic cloud of `n` points around y = 2x + 1,000 (large ticks on the y axis). */
function cloud(n: number, series: string, shift: number) {
  return Array.from({ length: n }, (_, i) => {
    const x = ((i * 37) % 1000) / 10 + shift;
    return { x, y: 2_000 * x + 40_000 * Math.sin(i * 12.9898) + 1_000_000, series };
  });
}

const charts: Chart[] = [
  {
    kind: 'histogram',
    title: 'Distribution of household income in 1978 dollars across every respondent of the survey',
    column: 'income',
    edges: [0, 250_000, 500_000, 750_000, 1_000_000, 1_250_000],
    counts: [1_234_567, 845_000, 310_000, 92_000, 8_000],
  },
  correlationHeatmap,
  effectIntervals,
  {
    kind: 'bar',
    title: 'Mean change in earnings by group',
    x: 'group',
    y: 'mean change (USD)',
    bars: [
      { label: 'treated', value: 4_520, lo: 3_100, hi: 5_940 },
      { label: 'control', value: 2_310, lo: 1_500, hi: 3_120 },
      { label: 'dropped out', value: -1_250, lo: -2_600, hi: 100 },
    ],
  },
  {
    kind: 'bar',
    title: 'Employment rate by education and treatment',
    x: 'education',
    y: 'employed (share)',
    bars: ['no degree', 'high school', 'college', 'graduate degree'].flatMap((label, i) => [
      { label, series: 'treated', value: 0.55 + i * 0.1, lo: 0.48 + i * 0.1, hi: 0.62 + i * 0.1 },
      { label, series: 'control', value: 0.5 + i * 0.08, lo: 0.44 + i * 0.08, hi: 0.56 + i * 0.08 },
    ]),
  },
  {
    kind: 'bar',
    title: 'Respondents by occupation (as given, not re-sorted)',
    x: 'occupation',
    y: 'respondents',
    bars: Array.from({ length: 40 }, (_, i) => ({
      label:
        i % 7 === 3
          ? `Occupation ${i + 1}: installation, maintenance and repair workers`
          : `Occupation ${i + 1}`,
      value: ((i * 7919) % 2000) * 900 - 200_000,
    })),
  },
  {
    kind: 'line',
    title: 'Monthly mean earnings',
    x: 'month',
    y: 'mean earnings (USD)',
    points: ['treated', 'control'].flatMap((series, s) =>
      Array.from({ length: 24 }, (_, m) => ({
        x: `${2024 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`,
        y: 1_500 + m * 60 - s * 400 + 150 * Math.sin(m),
        series,
      })),
    ),
  },
  {
    kind: 'scatter',
    title: 'Earnings against age',
    x: 'age (years)',
    y: 'earnings (USD)',
    points: [...cloud(1_200, 'treated', 0), ...cloud(800, 'control', 5)],
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
  const browserGlobals = globalThis as unknown as FakeServerGlobals & { location: { hash: string } };
  browserGlobals.location.hash = `#/session/${ids.sessionId}`;
  browserGlobals.cascadeServer = (request, reply) => {
    if (request.action === 'sessions.list')
      reply({
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
      reply({
        action: 'datasets',
        messageId: request.messageId,
        datasets: [
          { id: 'lalonde.csv', name: 'lalonde.csv', sizeBytes: 40960, rows: 614, columns: 9, sample: true },
        ],
      });
    if (request.action === 'session.history')
      reply({
        action: 'history',
        messageId: request.messageId,
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
      reply({
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
  };
}

describe.skipIf(unavailable !== undefined)('charts in Chromium', () => {
  const suite = browserSuite({ fakeSite: true });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ])
    it(`draws every kind of chart with each label inside its svg at ${viewport.width} px`, async () => {
      const context = await suite.browser.newContext({ viewport, reducedMotion: 'reduce' });
      try {
        const page = await context.newPage();
        await page.addInitScript(fakeServer, JSON.stringify(charts));
        await page.addInitScript(fakeSocket);
        await page.goto(suite.site.url);
        for (const chart of charts)
          await page
            .getByRole('img', { name: chart.title })
            .locator('svg')
            .first()
            .waitFor({ timeout: 15_000 });
        await expect(page.locator('.chart').count()).resolves.toBe(charts.length);
        await page.getByRole('img', { name: charts[0]!.title }).scrollIntoViewIfNeeded();
        await screenshot(page, `charts-${viewport.width}`);
        await expect(labelsOutsideTheirSvg(page)).resolves.toEqual([]);
        // No chart is wider than its figure (a label scrolled out of sight is cut too).
        const scrolled = await page
          .locator('figure.chart')
          .evaluateAll(
            (all) =>
              (all as unknown as { scrollWidth: number; clientWidth: number }[]).filter(
                (figure) => figure.scrollWidth > figure.clientWidth,
              ).length,
          );
        expect(scrolled).toBe(0);

        // Tall enough for the longest chart, so each picture shows a whole chart and no composer over it.
        const figures = page.locator('figure.chart');
        const tallest = Math.max(
          ...(await figures.evaluateAll((all) =>
            (all as unknown as { getBoundingClientRect(): Box }[]).map(
              (f) => f.getBoundingClientRect().bottom - f.getBoundingClientRect().top,
            ),
          )),
        );
        await page.setViewportSize({ width: viewport.width, height: Math.ceil(tallest) + 600 });
        for (let i = 0; i < charts.length; i++)
          await screenshotOf(figures.nth(i), `chart-${viewport.width}-${i + 1}-${charts[i]!.kind}`);

        // The long title wraps rather than widening its figure.
        const caption = page.locator('figure.chart figcaption').first();
        const { scrollWidth, clientWidth, height } = await caption.evaluate((element) => ({
          scrollWidth: element.scrollWidth,
          clientWidth: element.clientWidth,
          height: element.getBoundingClientRect().height,
        }));
        expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
        if (viewport.width < 600) expect(height).toBeGreaterThan(30);
        // The effect chart's method names are whole (wrapped onto lines when narrow), not cut at the left edge.
        await expect(tickLabels(page, charts[2]!.title, 'y')).resolves.toEqual([
          'Difference in means (ATE)',
          'OLS adjusted for age, educ, re74 (ATE)',
          'IPW (Horvitz–Thompson) (ATE)',
          'Doubly robust (AIPW) (ATE)',
        ]);
        // Bars keep the order they were given, upright or (when their labels do not fit) lying down.
        const groups = ['treated', 'control', 'dropped out'];
        const categories = [
          ...(await tickLabels(page, charts[3]!.title, 'x')),
          ...(await tickLabels(page, charts[3]!.title, 'y')),
        ].filter((label) => groups.includes(label));
        expect(categories).toEqual(groups);
      } finally {
        await context.close();
      }
    });
});

/** The tick labels of a chart's axis as text, the lines of a wrapped label joined by a space. */
async function tickLabels(page: Page, title: string, axis: 'x' | 'y'): Promise<string[]> {
  return page
    .getByRole('img', { name: title })
    .locator(`[aria-label="${axis}-axis tick label"] text`)
    .evaluateAll((texts) =>
      (
        texts as unknown as {
          textContent: string | null;
          children: ArrayLike<{ textContent: string | null }>;
        }[]
      ).map((text) =>
        text.children.length > 0
          ? Array.from(text.children, (line) => line.textContent).join(' ')
          : (text.textContent ?? ''),
      ),
    );
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
}

/** Text of a chart (tick labels, axis labels, values) whose box reaches past the edge of its svg. */
async function labelsOutsideTheirSvg(page: Page): Promise<string[]> {
  return page.locator('.chart-plot svg text').evaluateAll((texts) =>
    (
      texts as unknown as {
        textContent: string | null;
        ownerSVGElement: { getBoundingClientRect(): Box } | null;
        getBoundingClientRect(): Box;
      }[]
    ).flatMap((text) => {
      const box = text.getBoundingClientRect();
      const frame = text.ownerSVGElement?.getBoundingClientRect();
      if (!frame || box.width === 0) return [];
      const inside =
        box.left >= frame.left - 0.5 &&
        box.right <= frame.right + 0.5 &&
        box.top >= frame.top - 0.5 &&
        box.bottom <= frame.bottom + 0.5;
      return inside
        ? []
        : [
            `"${text.textContent}" spans x ${Math.round(box.left - frame.left)}–${Math.round(box.right - frame.left)}, y ${Math.round(box.top - frame.top)}–${Math.round(box.bottom - frame.top)} of an svg ${Math.round(frame.right - frame.left)}×${Math.round(frame.bottom - frame.top)}`,
          ];
    }),
  );
}

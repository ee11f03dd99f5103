import type { LocalCloud } from '@cascade/local';
import { describe, expect, it } from 'vitest';
import { newUser, startTestCloud } from '../integration/harness';
import {
  browserSuite,
  browserUnavailable,
  type FakeServerGlobals,
  fakeSocket,
  screenshot,
  screenshotOf,
  serveWebClient,
} from './browser';

const unavailable = browserUnavailable();
const viewport = { width: 1280, height: 800 };

/**
 * The page's WebSocket replaced by one that answers a question like a language model would: it
 * streams a draft, thinks again, streams the answer, and sends the response only when the test
 * calls `finishAnswer()`, so the half-written answer can be looked at.
 */
function streamingServer() {
  const ids = {
    executionId: '33333333-3333-4333-8333-333333333333',
    sessionId: '44444444-4444-4444-8444-444444444444',
  };
  const answer =
    'Mean **re78** is **6,349** for the treated and **4,555** for the controls.\n\n| group | mean re78 |\n|---|---|\n| treated | 6,349 |\n| control | 4,555 |';
  const page = globalThis as unknown as FakeServerGlobals & { finishAnswer?: () => void };
  page.cascadeServer = (request, reply) => {
    if (request.action === 'sessions.list')
      reply({ action: 'sessions', messageId: request.messageId, sessions: [] });
    if (request.action === 'datasets.list')
      reply({
        action: 'datasets',
        messageId: request.messageId,
        datasets: [
          { id: 'lalonde.csv', name: 'lalonde.csv', sizeBytes: 40960, rows: 614, columns: 9, sample: true },
        ],
      });
    if (request.action !== 'query') return;
    const event = { ...ids, itemId: '1' };
    reply({ action: 'ack', messageId: request.messageId, ...ids, totalItems: 1 });
    reply({ action: 'step', ...event, step: 'model', status: 'started' });
    reply({ action: 'delta', ...event, turn: 1, text: 'Let me look at the columns first.' });
    reply({ action: 'step', ...event, step: 'compare_groups', status: 'started' });
    // The second turn replaces the first; its text arrives in pieces and stops half-way.
    for (const piece of ['Mean **re78** is **6,349** ', 'for the treated and ', '**4,555** for'])
      reply({ action: 'delta', ...event, turn: 2, text: piece });
    page.finishAnswer = () => {
      const usage = { inputTokens: 4_400, outputTokens: 90, modelCalls: 2, cacheReadTokens: 1_500 };
      reply({
        action: 'response',
        messageId: request.messageId,
        ...ids,
        status: 'SUCCEEDED',
        summary: answer,
        items: [{ id: '1', status: 'SUCCEEDED', output: { text: answer }, usage }],
        usage,
        answeredBy: { provider: 'bedrock', model: 'amazon.nova-pro-v1:0' },
      });
    };
  };
}

describe.skipIf(unavailable !== undefined)(
  'an answer as it is written, and who wrote it, in Chromium',
  () => {
    const suite = browserSuite();

    it('shows a model’s answer as it streams, then the answer with its cost underneath', async () => {
      const site = await serveWebClient();
      const context = await suite.browser.newContext({ viewport, reducedMotion: 'reduce' });
      try {
        const page = await context.newPage();
        await page.addInitScript(streamingServer);
        await page.addInitScript(fakeSocket);
        await page.goto(site.url);
        await page
          .getByRole('textbox', { name: 'Message' })
          .fill('what is the mean re78 by treat in lalonde.csv?');
        await page.keyboard.press('Enter');
        const draft = page.getByRole('article', { name: 'Answer being written' });
        await draft.getByText('Writing…').waitFor({ timeout: 15_000 });
        await draft.getByText('for the treated and 4,555 for').waitFor({ timeout: 15_000 });
        await expect(draft.textContent()).resolves.not.toContain('columns first');
        await screenshot(page, 'answer-streaming-1280');

        await page.evaluate('finishAnswer()');
        const answer = page.getByRole('article', { name: 'Answer' });
        await answer.getByRole('table').waitFor({ timeout: 15_000 });
        await expect(draft.count()).resolves.toBe(0);
        await expect(answer.locator('.answered-by').textContent()).resolves.toBe(
          'Answered by bedrock · amazon.nova-pro-v1:0 · 4,400 tokens in (1,500 of them cached), 90 out · 2 model calls',
        );
        await screenshotOf(answer, 'answer-footer-model-1280');
      } finally {
        await context.close();
        await site.close();
      }
    });

    it('says the offline planner answered a question asked of the local cloud', async () => {
      let cloud: LocalCloud | undefined;
      const context = await suite.browser.newContext({ viewport, reducedMotion: 'reduce' });
      try {
        cloud = await startTestCloud();
        const { email } = await newUser(cloud);
        const page = await context.newPage();
        await page.goto(cloud.endpoints.webUrl!);
        await page.getByLabel('Email').fill(email);
        await page.getByLabel('Password').fill('Correct-horse-7');
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.getByText('Connected', { exact: true }).waitFor({ timeout: 15_000 });
        await page.getByRole('textbox', { name: 'Message' }).fill('which datasets are there?');
        await page.keyboard.press('Enter');
        const answer = page
          .getByRole('log', { name: 'Conversation' })
          .getByRole('article', { name: 'Answer' });
        await answer.locator('.answered-by').waitFor({ timeout: 60_000 });
        await expect(answer.locator('.answered-by').textContent()).resolves.toBe(
          'Answered by the offline planner',
        );
        await screenshot(page, 'answer-footer-offline-1280');
      } finally {
        await context.close();
        await cloud?.stop();
      }
    });
  },
);

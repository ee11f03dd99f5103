import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessageOf } from '@cascade/core';
import type { LocalCloud } from '@cascade/local';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectedSuite } from './connected-suite';
import { Client, csvAboveInlineLimit, isResponseFor, sendQuery, signIn, signUp, uploadCsv } from './harness';
import { descendants, startScript } from './npm-start';

/**
 * The faults a person meets, injected one by one: each ends every execution it touches, at once
 * and with its cause, and loses nothing — the run's state is whole afterwards, its session and
 * its place among the user's runs are free again.
 */

/** Asks in a session and returns the first answer: its `ack`, or an `error`. */
function question(client: Client, sessionId: string) {
  const messageId = randomUUID();
  client.send({ action: 'query', messageId, sessionId, payload: { content: 'which datasets are there?' } });
  return client.waitFor((m) => 'messageId' in m && m.messageId === messageId, 30_000);
}

/** A batch that runs for several seconds, one item at a time. */
const longBatch = {
  content: 'Describe',
  items: Array.from({ length: 300 }, (_, i) => ({ id: `i${i}`, input: `which datasets are there? (${i})` })),
  options: { maxConcurrency: 1 },
};

describe('an analysis task killed from outside (out of memory, a crash)', () => {
  const suite = connectedSuite({
    // Every task reads a little, then dies by SIGKILL, as the kernel's OOM killer ends it.
    analysisCommand: [
      process.execPath,
      '-e',
      "console.error('reading big.csv'); setTimeout(() => process.kill(process.pid, 'SIGKILL'), 300)",
    ],
  });

  it('fails its item at once, naming the signal; the run ends, its session takes the next question', async () => {
    await uploadCsv(suite.client, 'big.csv', csvAboveInlineLimit());
    const ack = await sendQuery(suite.client, 'profile big.csv');
    // Far below the task's 60 s heartbeat timeout, which is what it used to wait for.
    const response = await suite.client.waitFor<ServerMessageOf<'response'>>(
      isResponseFor(ack.executionId),
      40_000,
    );
    expect(response.status).toBe('FAILED');
    expect(response.items[0]!.error).toBe(
      'The analysis task was killed by SIGKILL (out of memory, or stopped from outside): reading big.csv',
    );

    const state = await suite.client.request<ServerMessageOf<'execution'>>({
      action: 'execution.get',
      payload: { executionId: ack.executionId },
    });
    expect(state).toMatchObject({ status: 'FAILED', completedItems: 1, failedItems: 1 });
    expect(await question(suite.client, ack.sessionId)).toMatchObject({ action: 'ack' });
  }, 90_000);
});

/** `npm start` on a data directory of the test's own, and the endpoints it wrote once ready. */
function startCloud(data: string) {
  const started = startScript({ CASCADE_DATA_DIR: data });
  return {
    ...started,
    async endpoints() {
      await started.waitFor('Ctrl-C stops everything.', 60_000);
      return JSON.parse(readFileSync(join(data, 'endpoints.json'), 'utf8')) as LocalCloud['endpoints'];
    },
  };
}

/** The code Cognito "emailed", as the cloud printed it in its output. */
const codeIn = (output: () => string) => (email: string) =>
  vi.waitFor(
    () => {
      const found = new RegExp(`Confirmation code for ${email}: (\\d+)`).exec(output());
      if (!found) throw new Error('no code yet');
      return found[1]!;
    },
    { timeout: 10_000, interval: 100 },
  );

describe('the local cloud stopping while a run is under way', () => {
  let running: ReturnType<typeof startCloud> | undefined;
  afterEach(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGINT');
      await running.exited;
    }
  });

  it.each([
    ['SIGINT (Ctrl-C), with a browser reconnecting all the while', 'SIGINT'],
    ['SIGTERM, with a browser reconnecting all the while', 'SIGTERM'],
    ['SIGKILL (a crash)', 'SIGKILL'],
  ] as const)(
    'on %s: after the next start the run is ABORTED, whole, and its session free',
    async (_how, signal) => {
      const data = await mkdtemp(join(tmpdir(), 'cascade-faults-'));
      const email = `${signal.toLowerCase()}-${Date.now()}@example.com`;
      running = startCloud(data);
      let endpoints = await running.endpoints();
      await signUp(endpoints, email, codeIn(running.output));
      let { idToken: token } = await signIn(endpoints, email);
      const client = await Client.connect(`${endpoints.websocketUrl}?token=${token}`);
      const ack = await client.request<ServerMessageOf<'ack'>>({ action: 'query', payload: longBatch });
      expect(ack.action).toBe('ack');
      await client.waitFor((m) => m.action === 'progress' && m.executionId === ack.executionId, 30_000);

      // A browser tab that reconnects whenever its socket closes, as the web client does.
      let reconnects = 0;
      let browser: Client | undefined = await Client.connect(`${endpoints.websocketUrl}?token=${token}`);
      let giveUp = false;
      const reconnecting = (async () => {
        const url = `${endpoints.websocketUrl}?token=${token}`;
        for (let attempt = 0; attempt < 200 && !giveUp; attempt++) {
          if (browser && !browser.closed) {
            const open = browser;
            await new Promise((closed) => open.socket.once('close', closed));
            continue;
          }
          browser = await Client.connect(url).catch(() => undefined);
          reconnects++;
        }
      })();

      if (signal === 'SIGKILL') process.kill(descendants(running.child.pid!)[0]!, 'SIGKILL');
      else running.child.kill(signal);
      const code = await running.exited;
      giveUp = true;
      await reconnecting;
      browser?.close();
      client.close();
      if (signal !== 'SIGKILL') {
        expect(code).toBe(0);
        expect(reconnects).toBeGreaterThan(0);
        expect(running.output()).not.toMatch(/stopped unexpectedly|Database is closed|at .*\.ts:\d+/);
      }

      running = startCloud(data);
      endpoints = await running.endpoints();
      ({ idToken: token } = await signIn(endpoints, email));
      const again = await Client.connect(`${endpoints.websocketUrl}?token=${token}`);
      try {
        const state = await again.request<ServerMessageOf<'execution'>>({
          action: 'execution.get',
          payload: { executionId: ack.executionId },
        });
        expect(state.status).toBe('ABORTED');
        expect(state.totalItems).toBe(300);
        expect(state.items).toHaveLength(300);
        // Every item has an end: what finished kept its answer, the rest were settled.
        expect(state.items.filter((item) => item.status === 'RUNNING' || item.status === 'PENDING')).toEqual(
          [],
        );
        expect(state.items.some((item) => item.status === 'SUCCEEDED')).toBe(true);
        expect(await question(again, ack.sessionId)).toMatchObject({ action: 'ack' });
      } finally {
        again.close();
      }
      if (signal === 'SIGKILL')
        expect(running.output()).toContain('1 run(s) left from the last start were ended as ABORTED.');
    },
    180_000,
  );
});

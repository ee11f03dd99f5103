/**
 * The gateway under load: 50 users, each on a connection of their own, asking 4 questions each
 * of the offline planner over the sample datasets, in two shapes:
 *  - conversations: each user asks their questions one after another in one session, the next
 *    once the previous is answered, users arriving over 10 s — what 50 people chatting at once
 *    do. `ack` latency (send → ack) is issue 13's target here: p99 < 250 ms on a 2-core machine;
 *  - a burst: every user sends all 4 in the same instant (200 in flight, each in a session of
 *    its own), and the `ack` latency and time to each `response` of that burst are reported;
 *    meanwhile 10 more users send one question every 500 ms (each cancelled once acked), which
 *    is what a person typing while 200 runs execute sees.
 * Checked: every query gets its ack and its response, every finished item its `progress`, and
 * `execution.get` afterwards agrees with what the client saw (status, items, item statuses).
 * Anything missing or contradictory is a lost event, and the bench exits non-zero.
 *
 * BENCH_CONNECTIONS and BENCH_QUERIES change the shape (defaults 50 and 4). BENCH_HOLD_RUNS=1
 * starts no run until the whole burst is acked: the burst's acks then compete with nothing but
 * each other, which shows the floor the query route's own work sets.
 */
import '@cascade/local/engine'; // first: its polyfill gives Node 20 the Promise.withResolvers the engine needs

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ServerMessage, ServerMessageOf } from '@cascade/core';
import { Client, startTestCloud } from '../test/integration/harness';
import { signUp } from './users';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const queriesPerConnection = Number(process.env.BENCH_QUERIES ?? 4);
const ackTargetMs = 250;
/** Users whose queries probe the gateway while the load's runs execute. */
const probeUsers = 10;
const probeIntervalMs = 500;
const maxProbes = 400;
/** Every wait is bounded: the whole load must settle within this (the runs took 2–2.5 min here, 4+ with other work on the machine). */
const deadlineMs = 480_000;

/** Everyday questions about the seeded samples (churn.csv, checkout_ab.csv, lalonde.csv). */
const questions = [
  'what datasets do you have?',
  'how many rows are in the churn data?',
  'average monthly fee in the churn data',
  'avg basket value by device',
  'churn rate by plan',
  'is the new checkout better?',
  'what columns does churn.csv have',
  'are there missing values in churn.csv?',
  'correlation between tenure and monthly fee in the churn data',
  'describe basket value',
  'how many customers are on each plan',
  'what share of customers churned?',
  'mean 1978 earnings in the job training data?',
  'top 3 countries by number of sessions in the checkout test',
  'do customers on autopay churn less?',
  'what drives churn?',
  'effect of the training program on 1978 earnings adjusting for age, education, race and prior earnings',
  'what percentage of sessions were on mobile',
];

/** A few connections send one of their queries as a small batch, as the chat's batch mode does. */
const batch = [
  { id: 'fee', input: 'average monthly fee for each plan in the churn data' },
  { id: 'calls', input: 'how many customers made more than 3 support calls?' },
  { id: 'sat', input: 'is satisfaction lower for people who churned' },
];

interface Sent {
  connection: number;
  messageId: string;
  items: number;
  sentAt: number;
  ackAt?: number;
  ack?: ServerMessageOf<'ack'>;
  responseAt?: number;
  response?: ServerMessageOf<'response'>;
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (value: number) => `${value.toFixed(0)} ms`;
const spread = (values: number[]) =>
  `p50 ${ms(percentile(values, 50))}   p95 ${ms(percentile(values, 95))}   p99 ${ms(percentile(values, 99))}   max ${ms(Math.max(...values))}`;

/** Runs `work` over `count` indexes, at most `limit` at a time. */
async function pooled(count: number, limit: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** Users start their conversations over this span, one after another (people do not all press Enter in the same millisecond). */
const conversationArrivalMs = 10_000;

/**
 * Each client asks `queriesPerConnection` questions in one session, each once the previous
 * one's `response` has arrived. Checks every ack, response and progress event; returns the ack
 * latencies, what went missing and how long the whole took.
 */
async function conversations(clients: Client[]) {
  const acks: number[] = [];
  const problems: string[] = [];
  const start = performance.now();
  await Promise.all(
    clients.map(async (client, index) => {
      await new Promise((resolve) => setTimeout(resolve, (index * conversationArrivalMs) / clients.length));
      let sessionId: string | undefined;
      for (let q = 0; q < queriesPerConnection; q++) {
        const who = `conversation ${index}, question ${q + 1}`;
        const messageId = randomUUID();
        const content = questions[(index + q * 7) % questions.length]!;
        const sentAt = performance.now();
        client.send({ action: 'query', messageId, ...(sessionId && { sessionId }), payload: { content } });
        try {
          const ack = await client.waitFor<ServerMessageOf<'ack'>>(
            (m) => 'messageId' in m && m.messageId === messageId,
            60_000,
          );
          if (ack.action !== 'ack') {
            problems.push(`${who}: ${ack.action} instead of an ack`);
            return;
          }
          acks.push(performance.now() - sentAt);
          sessionId = ack.sessionId;
          const response = await client.waitFor<ServerMessageOf<'response'>>(
            (m) => m.action === 'response' && m.executionId === ack.executionId,
            deadlineMs,
          );
          const progressed = await client.waitFor<ServerMessageOf<'progress'>>(
            (m) => m.action === 'progress' && m.executionId === ack.executionId,
            1_000,
          );
          if (progressed.item.status !== response.items[0]?.status)
            problems.push(
              `${who}: progress said ${progressed.item.status}, the response ${response.items[0]?.status}`,
            );
        } catch (error) {
          problems.push(`${who}: ${(error as Error).message.slice(0, 120)}`);
          return;
        }
      }
    }),
  );
  return { acks, problems, ms: performance.now() - start };
}

async function main() {
  const cloud = await startTestCloud();
  // BENCH_HOLD_RUNS=1 (an experiment): runs start only once every query is acked, so the acks
  // compete with nothing but each other — the floor the gateway's own work sets.
  const held: (() => void)[] = [];
  let holding = false;
  if (process.env.BENCH_HOLD_RUNS) {
    const service = cloud.stepFunctions as unknown as { run: (...args: unknown[]) => void };
    const run = service.run.bind(service);
    service.run = (...args: unknown[]) => (holding ? held.push(() => run(...args)) : run(...args));
  }
  const problems: string[] = [];
  let exitCode = 0;
  try {
    // Users and connections first, outside the measurement.
    const setupStart = performance.now();
    const clients: Client[] = [];
    await pooled(connections, 4, async (i) => {
      const idToken = await signUp(cloud.endpoints);
      clients[i] = await Client.connect(`${cloud.endpoints.websocketUrl}?token=${idToken}`);
    });
    const probes: Client[] = [];
    await pooled(probeUsers, 4, async (i) => {
      probes[i] = await Client.connect(
        `${cloud.endpoints.websocketUrl}?token=${await signUp(cloud.endpoints)}`,
      );
    });
    console.log(
      `${connections} + ${probeUsers} users signed up and connected in ${ms(performance.now() - setupStart)}`,
    );

    // Warm-up, outside the measurement: every question once, so modules, workers and the
    // sandbox's script are loaded (a cold start is not what this bench measures).
    const warmStart = performance.now();
    const warm = await Client.connect(
      `${cloud.endpoints.websocketUrl}?token=${await signUp(cloud.endpoints)}`,
    );
    const warmItems = [...questions, ...batch.map((b) => b.input)].map((input, i) => ({
      id: `w${i}`,
      input,
    }));
    const warmAck = await warm.request<ServerMessageOf<'ack'>>({
      action: 'query',
      payload: { content: 'Warm-up', items: warmItems },
    });
    await warm.waitFor((m) => m.action === 'response' && m.executionId === warmAck.executionId, 120_000);
    warm.close();
    console.log(`warm-up (${warmItems.length} items, one run) in ${ms(performance.now() - warmStart)}`);

    // Conversations first: every user asks their questions one after another in one session,
    // the next when the previous is answered, as a person in the chat does; users arrive
    // spread over conversationArrivalMs. This is the shape issue 13's target is set for.
    const talk = await conversations(clients);
    problems.push(...talk.problems);

    const sent = new Map<string, Sent>();
    const byExecution = new Map<string, Sent>();
    const progress = new Map<string, Map<string, string>>();
    const errors: string[] = [];
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const total = connections * queriesPerConnection;
    let responses = 0;

    for (const [index, client] of clients.entries()) {
      client.socket.on('message', (data) => {
        const at = performance.now();
        const message = JSON.parse(data.toString()) as ServerMessage;
        if (message.action === 'ack') {
          const query = sent.get(message.messageId ?? '');
          if (!query) return errors.push(`connection ${index}: an ack for a message it did not send`);
          if (query.ack) return errors.push(`connection ${index}: a second ack for ${query.messageId}`);
          query.ack = message;
          query.ackAt = at;
          byExecution.set(message.executionId, query);
          if (holding && byExecution.size === total) {
            holding = false;
            for (const start of held.splice(0)) start();
          }
        } else if (message.action === 'response') {
          const query = byExecution.get(message.executionId);
          if (!query) return errors.push(`connection ${index}: a response for an unknown run`);
          if (query.response) return errors.push(`connection ${index}: a second response for a run`);
          query.response = message;
          query.responseAt = at;
          if (++responses === total) settle();
        } else if (message.action === 'progress') {
          const items = progress.get(message.executionId) ?? new Map<string, string>();
          items.set(message.item.id, message.item.status);
          progress.set(message.executionId, items);
        } else if (message.action === 'error') {
          errors.push(`connection ${index}: error ${message.code}: ${message.message}`);
        }
      });
    }

    holding = Boolean(process.env.BENCH_HOLD_RUNS);
    // How long the one event loop (gateway, handlers, emulators, engine) was blocked at a time.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    // Every connection sends its queries at once: all of them in flight, each in its own session.
    const loadStart = performance.now();
    for (const [index, client] of clients.entries()) {
      for (let q = 0; q < queriesPerConnection; q++) {
        const messageId = randomUUID();
        const asBatch = index % 5 === 0 && q === queriesPerConnection - 1;
        const content = questions[(index * queriesPerConnection + q) % questions.length]!;
        const payload = asBatch ? { content: 'Three questions about customers', items: batch } : { content };
        sent.set(messageId, {
          connection: index,
          messageId,
          items: asBatch ? batch.length : 1,
          sentAt: performance.now(),
        });
        client.send({ action: 'query', messageId, payload });
      }
    }
    const timer = setTimeout(settle, deadlineMs);

    // While the runs execute: one more query every probeIntervalMs from the probe users, each
    // cancelled once acked (so the probes stay inside the per-user limits and add no agent work).
    const probeAcks: number[] = [];
    let probesSent = 0;
    let probesAnswered = 0;
    let burstAcked = false;
    const probing = (async () => {
      while (!burstAcked && performance.now() - loadStart < deadlineMs) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        burstAcked = [...sent.values()].every((q) => q.ack);
      }
      const pending: Promise<void>[] = [];
      while (responses < total && probesSent < maxProbes && performance.now() - loadStart < deadlineMs) {
        const client = probes[probesSent % probeUsers]!;
        const probe = ++probesSent;
        pending.push(
          (async () => {
            const messageId = randomUUID();
            const started = performance.now();
            client.send({
              action: 'query',
              messageId,
              payload: { content: questions[probe % questions.length]! },
            });
            const answer = await client
              .waitFor((m) => 'messageId' in m && m.messageId === messageId, 60_000)
              .catch(() => undefined);
            if (answer?.action !== 'ack') {
              errors.push(
                `probe ${probe}: ${answer ? `${answer.action} instead of an ack` : 'no ack within 60 s'}`,
              );
              return;
            }
            probeAcks.push(performance.now() - started);
            probesAnswered++;
            client.send({
              action: 'execution.cancel',
              messageId: randomUUID(),
              payload: { executionId: answer.executionId },
            });
          })(),
        );
        await new Promise((resolve) => setTimeout(resolve, probeIntervalMs));
      }
      await Promise.all(pending);
    })();
    await settled;
    clearTimeout(timer);
    const loadMs = performance.now() - loadStart;
    await probing;
    loopDelay.disable();

    // What the client saw against what DynamoDB holds.
    for (const query of sent.values()) {
      const who = `connection ${query.connection}, message ${query.messageId.slice(0, 8)}`;
      if (!query.ack) {
        problems.push(`${who}: no ack`);
        continue;
      }
      if (query.ack.totalItems !== query.items)
        problems.push(`${who}: ack says ${query.ack.totalItems} items, ${query.items} were sent`);
      if (!query.response) {
        problems.push(`${who}: no response`);
        continue;
      }
      const seen = progress.get(query.ack.executionId) ?? new Map<string, string>();
      for (const item of query.response.items) {
        const reported = seen.get(item.id);
        if (!reported) problems.push(`${who}: no progress event for item ${item.id}`);
        else if (reported !== item.status)
          problems.push(`${who}: progress said item ${item.id} ${reported}, the response ${item.status}`);
      }
    }
    await pooled(sent.size, 8, async (i) => {
      const query = [...sent.values()][i]!;
      if (!query.ack || !query.response) return;
      const who = `connection ${query.connection}, execution ${query.ack.executionId.slice(0, 8)}`;
      const stored = await clients[query.connection]!.request<ServerMessageOf<'execution'>>({
        action: 'execution.get',
        payload: { executionId: query.ack.executionId },
      });
      if (stored.action !== 'execution') {
        problems.push(`${who}: execution.get answered ${stored.action}`);
        return;
      }
      const status = stored.status === 'TIMED_OUT' ? 'FAILED' : stored.status;
      if (status !== query.response.status)
        problems.push(`${who}: the response said ${query.response.status}, execution.get ${stored.status}`);
      if (stored.totalItems !== query.items || stored.items.length !== query.response.items.length)
        problems.push(
          `${who}: execution.get has ${stored.items.length} of ${stored.totalItems} items, the response ${query.response.items.length}`,
        );
      if (stored.completedItems + stored.failedItems !== stored.totalItems)
        problems.push(`${who}: execution.get counts ${stored.completedItems}+${stored.failedItems} finished`);
      for (const item of query.response.items) {
        const match = stored.items.find((s) => s.id === item.id);
        if (match?.status !== item.status)
          problems.push(`${who}: item ${item.id} ${item.status} in the response, ${match?.status} stored`);
      }
    });
    problems.push(...errors);
    for (const client of [...clients, ...probes]) client.close();

    const queries = [...sent.values()];
    const acks = queries.filter((q) => q.ackAt !== undefined).map((q) => q.ackAt! - q.sentAt);
    const answered = queries.filter((q) => q.responseAt !== undefined).map((q) => q.responseAt! - q.sentAt);
    const statuses = new Map<string, number>();
    for (const q of queries)
      if (q.response) statuses.set(q.response.status, (statuses.get(q.response.status) ?? 0) + 1);
    const talkP99 = percentile(talk.acks, 99);

    console.log(
      `\nConversations — ${connections} users × ${queriesPerConnection} questions in one session each, the next once the previous is answered, arriving over ${ms(conversationArrivalMs)}`,
    );
    console.log(`  ack              ${spread(talk.acks)}`);
    console.log(
      `                   target p99 < ${ackTargetMs} ms: ${talkP99 < ackTargetMs ? 'met' : 'missed'}`,
    );
    console.log(`  all answered in  ${ms(talk.ms)}`);
    console.log(
      `\nBurst — ${connections} connections (one user each) × ${queriesPerConnection} queries in the same instant, offline planner`,
    );
    console.log(
      `  queries          ${queries.length} (${queries.reduce((n, q) => n + q.items, 0)} items), all settled in ${ms(loadMs)}`,
    );
    console.log(`  ack              ${spread(acks)}`);
    console.log(
      `                   (each question costs ~30 ms of this one process's CPU before its ack, so the last of ${queries.length} waits for ~${ms(queries.length * 30)} of the others' work)`,
    );
    console.log(`  response         ${spread(answered)}`);
    console.log(
      `  ack while runs   ${spread(probeAcks)}   (${probesAnswered} of ${probesSent} probes, one every ${probeIntervalMs} ms once the burst was acked)`,
    );
    const loopMs = (ns: number) => ms(ns / 1e6);
    console.log(
      `  loop delay       p50 ${loopMs(loopDelay.percentile(50))}   p99 ${loopMs(loopDelay.percentile(99))}   max ${loopMs(loopDelay.max)}   (the event loop everything shares)`,
    );
    console.log(
      `  outcomes         ${[...statuses].map(([status, n]) => `${n} ${status}`).join(', ') || 'none'}`,
    );
    for (const q of queries.filter((q) => q.response && q.response.status !== 'SUCCEEDED').slice(0, 5))
      console.log(
        `    ${q.response!.status}: ${q.response!.items.map((i) => `${i.id} ${i.status}${i.error ? ` (${i.error.slice(0, 160)})` : ''}`).join('; ')}`,
      );
    console.log(`  lost events      ${problems.length}`);
    for (const problem of problems.slice(0, 20)) console.log(`    ${problem}`);
    if (problems.length > 20) console.log(`    … and ${problems.length - 20} more`);
    if (problems.length > 0) exitCode = 1;
  } finally {
    await cloud.stop();
  }
  process.exit(exitCode);
}

await main();

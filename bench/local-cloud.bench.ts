/**
 * The local cloud's own cost, measured in one run against its anchor:
 *  1. a 200-item batch (offline planner, inline tool) through the whole stack — WebSocket
 *     gateway, edge, Step Functions endpoint, emulators — against the bare engine running the
 *     same ASL with the same handlers and writes (target ≤ 1.5×);
 *  2. `ack` latency, p50 and p99 over 100 queries;
 *  3. time from `npm start` to ready, fresh and warm.
 */
import '@cascade/local/engine'; // first: its polyfill gives Node 20 the Promise.withResolvers the engine needs

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type AgentInput, renderStateMachine, type ServerMessageOf, startQuery } from '@cascade/core';
import { localTaskHandlers, TaskTokens } from '@cascade/local/engine';
import { functionArn, localPlaceholders, stepHandlers } from '@cascade/local/functions';
import { StateMachine } from 'aws-local-stepfunctions';
import { connectNewUser, isResponseFor, putSamples, startTestCloud } from '../test/integration/harness';
import { startScript } from '../test/integration/npm-start';
import { unlimited } from '../test/support/links';

const root = resolve(import.meta.dirname, '..');
const items = 200;
const ackQueries = 100;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function timeToReady(dataDirectory: string, fresh: boolean): Promise<number> {
  const started = performance.now();
  const script = startScript({ CASCADE_DATA_DIR: dataDirectory }, fresh ? ['--fresh'] : []);
  await script.waitFor('Ctrl-C stops everything.', 60_000);
  const elapsed = performance.now() - started;
  script.child.kill('SIGINT');
  await script.exited;
  return elapsed;
}

async function main() {
  // One user sends 100 questions in a row here: past the deployed per-user limits (bench/load.bench.ts keeps within them).
  const cloud = await startTestCloud({ rateLimits: unlimited });
  try {
    await putSamples(cloud, [
      { name: 'shop.csv', body: 'order_id,region,amount\n1,north,10.5\n2,south,22\n', rows: 2, columns: 3 },
    ]);
    const client = await connectNewUser(cloud);
    const batch = Array.from({ length: items }, (_, i) => ({
      id: `i${i}`,
      input: `what columns does shop.csv have? (${i})`,
    }));

    // 1a. Through the whole stack.
    const stackStart = performance.now();
    client.send({
      action: 'query',
      messageId: randomUUID(),
      payload: { content: 'Describe', items: batch, options: { maxConcurrency: 10 } },
    });
    const ack = await client.waitFor<ServerMessageOf<'ack'>>((m) => m.action === 'ack', 60_000);
    const response = await client.waitFor<ServerMessageOf<'response'>>(
      isResponseFor(ack.executionId),
      600_000,
    );
    const stackMs = performance.now() - stackStart;
    if (response.status !== 'SUCCEEDED') throw new Error(`the stack run ended ${response.status}`);

    // 1b. The bare engine: same ASL, same handler modules, same tables and bucket, no gateway, edge hops or SFN API.
    const { chatDeps } = await import('@cascade/functions/deps');
    let input: AgentInput | undefined;
    const bareStart = performance.now();
    await startQuery(
      {
        ...chatDeps(),
        orchestrator: {
          start: async (i: AgentInput) => {
            input = i;
          },
          exists: async () => false,
          stop: async () => undefined,
        },
      },
      { userId: `bench-${randomUUID()}`, tenantId: 'bench' },
      {
        action: 'query',
        messageId: randomUUID(),
        payload: { content: 'Describe', items: batch, options: { maxConcurrency: 10 } },
      },
      async () => undefined,
    );
    const definition = JSON.parse(await readFile(join(root, 'statemachines/agent.asl.json'), 'utf8'));
    const arn = (name: string) => functionArn('us-east-1', '000000000000', 'bench', name);
    const rendered = renderStateMachine(
      definition,
      localPlaceholders(arn, 'us-east-1', '000000000000', 'bench'),
    );
    const lambdas = await stepHandlers(arn);
    const handlers = localTaskHandlers(rendered, {
      lambdas,
      tokens: new TaskTokens(),
      executionArn: 'bench',
    });
    await new StateMachine(rendered as never).run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
    }).result;
    const bareMs = performance.now() - bareStart;

    // 2. ack latency over 100 queries, each opening a session of its own.
    const latencies: number[] = [];
    for (let i = 0; i < ackQueries; i++) {
      const messageId = randomUUID();
      const sent = performance.now();
      client.send({ action: 'query', messageId, payload: { content: `which datasets are there? ${i}` } });
      await client.waitFor((m) => m.action === 'ack' && m.messageId === messageId, 30_000);
      latencies.push(performance.now() - sent);
    }
    client.close();

    console.log(`\nLocal cloud — ${items}-item batch, offline planner, inline tool`);
    console.log(`  whole stack      ${ms(stackMs)}`);
    console.log(`  bare engine      ${ms(bareMs)}   (anchor: same ASL, handlers and writes)`);
    console.log(`  ratio            ${(stackMs / bareMs).toFixed(2)}×   (target ≤ 1.5×)`);
    console.log(`\nack latency over ${ackQueries} queries`);
    console.log(
      `  p50 ${ms(percentile(latencies, 50))}   p99 ${ms(percentile(latencies, 99))}   max ${ms(Math.max(...latencies))}`,
    );
  } finally {
    await cloud.stop();
  }

  const dataDirectory = await mkdtemp(join(tmpdir(), 'cascade-bench-start-'));
  const fresh = await timeToReady(dataDirectory, true);
  const warm = await timeToReady(dataDirectory, false);
  console.log('\nnpm start → ready');
  console.log(`  fresh ${ms(fresh)}   warm ${ms(warm)}   (target about 3 s)`);
}

await main();

/**
 * What the agent pipeline asks of AWS per item, counted where a deployment pays for it: every
 * request at the local cloud's edge (DynamoDB, S3, WebSocket posts, Step Functions' task API)
 * and, from the Step Functions engine, state transitions, Lambda invocations and task starts.
 * Per item kind — an analysis inside Dispatch, one on the task, an item that fails — as the
 * difference between a batch of 2n items and one of n (so each run's own start and finish cancel
 * out), beside what Cascade's cost estimate counts for the same items.
 */
import '@cascade/local/engine'; // first: its polyfill gives Node 20 the Promise.withResolvers the engine needs

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ItemsRepository, itemUsage, type ServerMessageOf } from '@cascade/core';
import type { LocalCloud } from '@cascade/local';
import {
  Client,
  credentials,
  csvAboveInlineLimit,
  isResponseFor,
  newUser,
  startTestCloud,
  uploadCsv,
} from '../test/integration/harness';
import { unlimited } from '../test/support/links';

const dynamoReads = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
const dynamoWrites = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** The columns printed per kind: what the cost table prices. */
interface Counts {
  transitions: number;
  lambda: number;
  dynamoRead: number;
  dynamoWrite: number;
  s3Get: number;
  s3Put: number;
  messages: number;
  taskApi: number;
  tasks: number;
}

const noCounts = (): Counts => ({
  transitions: 0,
  lambda: 0,
  dynamoRead: 0,
  dynamoWrite: 0,
  s3Get: 0,
  s3Put: 0,
  messages: 0,
  taskApi: 0,
  tasks: 0,
});

function group(snapshot: Record<string, number>): Counts {
  const counts = noCounts();
  for (const [key, n] of Object.entries(snapshot)) {
    const [service, operation = ''] = key.split(':');
    if (key === 'states:StateTransition') counts.transitions += n;
    else if (key === 'lambda:Invoke') counts.lambda += n;
    else if (key === 'ecs:RunTask') counts.tasks += n;
    else if (service === 'dynamodb' && dynamoReads.has(operation)) counts.dynamoRead += n;
    else if (service === 'dynamodb' && dynamoWrites.has(operation)) counts.dynamoWrite += n;
    else if (service === 's3' && /^(Get|Head|List)/.test(operation)) counts.s3Get += n;
    else if (service === 's3') counts.s3Put += n;
    else if (key === 'execute-api:PostToConnection') counts.messages += n;
    else if (service === 'states' && /^SendTask/.test(operation)) counts.taskApi += n;
  }
  return counts;
}

const difference = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([key, n]) => [key, n - (before[key] ?? 0)]));

interface Kind {
  name: string;
  /** The question each item asks. */
  question: string;
  /** Items per batch: n, then 2n. */
  n: number;
  expect: 'SUCCEEDED' | 'FAILED';
}

/** Runs one batch and returns what the cloud served for it, and the estimate from its item records. */
async function batch(cloud: LocalCloud, client: Client, kind: Kind, size: number) {
  const before = cloud.requests.snapshot();
  const messageId = randomUUID();
  client.send({
    action: 'query',
    messageId,
    payload: {
      content: kind.question,
      items: Array.from({ length: size }, (_, i) => ({ id: `i${i}`, input: kind.question })),
      options: { maxConcurrency: 4 },
    },
  });
  const ack = await client.waitFor<ServerMessageOf<'ack'>>(
    (m) => m.action === 'ack' && m.messageId === messageId,
    60_000,
  );
  const response = await client.waitFor<ServerMessageOf<'response'>>(isResponseFor(ack.executionId), 600_000);
  if (response.status !== kind.expect)
    throw new Error(`${kind.name}: the batch ended ${response.status}, expected ${kind.expect}`);
  // The run's last writes (the conclusion) land before `response` is sent; let stragglers settle.
  await new Promise((done) => setTimeout(done, 500));
  const measured = difference(cloud.requests.snapshot(), before);
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'us-east-1', endpoint: cloud.endpoints.edgeUrl, credentials }),
  );
  const items = await new ItemsRepository({ client: db, tableName: cloud.endpoints.tables.items }).list(
    ack.executionId,
  );
  db.destroy();
  return { measured, items };
}

const columns: (keyof Counts)[] = [
  'transitions',
  'lambda',
  'dynamoRead',
  'dynamoWrite',
  's3Get',
  's3Put',
  'messages',
  'taskApi',
  'tasks',
];

const cell = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1)).padStart(11);

async function measureKind(cloud: LocalCloud, client: Client, kind: Kind) {
  const small = await batch(cloud, client, kind, kind.n);
  const large = await batch(cloud, client, kind, 2 * kind.n);
  const perItem = group(difference(large.measured, small.measured));
  const estimate = large.items.slice(kind.n).reduce((sum, item) => {
    const usage = itemUsage(item);
    sum.transitions += usage.transitions;
    sum.lambda += usage.invocations.length;
    sum.dynamoRead += usage.requests.dynamoRead;
    sum.dynamoWrite += usage.requests.dynamoWrite;
    sum.s3Get += usage.requests.s3Get;
    sum.s3Put += usage.requests.s3Put;
    sum.messages += usage.requests.messages;
    sum.tasks += usage.tasks.length;
    return sum;
  }, noCounts());
  const perRun = group(small.measured);
  return {
    kind: kind.name,
    measured: Object.fromEntries(columns.map((c) => [c, perItem[c] / kind.n])) as unknown as Counts,
    estimate: Object.fromEntries(columns.map((c) => [c, estimate[c] / kind.n])) as unknown as Counts,
    run: Object.fromEntries(
      columns.map((c) => [c, perRun[c] - (perItem[c] / kind.n) * kind.n]),
    ) as unknown as Counts,
    raw: difference(large.measured, small.measured),
  };
}

type Measured = Awaited<ReturnType<typeof measureKind>>;

/** The two clouds run in processes of their own: the handlers' clients are built once per process. */
async function inChild(): Promise<Measured[]> {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--failing'],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 600_000,
    },
  );
  if (child.status !== 0) throw new Error(`the failing-task cloud exited ${child.status ?? child.signal}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!);
}

/** A task that dies before it reports: the item fails through the Catch and RecordFailure. */
async function failingKind(): Promise<Measured[]> {
  const cloud = await startTestCloud({
    rateLimits: unlimited,
    analysisCommand: [process.execPath, '-e', 'process.exit(3)'],
  });
  try {
    const user = await newUser(cloud);
    const client = await Client.connect(`${cloud.endpoints.websocketUrl}?token=${user.idToken}`);
    await uploadCsv(client, 'big.csv', csvAboveInlineLimit());
    const run = await measureKind(cloud, client, {
      name: 'failed item',
      question: 'profile big.csv',
      n: 3,
      expect: 'FAILED',
    });
    client.close();
    return [run];
  } finally {
    await cloud.stop();
  }
}

async function main() {
  const runs: Measured[] = [];
  const cloud = await startTestCloud({ rateLimits: unlimited });
  try {
    const user = await newUser(cloud);
    const client = await Client.connect(`${cloud.endpoints.websocketUrl}?token=${user.idToken}`);
    await uploadCsv(client, 'small.csv', 'order_id,region,amount\n1,north,10.5\n2,south,22\n3,north,7\n');
    await uploadCsv(client, 'big.csv', csvAboveInlineLimit());
    runs.push(
      await measureKind(cloud, client, {
        name: 'inline tool',
        question: 'profile small.csv',
        n: 10,
        expect: 'SUCCEEDED',
      }),
    );
    runs.push(
      await measureKind(cloud, client, {
        name: 'task tool',
        question: 'profile big.csv',
        n: 3,
        expect: 'SUCCEEDED',
      }),
    );
    client.close();
  } finally {
    await cloud.stop();
  }
  runs.push(...(await inChild()));

  console.log('\nRequests per item (measured at the edge and in the engine; one open connection)');
  console.log(`  ${'kind'.padEnd(24)}${columns.map((c) => c.padStart(11)).join('')}`);
  for (const run of runs) {
    console.log(
      `  ${`${run.kind}, measured`.padEnd(24)}${columns.map((c) => cell(run.measured[c])).join('')}`,
    );
    console.log(
      `  ${`${run.kind}, estimated`.padEnd(24)}${columns.map((c) => cell(run.estimate[c])).join('')}`,
    );
  }
  console.log(
    `  ${'per run, besides items'.padEnd(24)}${columns.map((c) => cell(runs[0]!.run[c])).join('')}`,
  );
  for (const run of runs) console.log(`\n  ${run.kind}, by operation, all items: ${JSON.stringify(run.raw)}`);
}

if (process.argv.includes('--failing')) console.log(JSON.stringify(await failingKind()));
else await main();

import { spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createEngine } from '@cascade/analysis/engine';
import { ConnectionsRepository, ItemsRepository } from '@cascade/core';
import { type Turn, turnKey } from '@cascade/core/agent/transcript';
import { linksOf, stepFunctions } from '@cascade/functions/definitions';
import { seedSamples, startS3 } from '@cascade/local/s3';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngineLayer, engineVersion, queryChildFile } from '../../scripts/build-engine-layer.mjs';
import { bundling, engineBundling } from '../../stacks/functions';
import { samplesDirectory } from '../../stacks/settings';
import { startDynamo, type TestDynamo } from '../support/dynamo';
import { filesUnder, KB, listen, MB, sizeOf } from './files';
import { lambdaBuildOptions } from './lambda-build';
import { root } from './platform';

/**
 * The Dispatch function as Lambda will run it, offline. What this proves:
 *
 * - The engine layer scripts/build-engine-layer.mjs builds (the directory a deploy zips) fits
 *   Lambda's limits and holds only DuckDB's linux-x64 glibc build of the pinned version, whose
 *   binaries ask no more of the C and C++ libraries than Amazon Linux 2023 provides, and the
 *   query's process: one file that imports nothing but Node's built-ins.
 * - The Dispatch bundle, built as SST builds it, runs the analysis engine from a Lambda-like
 *   layout outside the repository: the bundle alone in a read-only task directory, the AWS SDK
 *   reachable as the runtime provides it, DuckDB only from the layer through Lambda's NODE_PATH
 *   (without it DuckDB cannot be loaded at all), no HOME, a user who cannot write the code. Its
 *   real `handler` takes Step Functions' item states and answers every engine tool inline
 *   against emulated AWS (DynamoDB, S3 and the WebSocket API's management endpoint): the numbers
 *   equal those of the engine run from its sources; each query runs in a child process that is
 *   the layer's query child, named by the variable the stack sets (CASCADE_QUERY_CHILD_SCRIPT),
 *   with no credentials (only TMPDIR and NODE_PATH) and DuckDB from the layer; without that file
 *   the function says so and each query runs in a copy of the bundle (CASCADE_QUERY_CHILD=1), as
 *   locked down, with the same answers; queries reaching for a file are refused; a profile large
 *   enough for worker threads is described in the function's own thread (a bundle has no esbuild
 *   to build a worker); every result is written to results/, /tmp is empty afterwards and the
 *   task directory unchanged.
 *
 * What only a deploy can prove: that Lambda's own Node.js runtime (22, on Amazon Linux 2023,
 * x86-64) loads the bundle and finds the layer under /opt, that DuckDB's library loads and runs
 * there (only its needs are checked here), that a function may start a process from its layer
 * there, the real memory and /tmp (512 MB) at 2048 MB, cold-start and query times on Lambda's
 * CPUs, and IAM (access.test.ts checks the statements against the calls). Node here is 20;
 * Lambda's is 22.
 */

/** Lambda's quotas: a layer uploaded with its function's API call, and a function with all its layers. */
const directUploadLimit = 50 * MB;
const unzippedLimit = 250 * MB;
/** Amazon Linux 2023 (Lambda's nodejs22.x): glibc 2.34, GCC 11's libstdc++ (GLIBCXX_3.4.29, CXXABI_1.3.13). */
const amazonLinux2023 = { GLIBC: '2.34', GLIBCXX: '3.4.29', CXXABI: '1.3.13' };

const dispatch = stepFunctions.DispatchFunctionArn;
const bucket = 'cascade-engine-data';
const user = { userId: 'user-1', tenantId: 'tenant-1' };
const executionId = 'run-engine';

// ---------------------------------------------------------------------------------------------
// The layer: zip size, contents and what its binaries need.

/**
 * The size of the zip of a directory, computed as a zip is laid out: each file deflated (at the
 * default level, as Pulumi's archive does) or stored when that is smaller, with its local header,
 * its central directory entry and the end record.
 */
function zippedBytes(directory: string): number {
  let bytes = 22;
  for (const file of filesUnder(directory)) {
    const name = Buffer.byteLength(file);
    const data = readFileSync(join(directory, file));
    bytes += 30 + 46 + 2 * name + Math.min(data.length, deflateRawSync(data).length);
  }
  return bytes;
}

interface ElfFacts {
  machine: number;
  needed: string[];
  /** The symbol versions it needs, by library family: GLIBC → ['2.2.5', …]. */
  versions: Record<string, string[]>;
}

/** Reads a 64-bit little-endian ELF file's machine, DT_NEEDED libraries and needed symbol versions. */
function readElf(file: string): ElfFacts | undefined {
  const b = readFileSync(file);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46) return undefined;
  if (b[4] !== 2 || b[5] !== 1) throw new Error(`${file} is not a 64-bit little-endian ELF file`);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const sections = Array.from({ length: b.readUInt16LE(0x3c) }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      type: b.readUInt32LE(at + 4),
      offset: Number(b.readBigUInt64LE(at + 0x18)),
      size: Number(b.readBigUInt64LE(at + 0x20)),
      link: b.readUInt32LE(at + 0x28),
      info: b.readUInt32LE(at + 0x2c),
    };
  });
  const text = (table: number, at: number) => {
    const start = sections[table]!.offset + at;
    return b.toString('latin1', start, b.indexOf(0, start));
  };
  const needed: string[] = [];
  const versions: Record<string, string[]> = {};
  for (const section of sections) {
    if (section.type === 6) {
      // SHT_DYNAMIC: DT_NEEDED entries name libraries in its string table.
      for (let at = section.offset; at < section.offset + section.size; at += 16)
        if (b.readBigInt64LE(at) === 1n) needed.push(text(section.link, Number(b.readBigUInt64LE(at + 8))));
    } else if (section.type === 0x6ffffffe) {
      // SHT_GNU_verneed: per library, the versions (GLIBC_2.14, GLIBCXX_3.4.20…) it must provide.
      let need = section.offset;
      for (let i = 0; i < section.info; i++) {
        let aux = need + b.readUInt32LE(need + 8);
        for (let j = 0; j < b.readUInt16LE(need + 2); j++) {
          const [family, version] = text(section.link, b.readUInt32LE(aux + 8)).split('_') as [
            string,
            string,
          ];
          versions[family] = [...(versions[family] ?? []), version];
          aux += b.readUInt32LE(aux + 12);
        }
        need += b.readUInt32LE(need + 12);
      }
    }
  }
  return { machine: b.readUInt16LE(18), needed, versions };
}

const compareVersions = (a: string, b: string) => {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};
const newest = (versions: string[]) => [...versions].sort(compareVersions).at(-1)!;

// ---------------------------------------------------------------------------------------------
// The Lambda stand-in: /opt (the layer), /var/task (the bundle), /tmp, outside the repository.

let work: string;
let opt: string;
let task: string;
let scratch: string;
let layerDirectory: string;
let bundleBytes: number;

/** The path of a file in the task directory and its size and time, to show nothing changed it. */
const snapshot = (directory: string) =>
  readdirSync(directory, { recursive: true, withFileTypes: true }).map((entry) => {
    const path = join(entry.parentPath, entry.name);
    const stat = statSync(path, { throwIfNoEntry: false });
    return `${relative(directory, path)} ${stat?.size} ${stat?.mtimeMs}`;
  });

/** Makes a tree readable by everyone and writable by nobody. */
function readOnly(directory: string) {
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true }))
    if (!entry.isSymbolicLink())
      chmodSync(join(entry.parentPath, entry.name), entry.isDirectory() ? 0o555 : 0o444);
  chmodSync(directory, 0o555);
}

/** Lambda's NODE_PATH for Node.js 22, with this layout's /opt and /var in place of the real ones. */
function lambdaNodePath(layer: string | undefined) {
  const lambdaRoot = dirname(dirname(task));
  return [
    ...(layer ? [join(layer, 'nodejs/node22/node_modules'), join(layer, 'nodejs/node_modules')] : []),
    join(lambdaRoot, 'runtime/node_modules'),
    join(lambdaRoot, 'runtime'),
    task,
  ].join(delimiter);
}

// ---------------------------------------------------------------------------------------------
// Emulated AWS for the handler: DynamoDB (dynalite), S3 (s3rver), the WebSocket management API.

let dynamo: TestDynamo;
let s3Server: Server;
let s3Endpoint: string;
let client: S3Client | undefined;
/** A client of the emulated S3, for this test's own reads and writes. */
const s3Client = () =>
  (client ??= new S3Client({
    endpoint: s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  }));
let apiServer: Server;
let apiEndpoint: string;
const posted: { connectionId: string; message: { action: string; itemId?: string; status?: string } }[] = [];

// ---------------------------------------------------------------------------------------------
// The datasets and the jobs.

/** Two groups with known sizes and means, and a 0/1 column. */
const groupRows = Array.from({ length: 300 }, (_, i) => ({
  grp: i % 3 === 0 ? 'B' : 'A',
  y: i % 3 === 0 ? 12 + (i % 7) * 0.5 : 10 + (i % 5) * 0.25,
  x: (i * 37) % 101,
  flag: i % 4 === 0 ? 1 : 0,
}));
const groupsCsv = `grp,y,x,flag\n${groupRows.map((r) => `${r.grp},${r.y},${r.x},${r.flag}`).join('\n')}\n`;

/** 600,000 rows of four numeric columns: 2.4 million values, where profile turns to worker threads. */
const bigRows = 600_000;
function bigCsv(): string {
  const lines = ['a,b,c,d'];
  for (let i = 0; i < bigRows; i++) lines.push(`${i % 997},${(i * 7) % 1009},${(i * 13) % 499},${i % 31}`);
  return `${lines.join('\n')}\n`;
}

interface Job {
  itemId: string;
  tool: string;
  input: Record<string, unknown>;
}

const groupsQuery = 'SELECT grp, count(*) AS n, avg(y) AS mean_y FROM data GROUP BY grp ORDER BY grp';
const jobs: Job[] = [
  { itemId: 'query', tool: 'query_data', input: { datasetId: 'groups.csv', sql: groupsQuery } },
  {
    itemId: 'hostile',
    tool: 'query_data',
    input: { datasetId: 'groups.csv', sql: "SELECT * FROM read_csv('/etc/passwd')" },
  },
  {
    itemId: 'hostile-path',
    tool: 'query_data',
    input: { datasetId: 'groups.csv', sql: "SELECT * FROM '/etc/passwd'" },
  },
  {
    itemId: 'compare',
    tool: 'compare_groups',
    input: { datasetId: 'groups.csv', outcome: 'y', group: 'grp' },
  },
  {
    itemId: 'regression',
    tool: 'fit_regression',
    input: { datasetId: 'groups.csv', outcome: 'y', predictors: ['x', 'flag'] },
  },
  { itemId: 'profile', tool: 'profile', input: { datasetId: 'lalonde.csv' } },
  {
    itemId: 'effect',
    tool: 'estimate_effect',
    input: {
      datasetId: 'lalonde.csv',
      treatment: 'treat',
      outcome: 're78',
      covariates: ['age', 'educ', 're74', 're75'],
    },
  },
  { itemId: 'big-profile', tool: 'profile', input: { datasetId: 'big.csv' } },
];

/**
 * The queries again, for a run whose environment names a query child that is not there, and a
 * job after them as in the first run: a query's process is removed with its directory when it
 * has exited, after the answer, which the process running the function must outlive.
 */
const fallbackJobs: Job[] = jobs
  .filter((job) => job.tool === 'query_data' || job.itemId === 'compare')
  .map((job) => ({ ...job, itemId: `${job.itemId}-fallback` }));

/** Where each job's dataset is on this machine, for running the engine from its sources. */
let localData: Record<string, string>;

// ---------------------------------------------------------------------------------------------
// The run: a process that loads the bundle as Lambda's runtime does and hands it each item state.

interface Report {
  initMs: number;
  results: { itemId: string; ms: number; state?: Record<string, unknown>; error?: string }[];
  /** Each process started: what, with which environment, and how long it lived (to its exit). */
  spawns: { command: string; args: string[]; env: Record<string, string>; ms?: number }[];
  /** Files of DuckDB's native library mapped into the process. */
  duckdbFiles: string[];
  /** Whether the bundle could load esbuild, which it needs to start a worker thread. */
  esbuildReachable: boolean;
  rssBytes: number;
}

/** The runtime stand-in: loads the handler's module, then calls it once per event, as Lambda would. */
const invoker = `
import childProcess from 'node:child_process';
import { readFileSync, writeSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';

// Every process the function starts, recorded on the way (the bundle imports spawn from here).
const spawns = [];
const originalSpawn = childProcess.spawn;
childProcess.spawn = function (command, args, options) {
  const spawned = { command, args, env: options?.env };
  spawns.push(spawned);
  const started = performance.now();
  const child = originalSpawn.apply(this, arguments);
  child.once('exit', () => {
    spawned.ms = performance.now() - started;
  });
  return child;
};
syncBuiltinESMExports();

const [bundle, eventsFile] = process.argv.slice(2);
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const started = performance.now();
const module = await import(pathToFileURL(bundle).href);
const initMs = performance.now() - started;
const results = [];
for (const event of events) {
  const begun = performance.now();
  const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, getRemainingTimeInMillis: () => 60000 };
  try {
    const state = await module.handler(event, context);
    results.push({ itemId: event.itemId, ms: performance.now() - begun, state });
  } catch (error) {
    results.push({ itemId: event.itemId, ms: performance.now() - begun, error: String(error?.stack ?? error) });
  }
}
const duckdbFiles = [...new Set(readFileSync('/proc/self/maps', 'utf8').split('\\n')
  .map((line) => line.split(/\\s+/).slice(5).join(' ')).filter((path) => /duckdb/.test(path)))];
// What the bundle's own require can reach: esbuild (to build a worker thread's code) it cannot.
const reachable = (name) => { try { createRequire(bundle).resolve(name); return true; } catch { return false; } };
const esbuildReachable = reachable('esbuild');
writeSync(3, JSON.stringify({ initMs, results, spawns, duckdbFiles, esbuildReachable, rssBytes: process.memoryUsage().rss }));
process.exit(0);
`;

interface Run {
  code: number | null;
  stderr: string;
  report?: Report;
}

/**
 * What the stack sets for a function that runs the engine (stacks/functions.ts), with this
 * layout's /opt in place of the real one.
 */
const engineEnvironment = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(engineBundling.environment).map(([name, value]) => [
      name,
      value.replace(/^\/opt\//, `${opt}/`),
    ]),
  );

/**
 * Runs the invoker as Lambda runs a function: its environment only, no HOME, as a user who
 * cannot write the code. `environment` replaces variables the stack sets.
 */
function runFunction(options: {
  layer: string | undefined;
  events: unknown[];
  environment?: Record<string, string>;
}): Promise<Run> {
  const eventsFile = join(scratch, `events-${Date.now()}.json`);
  writeFileSync(eventsFile, JSON.stringify(options.events));
  chmodSync(eventsFile, 0o444);
  const links: Record<string, unknown> = {
    Items: { name: dynamo.tableNames.items },
    Connections: { name: dynamo.tableNames.connections },
    Datasets: { name: bucket },
    Api: { managementEndpoint: `${apiEndpoint}/test` },
  };
  expect(Object.keys(links).sort()).toEqual(linksOf(dispatch.access));
  const env: Record<string, string> = {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    // Lambda's /tmp; a directory of this run's, to see what is left in it.
    TMPDIR: scratch,
    LAMBDA_TASK_ROOT: task,
    NODE_PATH: lambdaNodePath(options.layer),
    AWS_EXECUTION_ENV: `AWS_Lambda_${bundling.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: 'cascade-test-DispatchStepFunction',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(Number.parseInt(dispatch.memory, 10)),
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SESSION_TOKEN: 'test-session',
    // Emulated AWS in place of the real endpoints.
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    // Node 20 here; Lambda runs 22, where the SDK has no such warning.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    SST_RESOURCE_App: JSON.stringify({ name: 'cascade', stage: 'test' }),
    ...Object.fromEntries(
      Object.entries(links).map(([name, value]) => [`SST_RESOURCE_${name}`, JSON.stringify(value)]),
    ),
    ...engineEnvironment(),
    ...options.environment,
  };
  // Lambda runs functions as an unprivileged user; as root here, a real user is the only way to a read-only /var/task.
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(dirname(task), 'runtime', 'invoke.mjs'), join(task, 'bundle.mjs'), eventsFile],
      {
        cwd: task,
        env,
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
        ...asNobody,
      },
    );
    let stderr = '';
    let report = '';
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdio[3]!.on('data', (chunk) => {
      report += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ...(report && { report: JSON.parse(report) as Report }) });
    });
  });
}

/** Whether a user other than the owner can reach `path` (every directory above it searchable). */
function reachableByOthers(path: string): boolean {
  for (let at = path; ; at = dirname(at)) {
    if ((statSync(at).mode & 0o001) === 0) return false;
    if (dirname(at) === at) return true;
  }
}

/**
 * The AWS SDK where the bundle's imports find it, as Lambda's runtime provides it: a link to the
 * repository's copy, or, when the function's unprivileged user could not reach the repository (a
 * clone under a private directory such as /root), a copy of the SDK and what it depends on.
 */
function provideRuntimeSdk(modules: string): void {
  mkdirSync(modules);
  const sdk = join(root, 'node_modules/@aws-sdk');
  if (reachableByOthers(sdk)) {
    symlinkSync(sdk, join(modules, '@aws-sdk'));
    return;
  }
  const pending = readdirSync(sdk).map((name) => `@aws-sdk/${name}`);
  const copied = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop()!;
    const from = join(root, 'node_modules', name);
    if (copied.has(name) || !existsSync(from)) continue;
    copied.add(name);
    cpSync(from, join(modules, name), { recursive: true, dereference: true });
    const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    pending.push(...Object.keys(manifest.dependencies ?? {}));
  }
  chmodSync(modules, 0o755);
}

beforeAll(async () => {
  // Outside the repository: nothing may resolve from its node_modules by walking up.
  work = mkdtempSync(join(tmpdir(), 'cascade-lambda-'));
  expect(relative(root, work).startsWith('..')).toBe(true);
  chmodSync(work, 0o755);
  opt = join(work, 'opt');
  task = join(work, 'var/task');
  scratch = join(work, 'tmp');
  mkdirSync(scratch);
  chmodSync(scratch, 0o1777);

  // The layer as a deploy builds and zips it (kept in .sst/layers while the pin is unchanged),
  // copied to /opt as Lambda unpacks it.
  layerDirectory = buildEngineLayer();
  cpSync(layerDirectory, opt, { recursive: true });

  // The bundle as SST builds it, alone in /var/task. The AWS SDK is where the runtime keeps it
  // (/var/runtime/node_modules): for `import` in an ES module, a node_modules the task directory
  // can see stands in for the runtime's resolution. Only @aws-sdk: DuckDB is not reachable there.
  const result = await build({
    ...lambdaBuildOptions(dispatch),
    outfile: join(task, 'bundle.mjs'),
    write: true,
  });
  bundleBytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)!.bytes;
  provideRuntimeSdk(join(task, 'node_modules'));
  mkdirSync(join(work, 'var/runtime/node_modules'), { recursive: true });
  writeFileSync(join(work, 'var/runtime/invoke.mjs'), invoker);
  readOnly(task);
  readOnly(join(work, 'var/runtime'));

  // Emulated AWS.
  dynamo = await startDynamo('engine');
  const s3 = await startS3({ directory: join(work, 's3'), bucket });
  s3Server = createServer(s3.handle);
  s3Endpoint = await listen(s3Server);
  apiServer = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const connectionId = decodeURIComponent(request.url!.split('/@connections/')[1] ?? '');
      posted.push({ connectionId, message: JSON.parse(body) });
      response.writeHead(200).end();
    });
  });
  apiEndpoint = await listen(apiServer);

  // The datasets: the shared samples as a deploy seeds them, and two uploads of the user's.
  const samples = await seedSamples(s3Endpoint, bucket, join(root, samplesDirectory));
  expect(samples).toContain('lalonde.csv');
  const data = join(work, 'data');
  mkdirSync(data);
  writeFileSync(join(data, 'groups.csv'), groupsCsv);
  writeFileSync(join(data, 'big.csv'), bigCsv());
  localData = {
    'groups.csv': join(data, 'groups.csv'),
    'big.csv': join(data, 'big.csv'),
    'lalonde.csv': join(root, samplesDirectory, 'lalonde.csv'),
  };
  for (const name of ['groups.csv', 'big.csv'])
    await s3Client().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `users/${user.userId}/${name}`,
        Body: readFileSync(localData[name]!),
      }),
    );

  // Each job an item whose model turn called the tool, as InvokeModel leaves it; one live connection.
  const items = new ItemsRepository({ client: dynamo.client, tableName: dynamo.tableNames.items });
  await items.createBatch(
    executionId,
    [...jobs, ...fallbackJobs].map((job, index) => ({ itemId: job.itemId, index, input: job.tool })),
  );
  for (const job of [...jobs, ...fallbackJobs]) {
    await items.saveRequest(executionId, job.itemId, { text: job.tool, intent: 'refusal' });
    await items.putTurn(executionId, job.itemId, turnKey(0, 'model'), {
      kind: 'model',
      turn: 0,
      decision: {
        kind: 'tool',
        calls: [{ toolUseId: `use-${job.itemId}`, name: job.tool, input: job.input }],
      },
    });
  }
  await new ConnectionsRepository({ client: dynamo.client, tableName: dynamo.tableNames.connections }).put({
    connectionId: 'conn-1',
    ...user,
  });
}, 180_000);

afterAll(async () => {
  client?.destroy();
  await new Promise((resolve) => s3Server?.close(resolve));
  await new Promise((resolve) => apiServer?.close(resolve));
  await dynamo?.close();
  if (work) {
    // Writable again, to be removed.
    for (const entry of readdirSync(work, { recursive: true, withFileTypes: true }))
      if (!entry.isSymbolicLink()) chmodSync(join(entry.parentPath, entry.name), 0o755);
    rmSync(work, { recursive: true, force: true });
  }
});

describe('the engine layer', () => {
  it("fits Lambda's limits: under 50 MB zipped to upload directly, under 250 MB unzipped with the bundle", () => {
    const zipped = zippedBytes(layerDirectory);
    const unzipped = sizeOf(layerDirectory, filesUnder(layerDirectory));
    console.log(
      `engine layer: ${(zipped / MB).toFixed(1)} MB zipped, ${(unzipped / MB).toFixed(1)} MB unzipped; ` +
        `Dispatch bundle ${(bundleBytes / KB).toFixed(1)} KB; together ${((unzipped + bundleBytes) / MB).toFixed(1)} MB of 250 MB`,
    );
    expect(zipped).toBeLessThan(directUploadLimit);
    expect(unzipped + bundleBytes).toBeLessThan(unzippedLimit);
  });

  it('holds only the pinned DuckDB, its linux-x64 glibc build, under nodejs/node_modules', () => {
    const modules = join(layerDirectory, 'nodejs/node_modules');
    expect(readdirSync(join(modules, '@duckdb')).sort()).toEqual([
      'node-api',
      'node-bindings',
      'node-bindings-linux-x64',
    ]);
    for (const pkg of readdirSync(join(modules, '@duckdb'))) {
      const manifest = JSON.parse(readFileSync(join(modules, '@duckdb', pkg, 'package.json'), 'utf8'));
      expect({ pkg, version: manifest.version }).toEqual({ pkg, version: engineVersion() });
    }
    const platform = JSON.parse(
      readFileSync(join(modules, '@duckdb/node-bindings-linux-x64/package.json'), 'utf8'),
    );
    expect(platform).toMatchObject({ os: ['linux'], cpu: ['x64'], libc: ['glibc'] });
    // Besides DuckDB, only what it requires itself (node-bindings asks detect-libc which build to load).
    expect(
      readdirSync(modules)
        .filter((name) => !name.startsWith('.'))
        .sort(),
    ).toEqual(['@duckdb', 'detect-libc']);
  });

  it('has native code for x86-64 only, asking no more of glibc and libstdc++ than Amazon Linux 2023 has', () => {
    const binaries = filesUnder(layerDirectory).flatMap((file) => {
      const elf = readElf(join(layerDirectory, file));
      return elf ? [{ file, ...elf }] : [];
    });
    expect(binaries.map((b) => b.file).sort()).toEqual([
      'nodejs/node_modules/@duckdb/node-bindings-linux-x64/duckdb.node',
      'nodejs/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so',
    ]);
    for (const binary of binaries) {
      // EM_X86_64, which the function's architecture runs.
      expect({ file: binary.file, machine: binary.machine }).toEqual({ file: binary.file, machine: 0x3e });
      expect(engineBundling.architecture).toBe('x86_64');
      // glibc's libraries (musl's would be libc.musl-x86_64.so.1 / ld-musl), and no versions AL2023 lacks.
      expect(binary.needed).toContain('libc.so.6');
      expect(binary.needed.filter((lib) => /musl/.test(lib))).toEqual([]);
      for (const [family, limit] of Object.entries(amazonLinux2023)) {
        const needed = binary.versions[family] ?? [];
        if (needed.length)
          expect({ file: binary.file, family, newest: compareVersions(newest(needed), limit) <= 0 }).toEqual({
            file: binary.file,
            family,
            newest: true,
          });
      }
    }
    const libduckdb = binaries.find((b) => b.file.endsWith('libduckdb.so'))!;
    console.log(
      `libduckdb.so needs GLIBC_${newest(libduckdb.versions.GLIBC!)}, GLIBCXX_${newest(libduckdb.versions.GLIBCXX!)} (Amazon Linux 2023: ${amazonLinux2023.GLIBC}, ${amazonLinux2023.GLIBCXX})`,
    );
  });

  it("holds the query's process where the function is told it is: one file importing only Node's built-ins", async () => {
    expect(engineBundling.environment.CASCADE_QUERY_CHILD_SCRIPT).toBe(`/opt/${queryChildFile}`);
    const file = join(layerDirectory, queryChildFile);
    expect(readdirSync(dirname(file))).toEqual(['query-child.mjs']);
    // Bundled again it takes in nothing but itself: each of its imports is a built-in, left out.
    const again = await build({
      absWorkingDir: layerDirectory,
      entryPoints: [queryChildFile],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(Object.keys(again.metafile.inputs)).toEqual([queryChildFile]);
    const imports = Object.values(again.metafile.outputs).flatMap((output) => output.imports);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => !(i.external && isBuiltin(i.path)))).toEqual([]);
    // DuckDB is loaded with require, from the layer's node_modules.
    expect(readFileSync(file, 'utf8')).toContain('"@duckdb/node-api"');
    console.log(`query child: ${(statSync(file).size / KB).toFixed(1)} KB`);
  });
});

describe('the Dispatch bundle, run the way Lambda runs it', () => {
  let run: Run;
  let before: string[];
  const eventOf = (job: Job) => ({
    executionId,
    sessionId: 'session-1',
    ...user,
    itemId: job.itemId,
    turn: 0,
  });
  const events = jobs.map(eventOf);

  beforeAll(async () => {
    before = snapshot(task);
    run = await runFunction({ layer: opt, events });
  }, 120_000);

  const resultOf = (itemId: string) => run.report!.results.find((r) => r.itemId === itemId)!;
  const items = () => new ItemsRepository({ client: dynamo.client, tableName: dynamo.tableNames.items });
  const toolTurn = async (itemId: string) =>
    (await items().get(executionId, itemId))!.turns![turnKey(0, 'tool')] as Extract<Turn, { kind: 'tool' }>;
  /** The result document Dispatch wrote to results/, read back from the emulated S3. */
  const document = async (uri: string) => {
    const key = uri.replace(`s3://${bucket}/`, '');
    const object = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse(await object.Body!.transformToString()) as Record<string, unknown>;
  };
  /**
   * Numbers to 12 significant digits: a sum taken in another order (a worker thread's share of
   * columns, say) may differ in the last bits, and nothing a person reads depends on them.
   */
  const digits = (value: unknown): unknown => {
    if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(12)) : value;
    if (Array.isArray(value)) return value.map(digits);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, digits(v)]));
    return value;
  };
  /** The same job on the engine run from its TypeScript sources, in this process. */
  const fromSources = async (job: Job) => {
    const { datasetId, ...args } = job.input;
    const engine = createEngine({
      s3: () => {
        throw new Error('local data only');
      },
    });
    const { result, output } = await engine.run({
      tool: job.tool,
      data: localData[datasetId as string]!,
      args,
    } as never);
    return { ...result, output };
  };

  it('loads, and answers every item inline, with DuckDB from the layer only', () => {
    expect(run.report, run.stderr).toBeDefined();
    expect(run.code).toBe(0);
    for (const job of jobs) {
      const result = resultOf(job.itemId);
      expect({ itemId: job.itemId, error: result.error }).toEqual({ itemId: job.itemId, error: undefined });
      expect(result.state).toMatchObject({ itemId: job.itemId, route: 'inline' });
    }
    // The native library this process mapped is the layer's.
    expect(run.report!.duckdbFiles.sort()).toEqual([
      join(opt, 'nodejs/node_modules/@duckdb/node-bindings-linux-x64/duckdb.node'),
      join(opt, 'nodejs/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so'),
    ]);
    console.log(
      [
        `Dispatch in the Lambda layout: module init ${run.report!.initMs.toFixed(0)} ms (DuckDB and the SDK clients included), resident ${(run.report!.rssBytes / MB).toFixed(0)} MB at the end`,
        ...run.report!.results.map((r) => `  ${r.itemId.padEnd(12)} ${r.ms.toFixed(0).padStart(6)} ms`),
      ].join('\n'),
    );
  });

  it('without the layer on NODE_PATH, cannot load DuckDB from anywhere', async () => {
    const bare = await runFunction({ layer: undefined, events: [] });
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toContain("Cannot find module '@duckdb/node-api'");
  });

  it("runs each query in a child process that is the layer's query child, with no credentials, DuckDB from the layer", async () => {
    const queries = run.report!.spawns;
    // The good query and the two hostile ones: each its own process.
    expect(queries).toHaveLength(3);
    for (const { command, args, env } of queries) {
      expect(command).toBe(process.execPath);
      expect(args).toEqual([join(opt, queryChildFile)]);
      expect(Object.keys(env).sort()).toEqual(['NODE_PATH', 'TMPDIR']);
      expect(env.NODE_PATH!.split(delimiter)[0]).toBe(join(opt, 'nodejs/node_modules'));
    }
    console.log(
      `query processes, started to ended: ${queries.map((q) => `${q.ms?.toFixed(0)} ms`).join(', ')}`,
    );
    const turn = await toolTurn('query');
    expect(turn).toMatchObject({ name: 'query_data', ok: true });
    const result = await document(turn.resultUri!);
    // The numbers, by hand…
    const expected = ['A', 'B'].map((grp) => {
      const ys = groupRows.filter((r) => r.grp === grp).map((r) => r.y);
      return { grp, n: ys.length, mean_y: ys.reduce((a, b) => a + b, 0) / ys.length };
    });
    expect(result).toMatchObject({ sql: groupsQuery, rowCount: 2, truncated: false });
    expect((result.columns as { name: string }[]).map((c) => c.name)).toEqual(['grp', 'n', 'mean_y']);
    const rows = result.rows as [string, number, number][];
    expect(rows.map(([grp, n]) => ({ grp, n: Number(n) }))).toEqual(
      expected.map(({ grp, n }) => ({ grp, n })),
    );
    for (const [i, row] of rows.entries()) expect(row[2]).toBeCloseTo(expected[i]!.mean_y, 12);
    // …and the whole document, as the engine run from its sources writes it.
    expect(result).toEqual(await fromSources(jobs[0]!));
  });

  it('refuses queries that reach for a file, writing no result', async () => {
    const refusals: Record<string, RegExp> = {
      hostile: /^The table function read_csv\(\) is not available; only the table data can be queried/,
      'hostile-path': /^Only the table data \(and names defined with WITH\) can be queried/,
    };
    for (const [itemId, sentence] of Object.entries(refusals)) {
      const turn = await toolTurn(itemId);
      expect({ itemId, ok: turn.ok, resultUri: turn.resultUri }).toEqual({
        itemId,
        ok: false,
        resultUri: undefined,
      });
      expect(turn.observation).toMatch(sentence);
      const listed = await s3Client().send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: `results/${executionId}/${itemId}/` }),
      );
      expect(listed.Contents ?? []).toEqual([]);
    }
  });

  it('answers compare_groups, fit_regression, profile and estimate_effect with the numbers of the engine from its sources', async () => {
    for (const job of jobs.filter((j) => j.tool !== 'query_data')) {
      const turn = await toolTurn(job.itemId);
      expect({ itemId: job.itemId, ok: turn.ok, observation: turn.ok ? '' : turn.observation }).toEqual({
        itemId: job.itemId,
        ok: true,
        observation: '',
      });
      expect(turn.resultUri).toBe(`s3://${bucket}/results/${executionId}/${job.itemId}/000.json`);
      expect({ itemId: job.itemId, result: digits(await document(turn.resultUri!)) }).toEqual({
        itemId: job.itemId,
        result: digits(await fromSources(job)),
      });
    }
    const compare = await document((await toolTurn('compare')).resultUri!);
    expect(JSON.stringify(compare)).toContain('"A"');
    const profile = await document((await toolTurn('profile')).resultUri!);
    expect(profile).toMatchObject({ rows: 614 });
    // 2.4 million values: from the sources, half the columns are described in a worker thread;
    // the bundle cannot build a worker's code (no esbuild in Lambda), so it does all of them itself.
    expect(run.report!.esbuildReachable).toBe(false);
    const big = await document((await toolTurn('big-profile')).resultUri!);
    expect(big).toMatchObject({ rows: bigRows });
  });

  it("tells the user's connection each step started and succeeded", () => {
    const steps = posted
      .filter((p) => p.connectionId === 'conn-1')
      .map((p) => p.message)
      .filter((m) => m.action === 'step');
    for (const job of jobs) {
      const mine = steps.filter((m) => m.itemId === job.itemId).map((m) => m.status);
      expect({ itemId: job.itemId, mine }).toEqual({
        itemId: job.itemId,
        mine: ['started', job.itemId.startsWith('hostile') ? 'failed' : 'succeeded'],
      });
    }
  });

  it("without the layer's query child, says so and runs each query in a copy of the bundle, locked down as before, with the same answers", async () => {
    const fallback = await runFunction({
      layer: opt,
      events: fallbackJobs.map(eventOf),
      environment: { CASCADE_QUERY_CHILD_SCRIPT: join(opt, 'nodejs/cascade/missing.mjs') },
    });
    expect(fallback.report, fallback.stderr).toBeDefined();
    expect(fallback.code).toBe(0);
    expect(
      fallback.stderr.match(/CASCADE_QUERY_CHILD_SCRIPT names \S+missing\.mjs, which does not exist/g),
    ).toHaveLength(1);
    const queries = fallback.report!.spawns;
    expect(queries).toHaveLength(3);
    for (const { command, args, env } of queries) {
      expect(command).toBe(process.execPath);
      expect(args).toEqual([join(task, 'bundle.mjs')]);
      expect(Object.keys(env).sort()).toEqual(['CASCADE_QUERY_CHILD', 'NODE_PATH', 'TMPDIR']);
      expect(env.CASCADE_QUERY_CHILD).toBe('1');
      expect(env.NODE_PATH!.split(delimiter)[0]).toBe(join(opt, 'nodejs/node_modules'));
    }
    for (const job of fallbackJobs) {
      const [fell, original] = [
        await toolTurn(job.itemId),
        await toolTurn(job.itemId.replace(/-fallback$/, '')),
      ];
      expect({ itemId: job.itemId, ok: fell.ok, observation: fell.observation }).toEqual({
        itemId: job.itemId,
        ok: original.ok,
        observation: original.observation,
      });
      if (original.resultUri)
        expect(await document(fell.resultUri!)).toEqual(await document(original.resultUri));
    }
    console.log(
      [
        "the same queries, in the copy of the bundle (before) and in the layer's query child (after):",
        ...fallbackJobs
          .filter((job) => job.tool === 'query_data')
          .map((job, i) => {
            const original = job.itemId.replace(/-fallback$/, '');
            const [before, after] = [fallback.report!.results[i]!.ms, resultOf(original).ms];
            const [childBefore, childAfter] = [queries[i]!.ms, run.report!.spawns[i]!.ms];
            return `  ${original.padEnd(12)} ${before.toFixed(0).padStart(6)} ms → ${after.toFixed(0).padStart(6)} ms; its process ${childBefore?.toFixed(0)} ms → ${childAfter?.toFixed(0)} ms`;
          }),
      ].join('\n'),
    );
  });

  it('leaves /tmp empty and the task directory as it was', () => {
    const left = readdirSync(scratch).filter((name) => !name.startsWith('events-'));
    expect(left).toEqual([]);
    expect(snapshot(task)).toEqual(before);
  });
});

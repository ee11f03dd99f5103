import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { profileCsv } from '@cascade/analysis';
import { confounded } from '@cascade/analysis/datasets/confounded';
import { writeCsv } from '@cascade/analysis/datasets/csv-writer';
import { samplesDirectory } from '@cascade/analysis/datasets/directory';
import { ItemOutput } from '@cascade/core/protocol';
import { startS3 } from '@cascade/local/s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltImage, buildDockerfile, layOutContext } from './docker-build';
import { filesUnder, listen, MB, sizeOf } from './files';
import { root } from './platform';

/**
 * The analysis task image (packages/analysis/Dockerfile), built without Docker: the context laid
 * out as BuildKit sends it (the repository filtered by Dockerfile.dockerignore), then each COPY
 * and RUN of every stage in order, with this machine's Node 20 and the npm node:20-slim ships
 * (10.8.2, unpacked once beside the repository's node_modules) installing offline from the npm cache the
 * repository's own install filled. A step that fails in `docker build` fails here: a file the
 * context leaves out, a lockfile npm ci refuses, an install script that needs what is not there.
 * The final stage's directory is then run as the image runs: its command, its environment and
 * nothing else of this machine's (no repository node_modules above it).
 *
 * What only Docker can prove: that node:20-slim itself is what this machine stands in for (Node
 * 20 on glibc, npm 10.8.2), file ownership and the `node` user's rights, and the image's size
 * (the README records them, measured with `docker build`).
 */

/** DuckDB's native library is 68 MB of it; the bundles about 2 MB. */
const imageLayerLimit = 80 * MB;

let work: string;
let image: BuiltImage;

/**
 * npm 10.8.2, the base image's, unpacked once under node_modules/.cache (from npm's cache, or the
 * registry the first time). Not a devDependency: its `npm` and `npx` bins would shadow the
 * machine's npm in every npm script.
 */
function baseImageNpm(): string {
  const directory = join(root, 'node_modules/.cache/cascade-npm-10.8.2');
  const cli = join(directory, 'package/bin/npm-cli.js');
  if (existsSync(cli)) return cli;
  mkdirSync(directory, { recursive: true });
  execFileSync(
    'npm',
    ['pack', 'npm@10.8.2', '--pack-destination', directory, '--prefer-offline', '--silent'],
    {
      cwd: directory,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  execFileSync('tar', ['-xzf', join(directory, 'npm-10.8.2.tgz'), '-C', directory]);
  return cli;
}

/** The base image's npm, first on the RUN shell's PATH. */
function npmStandIn(directory: string): string {
  const bin = join(directory, 'bin');
  mkdirSync(bin);
  const cli = baseImageNpm();
  writeFileSync(join(bin, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`);
  chmodSync(join(bin, 'npm'), 0o755);
  return bin;
}

/** What a RUN sees of this machine: HOME (npm's cache and settings) and the network's settings. */
function runEnvironment(npmBin: string): NodeJS.ProcessEnv {
  const passed = ['HOME', 'NODE_EXTRA_CA_CERTS', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'].flatMap((key) => [
    key,
    key.toLowerCase(),
  ]);
  return {
    ...Object.fromEntries(passed.filter((key) => process.env[key]).map((key) => [key, process.env[key]])),
    PATH: [npmBin, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(delimiter),
    // The cache the repository's `npm install` filled (`npm test` names it), used without asking the registry.
    ...(process.env.npm_config_cache && { npm_config_cache: process.env.npm_config_cache }),
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in the image's directory with its environment, as `docker run IMAGE …` would. */
function runImage(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  const [command, ...args] = argv;
  const child = spawn(command!, args, {
    cwd: image.directory,
    env: {
      PATH: [dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter),
      HOME: join(work, 'home'),
      ...image.env,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cascade-analysis-image-'));
  mkdirSync(join(work, 'home'));
  image = await buildDockerfile({
    root,
    dockerfile: 'packages/analysis/Dockerfile',
    work,
    runEnv: runEnvironment(npmStandIn(work)),
  });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the analysis task image, built as `docker build` builds it', () => {
  it('is built from the manifests and the core and analysis sources only', () => {
    expect(image.context).toContain('package-lock.json');
    expect(image.context).toContain('packages/analysis/scripts/build-task.mjs');
    expect(image.context).toContain('packages/core/src/contract/index.ts');
    const unwanted = image.context.filter(
      (file) =>
        !/^(package\.json|package-lock\.json|packages\/(core|analysis)\/.+)$/.test(file) ||
        /(^|\/)(node_modules|test|coverage)\//.test(file) ||
        file.startsWith('packages/analysis/datasets/'),
    );
    expect(unwanted).toEqual([]);
  });

  it('holds the bundled task and DuckDB, no sources or dev tools, runs as node, and starts the task', () => {
    expect(image.from).toMatch(/^node:20/);
    expect(image.user).toBe('node');
    expect(image.cmd).toEqual(['node', 'dist/cascade-analysis.mjs', 'task']);
    const files = filesUnder(image.directory);
    expect(files.filter((file) => file.startsWith('dist/'))).toEqual([
      'dist/cascade-analysis.mjs',
      'dist/column-stats-worker.mjs',
      'dist/csv-scan-worker.mjs',
      'dist/effect-helper-worker.mjs',
      'dist/profile-helper-worker.mjs',
      'dist/query-child.mjs',
    ]);
    const packages = new Set(
      files.flatMap((file) => /^node_modules\/((@[^/]+\/)?[^/]+)\//.exec(file)?.[1] ?? []),
    );
    expect([...packages].sort()).toEqual([
      '@duckdb/node-api',
      '@duckdb/node-bindings',
      '@duckdb/node-bindings-linux-x64',
      'detect-libc',
    ]);
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    const bytes = sizeOf(image.directory, files);
    console.log(`analysis image: ${(bytes / MB).toFixed(1)} MB on top of the base image`);
    expect(bytes).toBeLessThan(imageLayerLimit);
  });

  it('profiles a sample dataset exactly as the engine does from its sources', async () => {
    const data = join(samplesDirectory, 'churn.csv');
    // The image's command with another subcommand than `task`.
    const cli = image.cmd.slice(0, -1);
    const { code, stdout, stderr } = await runImage([...cli, 'profile', '--data', data, '--json']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const profile = JSON.parse(stdout);
    expect(profile.rows).toBe(2000);
    expect(profile.columns.find((c: { name: string }) => c.name === 'tenure_months')).toMatchObject({
      type: 'integer',
      count: 2000,
      q50: 24,
    });
    expect(profile).toEqual(JSON.parse(JSON.stringify(await profileCsv(data))));
  });
});

// ---------------------------------------------------------------------------------------------
// Task mode against S3 (s3rver) and a Step Functions stand-in that records the task's calls.

describe('the image in task mode', () => {
  const bucket = 'cascade-task';
  const calls: { operation: string; input: { taskToken: string; output?: string; cause?: string } }[] = [];
  let server: Server;
  let endpoint: string;
  let s3: S3Client;

  /** Counts the worker threads that answered, on stderr: loaded into the task by NODE_OPTIONS. */
  let workerProbe: string;

  beforeAll(async () => {
    const storage = await startS3({ directory: join(work, 's3'), bucket });
    const stepFunctions = (request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk;
      });
      request.on('end', () => {
        calls.push({
          operation: String(request.headers['x-amz-target']).split('.')[1]!,
          input: JSON.parse(body),
        });
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
      });
    };
    server = createServer((request, response) =>
      request.headers['x-amz-target'] ? stepFunctions(request, response) : storage.handle(request, response),
    );
    endpoint = await listen(server);
    s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });

    // A study large enough for the worker threads (200,000 rows, 10 numeric columns), whose true effect is 2.
    const study = confounded({ rows: 200_000, covariates: 8, effect: 2, seed: 15 });
    const csv = join(work, 'study.csv');
    await writeCsv(csv, study.columns, study.rows);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/study.csv', Body: readFileSync(csv) }));
    const churn = readFileSync(join(samplesDirectory, 'churn.csv'));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/churn.csv', Body: churn }));

    workerProbe = join(work, 'worker-probe.mjs');
    writeFileSync(
      workerProbe,
      `import { writeSync } from 'node:fs';
process.on('worker', (worker) => worker.once('message', () => writeSync(2, 'a worker thread answered\\n')));
`,
    );
  });

  afterAll(async () => {
    s3?.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Puts the job, runs the image's own command with the token and JOB_URI, and returns the result document. */
  async function runJob(name: string, job: Record<string, unknown>) {
    const resultUri = `s3://${bucket}/results/${name}.json`;
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `jobs/${name}.json`,
        Body: JSON.stringify({ ...job, resultUri }),
      }),
    );
    const taskToken = `token-${name}`;
    const run = await runImage(image.cmd, {
      TASK_TOKEN: taskToken,
      JOB_URI: `s3://${bucket}/jobs/${name}.json`,
      HEARTBEAT_SECONDS: '1',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      NODE_OPTIONS: `--import=${workerProbe}`,
    });
    expect({ code: run.code, stderr: run.stderr.replaceAll('a worker thread answered\n', '') }).toEqual({
      code: 0,
      stderr: '',
    });
    const mine = calls.filter((call) => call.input.taskToken === taskToken);
    expect(mine[0]?.operation).toBe('SendTaskHeartbeat');
    const reported = mine.filter((call) => call.operation !== 'SendTaskHeartbeat');
    expect(reported.map((call) => call.operation)).toEqual(['SendTaskSuccess']);
    // The result's place, and when the process began and ended (the run's trace splits its time with them).
    const output = JSON.parse(reported[0]!.input.output!);
    expect(output).toEqual({ resultUri, startedAt: expect.any(Number), finishedAt: expect.any(Number) });
    expect(output.startedAt).toBeLessThanOrEqual(output.finishedAt);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `results/${name}.json` }));
    return {
      result: JSON.parse(await object.Body!.transformToString()),
      workersAnswered: run.stderr.split('a worker thread answered').length - 1,
    };
  }

  it('estimates an effect with its worker threads, every adjusted interval covering the true effect', async () => {
    const covariates = Array.from({ length: 8 }, (_, i) => `x${i + 1}`);
    const { result, workersAnswered } = await runJob('effect', {
      tool: 'estimate_effect',
      data: `s3://${bucket}/data/study.csv`,
      args: { treatment: 'treat', outcome: 'outcome', covariates },
    });
    expect(result.n).toBe(200_000);
    const adjusted = result.estimates.filter(
      (e: { method: string }) => e.method !== 'difference_in_means' && e.method !== 'matching_nn1_att',
    );
    expect(adjusted.map((e: { method: string }) => e.method)).toEqual([
      'regression_adjustment',
      'ipw_hajek',
      'ipw_horvitz_thompson',
      'ipw_att',
    ]);
    for (const { method, ci } of adjusted)
      expect({ method, covers: ci[0] < 2 && 2 < ci[1] }).toEqual({ method, covers: true });
    // With its chat output, which the state machine's Append step reads from here.
    expect(ItemOutput.parse(result.output).text).toContain('treat');
    // Half the file's scan and ranges of every pass over the rows ran in one thread built ahead of time, not here.
    expect(workersAnswered).toBe(1);
  });

  it('profiles a large file with a worker thread', async () => {
    const { result, workersAnswered } = await runJob('profile', {
      tool: 'profile',
      data: `s3://${bucket}/data/study.csv`,
    });
    expect(result.rows).toBe(200_000);
    expect(result.columns.map((c: { name: string }) => c.name)).toEqual([
      'treat',
      'outcome',
      ...Array.from({ length: 8 }, (_, i) => `x${i + 1}`),
    ]);
    expect(workersAnswered).toBe(1);
  });

  it('answers a query in its own process', async () => {
    const { result } = await runJob('query', {
      tool: 'query_data',
      data: `s3://${bucket}/data/churn.csv`,
      args: { sql: 'SELECT plan, count(*) AS customers FROM data GROUP BY plan ORDER BY plan' },
    });
    expect(result.rows).toEqual([
      ['basic', 1004],
      ['premium', 306],
      ['standard', 690],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// The context itself, on a tree made for it.

describe('the build context', () => {
  it('is what dockerignore rules let through: the last matching rule wins, exceptions reach into excluded directories, case counts', () => {
    const tree = mkdtempSync(join(tmpdir(), 'cascade-context-'));
    try {
      const files = [
        'keep.txt',
        'Notes.TXT',
        'secret.txt',
        'drop.log',
        'web/index.ts',
        'Deep/inner.txt',
        'packages/a/src/x.ts',
        'packages/a/node_modules/m/index.js',
        'packages/a/test/x.test.ts',
        'packages/b/src/y.ts',
        'node_modules/big/index.js',
      ];
      for (const file of files) {
        mkdirSync(dirname(join(tree, 'repo', file)), { recursive: true });
        writeFileSync(join(tree, 'repo', file), file);
      }
      const rules = [
        '# only what the image needs',
        '*',
        '!packages/a',
        '!*.txt',
        '/secret.txt',
        '**/node_modules',
        'packages/*/test',
      ];
      const copied = layOutContext(join(tree, 'repo'), rules.join('\n'), join(tree, 'context'));
      expect(copied.sort()).toEqual(['keep.txt', 'packages/a/src/x.ts']);
      expect(filesUnder(join(tree, 'context'))).toEqual(['keep.txt', 'packages/a/src/x.ts']);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
});

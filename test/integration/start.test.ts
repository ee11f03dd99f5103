import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { root } from './harness';
import { descendants, startScript as start } from './npm-start';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let running: ChildProcess | undefined;
afterEach(() => {
  running?.kill('SIGKILL');
  running = undefined;
});

describe('npm start', () => {
  it('starts the local cloud, prints its endpoints and writes endpoints.json; Ctrl-C stops it and its children', async () => {
    const data = await mkdtemp(join(tmpdir(), 'cascade-start-'));
    const cloud = start({ CASCADE_DATA_DIR: data });
    running = cloud.child;
    await cloud.waitFor('Ctrl-C stops everything.');
    expect(cloud.output()).toMatch(/Cascade local cloud — ready in \d+\.\d s/);
    expect(cloud.output()).toContain('AWS endpoint    http://127.0.0.1:');
    const endpoints = JSON.parse(readFileSync(join(data, 'endpoints.json'), 'utf8'));
    expect(endpoints).toMatchObject({
      region: 'us-east-1',
      bucket: 'cascade-local-data',
      tables: { sessions: 'cascade-local-Sessions' },
    });
    expect(Object.keys(endpoints)).toEqual(
      expect.arrayContaining([
        'region',
        'edgeUrl',
        'websocketUrl',
        'userPoolId',
        'userPoolClientId',
        'stateMachineArn',
        'bucket',
        'tables',
      ]),
    );
    const health = await fetch(`${endpoints.edgeUrl}/_cascade/health`).then((r) => r.json());
    expect(health).toEqual({ status: 'running' });

    cloud.child.kill('SIGINT');
    expect(await cloud.exited).toBe(0);
    expect(cloud.output()).toContain('Stopping the local cloud');
    // Nothing answers on the edge any more.
    await expect(fetch(`${endpoints.edgeUrl}/_cascade/health`)).rejects.toThrow();
    expect(existsSync(join(data, 'cognito', 'pool.json'))).toBe(true);
  });

  it('names the port and the variable that moves it when a port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cloud = start({
        CASCADE_DATA_DIR: await mkdtemp(join(tmpdir(), 'cascade-start-')),
        CASCADE_EDGE_PORT: String(port),
      });
      running = cloud.child;
      expect(await cloud.exited).toBe(1);
      expect(cloud.output()).toContain(
        `Port ${port} on 127.0.0.1 is already in use. Stop whatever holds it, or choose another port with CASCADE_EDGE_PORT=<port>.`,
      );
    } finally {
      blocker.close();
    }
  });

  it('refuses to start with a provider it does not know, or one missing what it needs, naming the variable', async () => {
    const unknown = start({ CASCADE_AGENT_PROVIDER: 'gpt-4' });
    running = unknown.child;
    expect(await unknown.exited).toBe(1);
    expect(unknown.output()).toContain(
      'The local cloud will not start: CASCADE_AGENT_PROVIDER must be one of rules, bedrock, openai, not "gpt-4".',
    );
    const noEndpoint = start({ CASCADE_AGENT_PROVIDER: 'openai', CASCADE_MODEL_ID: 'llama3.1:8b' });
    running = noEndpoint.child;
    expect(await noEndpoint.exited).toBe(1);
    expect(noEndpoint.output()).toContain('CASCADE_AGENT_PROVIDER=openai needs CASCADE_MODEL_BASE_URL');
    const badLimit = start({ CASCADE_LIMIT_CONCURRENT_RUNS: 'many' });
    running = badLimit.child;
    expect(await badLimit.exited).toBe(1);
    expect(badLimit.output()).toContain(
      'The local cloud will not start: CASCADE_LIMIT_CONCURRENT_RUNS must be an integer from 1 to 100000, not "many".',
    );
    const badBound = start({ CASCADE_STEP_CONCURRENCY: '0' });
    running = badBound.child;
    expect(await badBound.exited).toBe(1);
    expect(badBound.output()).toContain(
      'CASCADE_STEP_CONCURRENCY must be an integer from 1 to 1000, not "0".',
    );
  });

  it("refuses a port that browsers and Node's fetch will not connect to, naming the variable", async () => {
    const cloud = start({
      CASCADE_DATA_DIR: await mkdtemp(join(tmpdir(), 'cascade-start-')),
      CASCADE_WS_PORT: '6566',
    });
    running = cloud.child;
    expect(await cloud.exited).toBe(1);
    expect(cloud.output()).toContain(
      'Port 6566 is one that browsers and Node\'s fetch refuse to connect to (the Fetch standard\'s "bad ports"), so nothing could reach the local cloud there. Choose another port with CASCADE_WS_PORT=<port>.',
    );
    // Nothing left behind: the emulator children stopped with it.
    expect(cloud.output()).not.toContain('stopped unexpectedly');
  });

  it('stops, children and all, when whatever started it goes away, or when the cloud itself is killed', async () => {
    // npm passes SIGTERM to its shell, not to the script: a shell that dies stands in for it.
    const shell = spawn('sh', ['-c', `"${process.execPath}" "${join(root, 'scripts/start.mjs')}"`], {
      cwd: root,
      env: {
        ...process.env,
        CASCADE_EDGE_PORT: '0',
        CASCADE_WS_PORT: '0',
        CASCADE_WEB_PORT: '0',
        CASCADE_DATA_DIR: await mkdtemp(join(tmpdir(), 'cascade-start-')),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    shell.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    await vi.waitFor(() => expect(output).toContain('ready in'), { timeout: 30_000, interval: 100 });
    const family = descendants(shell.pid!);
    expect(family.length).toBeGreaterThanOrEqual(3); // start.mjs, the cloud, cognito-local
    shell.kill('SIGTERM');
    await vi.waitFor(() => expect(family.filter(alive)).toEqual([]), { timeout: 15_000, interval: 200 });

    const cloud = start({ CASCADE_DATA_DIR: await mkdtemp(join(tmpdir(), 'cascade-start-')) });
    running = cloud.child;
    await cloud.waitFor('ready in');
    const [cli, ...emulators] = descendants(cloud.child.pid!);
    expect(emulators.length).toBeGreaterThanOrEqual(1);
    process.kill(cli!, 'SIGKILL');
    // No one stops the emulators now: each notices its parent is gone and exits on its own.
    await vi.waitFor(() => expect(emulators.filter(alive)).toEqual([]), { timeout: 10_000, interval: 200 });
    expect(await cloud.exited).not.toBe(0);
  });

  it('--fresh wipes the data of earlier runs', async () => {
    const data = await mkdtemp(join(tmpdir(), 'cascade-start-'));
    const first = start({ CASCADE_DATA_DIR: data });
    running = first.child;
    await first.waitFor('Ctrl-C stops everything.');
    const pool = readFileSync(join(data, 'cognito', 'pool.json'), 'utf8');
    first.child.kill('SIGINT');
    await first.exited;
    const again = start({ CASCADE_DATA_DIR: data }, ['--fresh']);
    running = again.child;
    await again.waitFor('Ctrl-C stops everything.');
    expect(readFileSync(join(data, 'cognito', 'pool.json'), 'utf8')).not.toBe(pool);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });
});

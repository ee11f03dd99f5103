import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tokens } from '@cascade/cli/credentials';
import type { LocalCloud, LocalCloudOptions } from '@cascade/local';
import { afterAll, beforeAll } from 'vitest';
import { root, startTestCloud } from './harness';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const bin = join(root, 'packages/cli/bin/cascade.mjs');

/**
 * The real `cascade` bin as a child process against a local cloud's endpoints file, with its own
 * config directory. The shell never has the AWS SDK's warning switch (nothing but the CLI's own
 * sentence may reach stderr); `withoutAwsCredentials` also drops the shell's AWS credentials.
 */
export function cliRunner(options: {
  endpointsFile: () => string;
  configHome: () => string;
  cwd?: () => string;
  withoutAwsCredentials?: boolean;
}) {
  const environment = (): NodeJS.ProcessEnv => {
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _warning, ...env } = process.env;
    if (options.withoutAwsCredentials)
      for (const key of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) delete env[key];
    return { ...env, XDG_CONFIG_HOME: options.configHome(), CASCADE_ENDPOINTS: '' };
  };

  function start(args: string[], input?: string, env: NodeJS.ProcessEnv = {}) {
    const target = args.includes('--endpoints') ? [] : ['--endpoints', options.endpointsFile()];
    const child = spawn(process.execPath, [bin, ...args, ...target], {
      ...(options.cwd && { cwd: options.cwd() }),
      env: { ...environment(), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end(input);
    const output = { stdout: '', stderr: '' };
    child.stdout.on('data', (chunk) => {
      output.stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output.stderr += chunk;
    });
    const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, ...output })));
    return { child, output, done };
  }

  return {
    start,
    /** Runs the bin to its end; `env` adds to (or overrides) its environment. */
    cascade: (args: string[], input?: string, env?: NodeJS.ProcessEnv) => start(args, input, env).done,
  };
}

/**
 * A CLI suite's fixture: a local cloud started before the suite's tests and stopped after, a
 * config directory (and a working directory) of its own, and the runner pointed at both.
 */
export function cliSuite(
  options: { cloud?: Partial<LocalCloudOptions>; withoutAwsCredentials?: boolean } = {},
) {
  let cloud: LocalCloud | undefined;
  let configHome = '';
  let work = '';
  beforeAll(async () => {
    cloud = await startTestCloud(options.cloud);
    configHome = await mkdtemp(join(tmpdir(), 'cascade-cli-config-'));
    work = await mkdtemp(join(tmpdir(), 'cascade-cli-work-'));
  }, 60_000);
  afterAll(async () => {
    await cloud?.stop();
  });
  const started = () => {
    if (!cloud) throw new Error('the local cloud has not started');
    return cloud;
  };
  const endpointsFile = () => join(started().dataDirectory, 'endpoints.json');
  const credentialsFile = () => join(configHome, 'cascade', 'credentials.json');
  const targetKey = () => `${started().endpoints.userPoolId}/${started().endpoints.userPoolClientId}`;
  return {
    ...cliRunner({
      endpointsFile,
      configHome: () => configHome,
      cwd: () => work,
      ...(options.withoutAwsCredentials && { withoutAwsCredentials: true }),
    }),
    cloud: started,
    endpointsFile,
    configHome: () => configHome,
    work: () => work,
    credentialsFile,
    targetKey,
    /** The tokens `cascade login` keeps for this cloud, if any. */
    storedTokens: async (): Promise<Tokens | undefined> =>
      JSON.parse(await readFile(credentialsFile(), 'utf8')).targets[targetKey()],
  };
}

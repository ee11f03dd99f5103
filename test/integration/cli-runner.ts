import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { root } from './harness';

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

import { type ChildProcess, spawn } from 'node:child_process';
import type { EcsRunner } from '../engine';

export interface TaskRunnerOptions {
  /** The task's command, e.g. `[node, packages/analysis/bin/cascade-analysis.mjs, task]`. */
  command: string[];
  /** Environment every task gets besides its container overrides: endpoint, region, credentials. */
  environment: Record<string, string>;
  /** How a task that exits without reporting is failed: the local token registry, or Step Functions itself. */
  reportExit: (token: string, error: string, cause: string) => void | Promise<void>;
  /** Where task output goes (the terminal, or nowhere in tests). */
  log?: (line: string) => void;
}

/**
 * The ECS stand-in: every RunTask becomes a child process with the container's environment.
 * A task that exits without reporting through its token fails its state at once (on AWS it
 * would wait for the heartbeat timeout); StopExecution and timeouts kill the process.
 */
export function createTaskRunner(options: TaskRunnerOptions) {
  const children = new Set<ChildProcess>();
  /** Children stopped by a cancel, a timeout or shutdown: their exit is not a failure to report. */
  const stoppedByUs = new WeakSet<ChildProcess>();
  const run: EcsRunner = async ({ environment }) => {
    const [command, ...args] = options.command;
    const child = spawn(command!, args, {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...options.environment,
        ...environment,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    const label = environment.JOB_URI?.split('/').slice(-3).join('/') ?? 'task';
    child.stdout!.on('data', (chunk: Buffer) =>
      options.log?.(`[analysis ${label}] ${chunk.toString().trimEnd()}`),
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
      options.log?.(`[analysis ${label}] ${chunk.toString().trimEnd()}`);
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.once('exit', (code, signal) => {
      children.delete(child);
      // Stopped by us (a cancel, a timeout, shutdown): whoever stopped it reports the outcome.
      if (code === 0 || stoppedByUs.has(child)) return;
      const lastLine = stderr.trim().split('\n').at(-1) ?? '';
      // Killed from outside (the OOM killer, a crash): the item fails now, not at the heartbeat timeout.
      const cause = signal
        ? `The analysis task was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory, or stopped from outside)' : ''}${lastLine ? `: ${lastLine}` : ''}`
        : `The analysis task exited with code ${code}${lastLine ? `: ${lastLine}` : ''}`;
      // Named as the task names its own failures, so the item's error is this sentence.
      const error = signal ? 'AnalysisTaskKilled' : 'AnalysisTaskExited';
      Promise.resolve(options.reportExit(environment.TASK_TOKEN!, error, cause)).catch((error: unknown) =>
        options.log?.(`[analysis ${label}] could not report its exit: ${(error as Error).message}`),
      );
    });
    return {
      stop() {
        stoppedByUs.add(child);
        if (child.exitCode === null) child.kill('SIGTERM');
      },
    };
  };
  return {
    run,
    /** The tasks still running (tests check that a cancel killed them). */
    get running(): number {
      return children.size;
    },
    stopAll() {
      for (const child of children) {
        stoppedByUs.add(child);
        child.kill('SIGTERM');
      }
    },
  };
}

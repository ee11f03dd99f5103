import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueryResult } from '@cascade/core/contract';
import { AnalysisFailedError, type LimitExceededError } from '../../errors';
import { bundleSource, prebuiltBeside } from '../../parallel/bundle';
import { type ChildMessage, errorFrom, type IsolatedJob, serveAsQueryChild } from './child-protocol';
import { memoryLimitExceeded, type ResolvedLimits, timeLimitExceeded } from './limits';

/** After its own time limit, a statement has this long to stop by DuckDB's interrupt before the process is killed. */
const graceMs = 2000;
/** Above the query's memory limit, what the process may add before it is killed: Node itself, result rows, buffers. */
const headroomBytes = 512 * 2 ** 20;
const pollMs = 100;

let script: Promise<string> | undefined;

/**
 * The child's module and everything it imports as one plain JavaScript file in the temporary
 * directory, built once per process. DuckDB stays outside it: the child loads it with `require`
 * through NODE_PATH (childNodePath).
 */
function childScript(): Promise<string> {
  script ??= (async () => {
    const entry = fileURLToPath(new URL('./query-child.ts', import.meta.url));
    const text = bundleSource(`import ${JSON.stringify(entry)};`, dirname(entry), 'query-child-entry.js');
    const path = join(
      tmpdir(),
      `cascade-query-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`,
    );
    // Written under a private name and renamed, so a process starting the same file never reads half of it.
    const partial = `${path}.${process.pid}`;
    await writeFile(partial, text);
    await rename(partial, path);
    return path;
  })();
  return script;
}

/** Set in the environment of a bundled engine started as its own query process. */
const childFlag = 'CASCADE_QUERY_CHILD';

/**
 * Names a prebuilt query child: the engine layer's (scripts/build-engine-layer.mjs), which the
 * stacks name on the functions that run the engine (stacks/functions.ts, engineBundling).
 */
const childScriptVariable = 'CASCADE_QUERY_CHILD_SCRIPT';

let prebuilt: string | null | undefined;

/**
 * The prebuilt query child this process was told of, checked once. Named but missing (a function
 * given the variable without the layer that carries the file), the query runs as before from
 * the bundle itself: as locked down and with the same answer, only slower to start, so people
 * keep their answers while the log says, once, what is wrong.
 */
function prebuiltChild(): string | undefined {
  if (prebuilt === undefined) {
    const path = process.env[childScriptVariable];
    prebuilt = path && existsSync(path) ? path : null;
    // console, not stderr: Lambda's JSON log format gives it the WARN level.
    if (path && !prebuilt)
      console.warn(
        `${childScriptVariable} names ${path}, which does not exist: each query starts a copy of this whole bundle instead.`,
      );
  }
  return prebuilt ?? undefined;
}

/**
 * What to run as the query's process. From the TypeScript sources, the child module bundled
 * once (childScript). From a bundle, which has no esbuild and no sources, the same module built
 * ahead of time: beside the bundle (the task image) or into the engine layer when
 * childScriptVariable names it (the Dispatch Lambda), a process that loads only the query's
 * code, not the AWS SDK clients and the rest of the bundle. Otherwise that same bundle file,
 * told by childFlag to serve the query instead.
 */
async function childCommand(): Promise<{ args: string[]; env: Record<string, string> }> {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) return { args: [await childScript()], env: {} };
  const beside = prebuiltBeside(new URL('./query-child.ts', import.meta.url));
  if (beside) return { args: [fileURLToPath(beside)], env: {} };
  const layered = prebuiltChild();
  if (layered) return { args: [layered], env: {} };
  return { args: [self], env: { [childFlag]: '1' } };
}

/**
 * Where the child finds DuckDB: the node_modules this process loaded it from, then this
 * process's own NODE_PATH (a Lambda layer's /opt/nodejs/node_modules).
 */
function childNodePath(): string {
  const require = createRequire(import.meta.url);
  const modules = dirname(dirname(dirname(require.resolve('@duckdb/node-api/package.json'))));
  return [modules, process.env.NODE_PATH].filter(Boolean).join(delimiter);
}

if (process.env[childFlag] === '1') serveAsQueryChild();

/** The process's resident memory from /proc, or undefined where there is none (not Linux) or it has ended. */
async function residentBytes(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const kilobytes = status && /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kilobytes ? Number(kilobytes) * 1024 : undefined;
}

/**
 * The most the query's process may hold, from what it held when its first statement started:
 * that plus the query's memory limit and some headroom, and never more than the analysis's own
 * limit when it has one.
 */
export function memoryCeiling(residentAtStart: number, limits: ResolvedLimits): number {
  return Math.min(residentAtStart + limits.memoryBytes + headroomBytes, limits.processBytes ?? Infinity);
}

/**
 * Runs the query in a child process with nothing of this process's environment (no credentials
 * reach the SQL's process) but a temporary directory of its own, removed when it exits, so the
 * spill files of a child that had to be killed do not outlive it. Each statement the child starts resets a deadline of its time limit
 * plus a grace period; the process's resident memory may not pass memoryCeiling. Past either the
 * child is killed and the person gets the same sentence DuckDB's own limits give.
 */
export async function runIsolated(job: IsolatedJob, limits: ResolvedLimits): Promise<QueryResult> {
  const command = await childCommand();
  const scratch = await mkdtemp(join(tmpdir(), 'cascade-query-'));
  const child: ChildProcess = spawn(process.execPath, command.args, {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { TMPDIR: scratch, NODE_PATH: childNodePath(), ...command.env },
    serialization: 'json',
  });
  return new Promise<QueryResult>((resolve, reject) => {
    let deadline: NodeJS.Timeout | undefined;
    let watch: NodeJS.Timeout | undefined;
    let stopped: LimitExceededError | undefined;
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearInterval(watch);
      child.kill('SIGKILL');
      finish();
    };
    const stop = (why: LimitExceededError) => {
      stopped = why;
      child.kill('SIGKILL');
    };

    let ceiling: Promise<number | undefined> | undefined;
    const startWatch = () => {
      ceiling = residentBytes(child.pid!).then((bytes) =>
        bytes === undefined ? undefined : memoryCeiling(bytes, limits),
      );
      watch = setInterval(async () => {
        const [limit, now] = await Promise.all([ceiling, residentBytes(child.pid!)]);
        if (limit !== undefined && now !== undefined && now > limit) stop(memoryLimitExceeded(limits));
      }, pollMs);
    };

    child.on('message', (message: ChildMessage) => {
      if (message.type === 'statement') {
        if (!ceiling) startWatch();
        clearTimeout(deadline);
        deadline = setTimeout(() => stop(timeLimitExceeded(limits)), limits.timeoutMs + graceMs);
      } else if (message.type === 'result') settle(() => resolve(message.result));
      else settle(() => reject(errorFrom(message)));
    });
    child.on('error', (error) => settle(() => reject(error)));
    child.on('exit', () => {
      void rm(scratch, { recursive: true, force: true }).catch(() => {});
      settle(() =>
        reject(
          stopped ?? new AnalysisFailedError('The query stopped unexpectedly; try writing it another way.'),
        ),
      );
    });
    child.send(job);
  });
}

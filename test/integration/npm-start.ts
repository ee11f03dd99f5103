import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { root } from './harness';

/** `npm start` as a newcomer runs it, minus npm: the same script, on free ports. */
export function startScript(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, CASCADE_EDGE_PORT: '0', CASCADE_WS_PORT: '0', CASCADE_WEB_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  /** Told of every chunk of output, by whoever waits for a text. */
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk;
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (text: string, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!output.includes(text)) return;
        stop();
        resolve();
      };
      const fail = () => {
        stop();
        reject(new Error(`"${text}" never appeared; output:\n${output}`));
      };
      const timer = setTimeout(fail, timeoutMs);
      const stop = () => {
        clearTimeout(timer);
        listeners.delete(check);
        child.off('exit', fail);
      };
      listeners.add(check);
      child.once('exit', fail);
      check();
      if (listeners.has(check) && (child.exitCode !== null || child.signalCode !== null)) fail();
    });
  return { child, exited, waitFor, output: () => output };
}

/** Every process below `pid`, parents before their children. */
export function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const out: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of table)
      if (ppid === parent) {
        out.push(child);
        visit(child);
      }
  };
  visit(pid);
  return out;
}

/**
 * Stopping `npm start` while browsers keep reconnecting: scripts/start.mjs on free ports and a
 * fresh data directory, 20 users connected by clients that reconnect whenever their socket
 * closes (as the web client does), two batch runs and an analysis task under way; then SIGINT
 * (and, in a second round, SIGTERM). Measured: the time from the signal until the process has
 * exited. Checked: exit code 0, no "stopped unexpectedly", "Database is closed" or stack trace in
 * its output, and no process left behind (cognito-local, analysis tasks, query sandboxes: every
 * descendant seen before the signal, and anything whose working directory or command line
 * names the data directory). Any failed check exits non-zero.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage, ServerMessageOf } from '@cascade/core';
import WebSocket from 'ws';
import { Client, csvAboveInlineLimit, uploadCsv } from '../test/integration/harness';
import { descendants, startScript } from '../test/integration/npm-start';
import { signUp } from './users';

const clientsPerRound = 20;
/** A client gives up reconnecting after this many attempts (the cloud is gone by then anyway). */
const maxAttempts = 400;
const stopDeadlineMs = 60_000;
const bigCsv = csvAboveInlineLimit();

interface Endpoints {
  edgeUrl: string;
  websocketUrl: string;
  userPoolId: string;
  userPoolClientId: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A live (not zombie) process: its command line, or undefined. */
function alive(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return undefined;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return undefined;
  }
}

/** Processes whose command line or working directory names the data directory. */
function usingDirectory(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const command = alive(Number(entry));
    if (command === undefined) continue;
    let cwd = '';
    try {
      cwd = readlinkSync(`/proc/${entry}/cwd`);
    } catch {
      // not ours to read
    }
    if (command.includes(directory) || cwd.startsWith(directory)) found.push(`${entry} ${command}`);
  }
  return found;
}

/** A browser-like client: reconnects whenever its socket closes, until told to stop. */
function reconnecting(url: string, counters: { connects: number; refusals: number }) {
  let stopped = false;
  let socket: WebSocket | undefined;
  let attempts = 0;
  const connect = () => {
    if (stopped || attempts >= maxAttempts) return;
    attempts++;
    socket = new WebSocket(url);
    socket.on('open', () => counters.connects++);
    socket.on('unexpected-response', () => counters.refusals++);
    socket.on('error', () => undefined);
    socket.on('close', () => setTimeout(connect, 20 + Math.random() * 30));
  };
  connect();
  return () => {
    stopped = true;
    socket?.terminate();
  };
}

async function round(signal: NodeJS.Signals) {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'cascade-bench-stop-'));
  const started = startScript({ CASCADE_DATA_DIR: dataDirectory });
  const { child } = started;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) =>
    child.once('exit', (code, exitSignal) => done({ code, signal: exitSignal, at: performance.now() })),
  );
  const problems: string[] = [];
  const stops: (() => void)[] = [];
  try {
    await started.waitFor('Ctrl-C stops everything.', 60_000);
    const endpoints = JSON.parse(readFileSync(join(dataDirectory, 'endpoints.json'), 'utf8')) as Endpoints;

    // Work under way: two batch runs and an analysis task (a file above the inline limit).
    const tokens: string[] = [];
    for (let i = 0; i < clientsPerRound; i++) tokens.push(await signUp(endpoints));
    const workers = await Promise.all(
      tokens.slice(0, 3).map((token) => Client.connect(`${endpoints.websocketUrl}?token=${token}`)),
    );
    await uploadCsv(workers[0]!, 'big.csv', bigCsv);
    const analysis = await workers[0]!.request<ServerMessageOf<'ack'>>({
      action: 'query',
      payload: { content: 'profile big.csv' },
    });
    for (const worker of workers.slice(1)) {
      worker.send({
        action: 'query',
        messageId: randomUUID(),
        payload: {
          content: 'A few questions',
          items: Array.from({ length: 12 }, (_, i) => ({ id: `q${i}`, input: 'avg basket value by device' })),
          options: { maxConcurrency: 2 },
        },
      });
    }
    const counters = { connects: 0, refusals: 0 };
    for (const token of tokens)
      stops.push(reconnecting(`${endpoints.websocketUrl}?token=${token}`, counters));
    // Signal once the task is running and the batches have started.
    const taskBy = Date.now() + 60_000;
    const isTask = (pid: number) => alive(pid)?.includes('cascade-analysis') ?? false;
    while (!descendants(child.pid!).some(isTask)) {
      if (Date.now() > taskBy) {
        problems.push('no analysis task started within 60 s');
        break;
      }
      await sleep(100);
    }
    await Promise.all(
      workers
        .slice(1)
        .map((w) => w.waitFor((m: ServerMessage) => m.action === 'progress', 60_000).catch(() => undefined)),
    );
    const running = workers[0]!.messages.some(
      (m) => m.action === 'response' && m.executionId === analysis.executionId,
    );
    if (running) problems.push('the analysis run had ended before the signal');
    const tree = descendants(child.pid!);

    const signalled = performance.now();
    child.kill(signal);
    const exit = await Promise.race([exited, sleep(stopDeadlineMs).then(() => undefined)]);
    for (const stop of stops) stop();
    for (const worker of workers) worker.socket.terminate();
    if (!exit) {
      problems.push(`still running ${stopDeadlineMs / 1000} s after ${signal}`);
      child.kill('SIGKILL');
      await exited;
    }
    const stopMs = exit ? exit.at - signalled : Number.NaN;
    if (exit && exit.code !== 0) problems.push(`exit code ${exit.code ?? exit.signal}`);
    const output = started.output();
    for (const phrase of ['stopped unexpectedly', 'Database is closed'])
      if (output.includes(phrase)) problems.push(`the output says "${phrase}"`);
    if (/\n\s+at .+:\d+:\d+\)?\n/.test(output)) problems.push('the output holds a stack trace');
    await sleep(300); // a child killed at the last moment needs a moment to be reaped
    for (const pid of tree) {
      const command = alive(pid);
      if (command) problems.push(`left running: ${pid} ${command.slice(0, 120)}`);
    }
    for (const left of usingDirectory(dataDirectory))
      if (!problems.some((p) => p.includes(left.split(' ')[0]!)))
        problems.push(`left running: ${left.slice(0, 140)}`);

    console.log(
      `  ${signal.padEnd(8)} stopped in ${stopMs.toFixed(0)} ms   (${tree.length} processes below npm start, ${counters.connects} connects and ${counters.refusals} refused upgrades by ${clientsPerRound} reconnecting clients)`,
    );
    if (problems.length > 0) {
      console.log(output.split('\n').slice(-30).join('\n'));
      for (const problem of problems) console.log(`    ✗ ${problem}`);
    }
    return problems.length;
  } finally {
    for (const stop of stops) stop();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await rm(dataDirectory, { recursive: true, force: true });
  }
}

console.log('\nStopping npm start with live reconnecting clients, runs and an analysis task under way');
let failed = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) failed += await round(signal);
console.log(`  problems ${failed}`);
process.exit(failed > 0 ? 1 : 0);

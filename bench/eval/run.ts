/**
 * The planner evaluation: asks every question of bench/eval/questions.json (or of another set,
 * --set) over the WebSocket, exactly as the web client does, against a local cloud started
 * in-process on free ports in a temporary directory, and grades each answer against bench/eval/truth.json (see grade.ts).
 *
 *   npm run eval                         every question
 *   npm run eval -- --set heldout        the questions of bench/eval/heldout.json instead (a set is
 *                                        a file bench/eval/<name>.json; default: questions)
 *   npm run eval -- --only cmp-          questions whose id starts with a prefix (comma-separate
 *                                        several; a chain's turn brings its whole chain)
 *   npm run eval -- --verbose            print every answer in full, with the values found
 *   npm run eval -- --truth              recompute truth.json with truth.py first
 *   npm run eval -- --timeout 120        seconds to wait for each response (default 90)
 *   npm run eval -- --regrade <report>   grade the answers stored in an earlier report again
 *                                        (after a change to the questions, truth or grader)
 *   npm run eval -- --report <file>      where to write the report (default bench/eval/report.json,
 *                                        or bench/eval/report-<set>.json for another set)
 *
 * It prints one row per question and the totals, and writes the report (above) with every
 * answer. The exit code is 0 whatever the grades; non-zero only when the harness itself broke.
 * It uses nothing of Cascade but the local cloud's start function and the WebSocket protocol.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ServerMessageOf } from '@cascade/core';
import { Client, TimeoutError } from '../../test/integration/client';
import { unlimited } from '../../test/support/links';
import {
  type Answer,
  type Expect,
  GRADES,
  type Grade,
  type Graded,
  gradeAnswer,
  percentile,
  type Table,
  type Truth,
  totals,
  totalsLine,
} from './grade';

const here = import.meta.dirname;
const root = resolve(here, '../..');

interface Question {
  id: string;
  category: string;
  dataset: string;
  question: string;
  chain?: { id: string; turn: number };
  expect: Expect;
}

/** The parts of the server's messages the runner reads (PROTOCOL.md). */
interface Asked {
  status: string;
  latencyMs?: number;
  executionId?: string;
  sessionId?: string;
  summary: string;
  items: { id: string; status: string; text: string; tables: Table[]; error?: string }[];
  error?: string;
  outputsOmitted?: boolean;
}

interface Result {
  question: Question;
  asked: Asked;
  graded: Graded;
}

// ---------------------------------------------------------------------------------------------
// Options, questions and truth

function options() {
  const { values } = parseArgs({
    options: {
      set: { type: 'string', default: 'questions' },
      only: { type: 'string', multiple: true },
      verbose: { type: 'boolean', default: false },
      truth: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '90' },
      report: { type: 'string' },
      regrade: { type: 'string' },
    },
  });
  const timeoutMs = Number(values.timeout) * 1000;
  if (!(timeoutMs > 0))
    throw new Error(`--timeout must be a positive number of seconds, not ${values.timeout}`);
  const only = (values.only ?? []).flatMap((v) => v.split(',')).filter(Boolean);
  const set = values.set!;
  if (!/^[\w-]+$/.test(set)) throw new Error(`--set names a file bench/eval/<set>.json, not ${set}`);
  return {
    set,
    only,
    verbose: values.verbose!,
    truth: values.truth!,
    timeoutMs,
    report: values.report ?? join(here, set === 'questions' ? 'report.json' : `report-${set}.json`),
    regrade: values.regrade,
  };
}

function validate(questions: Question[], truth: Truth, file: string) {
  const ids = new Set<string>();
  const lastTurn = new Map<string, number>();
  for (const q of questions) {
    if (ids.has(q.id)) throw new Error(`${file}: duplicate id ${q.id}`);
    ids.add(q.id);
    if (q.chain) {
      const previous = lastTurn.get(q.chain.id) ?? 0;
      if (q.chain.turn !== previous + 1) {
        throw new Error(`${file}: chain ${q.chain.id} turn ${q.chain.turn} follows turn ${previous}`);
      }
      lastTurn.set(q.chain.id, q.chain.turn);
    }
    if (q.expect.kind === 'answer' && q.expect.values.length === 0)
      throw new Error(`${file}: ${q.id} expects no values`);
    const values = q.expect.kind === 'answer' ? q.expect.values : (q.expect.orAnswer ?? []);
    for (const v of values) {
      if (!(v.key in truth))
        throw new Error(`truth.json has no key ${v.key} (question ${q.id} of ${file}); run with --truth`);
    }
  }
}

/** Questions whose id starts with one of the prefixes, each with the rest of its chain. */
function select(questions: Question[], only: string[]): Question[] {
  if (only.length === 0) return questions;
  const picked = questions.filter((q) => only.some((prefix) => q.id.startsWith(prefix)));
  const chains = new Set(picked.flatMap((q) => (q.chain ? [q.chain.id] : [])));
  return questions.filter((q) => picked.includes(q) || (q.chain && chains.has(q.chain.id)));
}

function computeTruth() {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const run = spawnSync(python, [join(here, 'truth.py')], { stdio: 'inherit' });
  if (run.status !== 0) {
    throw new Error(
      'truth.py failed; `bash bench/setup.sh` installs pandas and statsmodels for /usr/bin/python3',
    );
  }
  // truth.py writes plain indented JSON; the repository keeps it in biome's format, which the lint checks.
  const biome = join(here, '../../node_modules/.bin/biome');
  const format = spawnSync(biome, ['format', '--write', join(here, 'truth.json')], { stdio: 'inherit' });
  if (format.status !== 0) throw new Error('biome could not format bench/eval/truth.json');
}

// ---------------------------------------------------------------------------------------------
// The local cloud, a user, a WebSocket

/** Sends one question as the web client does and waits for its `response`. */
async function ask(socket: Client, content: string, sessionId: string | undefined, timeoutMs: number) {
  socket.forget();
  const messageId = randomUUID();
  const started = performance.now();
  const deadline = started + timeoutMs;
  socket.send({ action: 'query', messageId, ...(sessionId && { sessionId }), payload: { content } });
  const empty = { summary: '', items: [] };
  let ack: ServerMessageOf<'ack'> | undefined;
  try {
    const first = await socket.waitFor<ServerMessageOf<'ack'> | ServerMessageOf<'error'>>(
      (m) => 'messageId' in m && m.messageId === messageId && (m.action === 'ack' || m.action === 'error'),
      timeoutMs,
    );
    if (first.action === 'error') {
      return { status: 'ERROR', error: `${first.code}: ${first.message}`, ...empty } satisfies Asked;
    }
    ack = first;
    const executionId = ack.executionId;
    const response = await socket.waitFor<ServerMessageOf<'response'>>(
      (m) => m.action === 'response' && m.executionId === executionId,
      Math.max(1, deadline - performance.now()),
    );
    const latencyMs = performance.now() - started;
    return {
      status: response.status ?? 'UNKNOWN',
      latencyMs,
      executionId,
      sessionId: ack.sessionId,
      summary: response.summary,
      items: response.items.map((item) => ({
        id: item.id,
        status: item.status,
        text: item.output?.text ?? '',
        tables: item.output?.tables ?? [],
        ...(item.error && { error: item.error }),
      })),
    } satisfies Asked;
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    // Stop the run so that the session is free for the chain's next turn.
    if (ack?.executionId) {
      socket.send({
        action: 'execution.cancel',
        messageId: randomUUID(),
        payload: { executionId: ack.executionId },
      });
      await socket
        .waitFor((m) => m.action === 'response' && m.executionId === ack!.executionId, 10_000)
        .catch(() => undefined);
    }
    return {
      status: 'TIMEOUT',
      error: `no answer within ${Math.round(timeoutMs / 1000)} s`,
      ...(ack?.executionId && { executionId: ack.executionId }),
      ...(ack?.sessionId && { sessionId: ack.sessionId }),
      ...empty,
    } satisfies Asked;
  }
}

// ---------------------------------------------------------------------------------------------
// Output

/** The summary (unless it only repeats an item's text), the items' texts and errors, their tables. */
function answerOf(asked: Asked): Answer {
  const texts = asked.items.map((i) => i.text.trim());
  const summary = texts.includes(asked.summary.trim()) ? '' : asked.summary;
  return {
    status: asked.status,
    text: [summary, ...texts, ...asked.items.map((i) => i.error ?? '')].filter(Boolean).join('\n\n'),
    tables: asked.items.flatMap((i) => i.tables),
  };
}

function firstLine(asked: Asked): string {
  const text =
    asked.items.map((i) => i.text || i.error || '').join('\n') || asked.summary || asked.error || '';
  const line =
    text
      .split('\n')
      .map((l) =>
        l
          .replace(/^[#>*\-\s|]+/, '')
          .replace(/\*\*/g, '')
          .trim(),
      )
      .find(Boolean) ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}

const ms = (value: number | undefined) => (value === undefined ? '—' : `${(value / 1000).toFixed(2)} s`);
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

function row(result: Result): string {
  const { question, asked, graded } = result;
  const latency = asked.latencyMs === undefined ? asked.status.toLowerCase() : ms(asked.latencyMs);
  const note = asked.status === 'SUCCEEDED' ? firstLine(asked) : `[${asked.status}] ${firstLine(asked)}`;
  return `${pad(question.id, 20)} ${pad(graded.grade, 28)} ${pad(latency, 9)} ${note}`;
}

function verbose(result: Result): string {
  const lines = [`  Q: ${result.question.question}`];
  const expect = result.question.expect;
  if (expect.kind === 'refusal') {
    const or = expect.orAnswer?.length ? ', or an answer with every value below' : '';
    lines.push(`  expected: a refusal (${expect.reason})${or}`);
  }
  for (const v of result.graded.values) {
    lines.push(`  ${v.found ? '✓' : '✗'} ${v.label} [${v.key}] = ${JSON.stringify(v.truth)}`);
  }
  const answer = answerOf(result.asked);
  lines.push(...answer.text.split('\n').map((l) => `  | ${l}`));
  for (const table of answer.tables) {
    lines.push(`  | [table${table.title ? ` ${table.title}` : ''}] ${table.columns.join(' | ')}`);
    for (const r of table.rows.slice(0, 20)) lines.push(`  |   ${r.map((c) => String(c)).join(' | ')}`);
    if (table.rows.length > 20) lines.push(`  |   … ${table.rows.length - 20} more rows`);
  }
  return lines.join('\n');
}

/** Single-aggregate questions: one expected value, of the aggregate category. */
const singleAggregate = (q: Question) =>
  q.category === 'aggregate' && q.expect.kind === 'answer' && q.expect.values.length === 1;

function latencySummary(results: Result[]) {
  const latencies = results.flatMap((r) => (r.asked.latencyMs === undefined ? [] : [r.asked.latencyMs]));
  return { n: latencies.length, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95) };
}

function byCategory(results: Result[]) {
  const categories = [...new Set(results.map((r) => r.question.category))];
  return Object.fromEntries(
    categories.map((c) => [
      c,
      totals(results.filter((r) => r.question.category === c).map((r) => r.graded.grade)),
    ]),
  );
}

/** The commit asked, and whether the working tree had uncommitted changes. */
function gitCommit(): string | undefined {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (head.status !== 0) return undefined;
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: root,
    encoding: 'utf8',
  });
  return `${head.stdout.trim()}${status.stdout.trim() ? ' with uncommitted changes' : ''}`;
}

// ---------------------------------------------------------------------------------------------

const header = () => {
  console.log(`${pad('id', 20)} ${pad('grade', 28)} ${pad('latency', 9)} first line of the answer`);
  console.log('-'.repeat(130));
};

/** One answer graded, its row printed (and with --verbose the answer in full). */
function graded(question: Question, asked: Asked, truth: Truth, printAnswer: boolean): Result {
  const result = {
    question,
    asked,
    graded: gradeAnswer(question.expect, answerOf(asked), truth, question.question),
  };
  console.log(row(result));
  if (printAnswer) console.log(`${verbose(result)}\n`);
  return result;
}

/** Asks every question of a fresh local cloud, one after another; a chain's turns share a session. */
async function askAll(
  questions: Question[],
  truth: Truth,
  opts: ReturnType<typeof options>,
): Promise<Result[]> {
  // What the handlers read from the environment; quiet unless asked otherwise.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { newUser, startTestCloud } = await import('../../test/integration/harness');

  const dataDirectory = await mkdtemp(join(tmpdir(), 'cascade-eval-'));
  const booting = performance.now();
  // One person asks every question of a set in a row: past the per-user rate limits, which are
  // not what the evaluation measures.
  const cloud = await startTestCloud({ dataDirectory, rateLimits: unlimited });
  let socket: Client | undefined;
  const results: Result[] = [];
  try {
    let crashed: string | undefined;
    cloud.onCrash((message) => {
      crashed = message;
    });
    const { idToken } = await newUser(cloud, `eval-${randomUUID()}@example.com`);
    const connect = () =>
      Client.connect(`${cloud.endpoints.websocketUrl}?token=${encodeURIComponent(idToken)}`);
    socket = await connect();
    console.log(
      `Local cloud ready in ${ms(performance.now() - booting)}; asking ${questions.length} questions ` +
        `(timeout ${opts.timeoutMs / 1000} s each).\n`,
    );
    header();
    const sessions = new Map<string, string>();
    for (const question of questions) {
      if (crashed) throw new Error(crashed);
      if (socket.closed) socket = await connect();
      let asked: Asked;
      const chain = question.chain;
      const sessionId = chain && chain.turn > 1 ? sessions.get(chain.id) : undefined;
      if (chain && chain.turn > 1 && !sessionId) {
        asked = {
          status: 'ERROR',
          error: `chain ${chain.id}: turn 1 opened no session`,
          summary: '',
          items: [],
        };
      } else {
        asked = await ask(socket, question.question, sessionId, opts.timeoutMs);
        if (chain?.turn === 1 && asked.sessionId) sessions.set(chain.id, asked.sessionId);
      }
      results.push(graded(question, asked, truth, opts.verbose));
    }
  } finally {
    socket?.close();
    await cloud.stop();
    await rm(dataDirectory, { recursive: true, force: true });
  }
  return results;
}

interface ReportEntry {
  id: string;
  status: string;
  latencyMs: number | null;
  error?: string;
  answer: { summary: string; items: Asked['items']; outputsOmitted?: boolean };
  executionId?: string;
  sessionId?: string;
}

/** Grades the answers of an earlier report again, with today's questions, truth and grader. */
async function regrade(path: string, questions: Question[], truth: Truth, opts: ReturnType<typeof options>) {
  const saved = JSON.parse(await readFile(path, 'utf8')) as { commit?: string; questions: ReportEntry[] };
  const answers = new Map(saved.questions.map((entry) => [entry.id, entry]));
  console.log(`Grading the answers stored in ${path} again.\n`);
  header();
  const results: Result[] = [];
  for (const question of questions) {
    const entry = answers.get(question.id);
    if (!entry) continue;
    const asked: Asked = {
      status: entry.status,
      ...(entry.latencyMs !== null && { latencyMs: entry.latencyMs }),
      ...(entry.error && { error: entry.error }),
      ...(entry.executionId && { executionId: entry.executionId }),
      ...(entry.sessionId && { sessionId: entry.sessionId }),
      summary: entry.answer.summary,
      items: entry.answer.items,
      ...(entry.answer.outputsOmitted && { outputsOmitted: true }),
    };
    results.push(graded(question, asked, truth, opts.verbose));
  }
  return { results, commit: saved.commit };
}

async function main() {
  const opts = options();
  const truthFile = join(here, 'truth.json');
  if (opts.truth || !existsSync(truthFile)) computeTruth();
  const truth = JSON.parse(await readFile(truthFile, 'utf8')) as Truth;
  const file = `${opts.set}.json`;
  const all = JSON.parse(await readFile(join(here, file), 'utf8')) as Question[];
  validate(all, truth, file);
  const questions = select(all, opts.only);
  if (questions.length === 0) throw new Error(`no question id starts with ${opts.only.join(' or ')}`);

  const startedAt = new Date();
  const commit = opts.regrade ? undefined : gitCommit();
  const { results, commit: askedAt } = opts.regrade
    ? await regrade(opts.regrade, questions, truth, opts)
    : { results: await askAll(questions, truth, opts), commit };

  const summary = totals(results.map((r) => r.graded.grade));
  const overall = latencySummary(results);
  const aggregates = latencySummary(results.filter((r) => singleAggregate(r.question)));
  const categories = byCategory(results);

  const short: Record<Grade, string> = {
    correct: 'correct',
    'partly correct': 'partly',
    'honest refusal (expected)': 'refused/exp',
    'honest refusal (unexpected)': 'refused/unexp',
    misleading: 'misleading',
    failed: 'failed',
  };
  console.log(`\n${pad('category', 18)} ${GRADES.map((g) => pad(short[g], 14)).join('')}`);
  for (const [category, t] of Object.entries(categories)) {
    console.log(
      `${pad(`${category} (${t.n})`, 18)} ${GRADES.map((g) => pad(String(t.counts[g]), 14)).join('')}`,
    );
  }
  console.log(`\n${totalsLine(summary)}`);
  // The questions split in two: those with an answer to give, and those where refusing is right.
  const refusalsAsked = results.filter((r) => r.question.expect.kind === 'refusal').length;
  const answerable = results.length - refusalsAsked;
  const share = (part: number, whole: number) =>
    whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)} %`;
  console.log(
    `answerable questions answered correctly: ${summary.counts.correct} of ${answerable} (${share(summary.counts.correct, answerable)}); ` +
      `questions to refuse, refused: ${summary.counts['honest refusal (expected)']} of ${refusalsAsked}; ` +
      `right behaviour overall: ${summary.counts.correct + summary.counts['honest refusal (expected)']} of ${results.length} ` +
      `(${share(summary.counts.correct + summary.counts['honest refusal (expected)'], results.length)})`,
  );
  console.log(
    `latency (send → response): p50 ${ms(overall.p50Ms)}, p95 ${ms(overall.p95Ms)} over ${overall.n} answers; ` +
      `single-aggregate questions: p50 ${ms(aggregates.p50Ms)}, p95 ${ms(aggregates.p95Ms)} over ${aggregates.n}`,
  );

  const report = {
    generatedAt: startedAt.toISOString(),
    commit: askedAt,
    options: {
      set: opts.set,
      only: opts.only,
      timeoutMs: opts.timeoutMs,
      ...(opts.regrade && { regradedFrom: opts.regrade }),
    },
    totals: { line: totalsLine(summary), ...summary },
    latency: { overall, singleAggregate: aggregates },
    byCategory: categories,
    questions: results.map(({ question, asked, graded }) => ({
      id: question.id,
      category: question.category,
      dataset: question.dataset,
      ...(question.chain && { chain: question.chain }),
      question: question.question,
      expect: question.expect,
      grade: graded.grade satisfies Grade,
      refusalDetected: graded.refusal,
      values: graded.values,
      status: asked.status,
      latencyMs: asked.latencyMs === undefined ? null : Math.round(asked.latencyMs),
      ...(asked.error && { error: asked.error }),
      answer: {
        summary: asked.summary,
        items: asked.items,
        ...(asked.outputsOmitted && { outputsOmitted: true }),
      },
      executionId: asked.executionId,
      sessionId: asked.sessionId,
    })) satisfies (ReportEntry & Record<string, unknown>)[],
  };
  await writeFile(opts.report, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`report: ${opts.report}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      `\nThe evaluation harness broke: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
    );
    process.exit(1);
  },
);

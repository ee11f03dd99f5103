import type { S3Client } from '@aws-sdk/client-s3';
import { concludeExecution } from '../chat/conclude';
import type { ChatDeps } from '../chat/deps';
import type { AnalysisResult } from '../contract';
import type { DatasetLocation } from '../datasets/catalog';
import { DomainError } from '../errors';
import { logger } from '../logger';
import type { ResponseStatus } from '../protocol/codes';
import type { ItemOutput } from '../protocol/server';
import { type ExecutionRecord, isFinal } from '../repositories/executions';
import { type ItemRecord, isItemFinished } from '../repositories/items';
import { type AnalysisEngine, aboutDataset, type EngineJob, engineFailure } from './engine';
import { readableError } from './errors';
import { runEvents } from './events';
import { datasetNames, datasetSchema, failedRun, runInlineTool, type ToolRun } from './inline-tools';
import type { AnalysisJob, ItemState, RunInput } from './item-state';
import type { ModelProvider } from './providers/types';
import { parseRequest } from './request';
import { observationOf } from './results';
import { getJson, putJson, s3Uri } from './s3-json';
import { summarizeRun } from './summary';
import {
  type EngineToolName,
  isEngineTool,
  runsInDispatch,
  taskOverridesFor,
  toolDeclarations,
  validateToolCall,
} from './tools';
import {
  answeredByOf,
  type ContextMessage,
  callsOf,
  type Decision,
  orderedTurns,
  type Timed,
  type ToolCall,
  type Turn,
  toolTurnKey,
  turnKey,
} from './transcript';

/** Everything the agent's steps touch. The Lambdas build it once per container. */
export type AgentDeps = Pick<
  ChatDeps,
  'executions' | 'items' | 'messages' | 'sessions' | 'locks' | 'limits' | 'notifier' | 'datasets'
> & {
  s3: S3Client;
  /** The bucket that holds datasets, jobs and results. */
  bucket: string;
  provider: ModelProvider;
  /**
   * The analysis engine, run inside Dispatch for datasets up to each tool's `inlineMaxBytes`;
   * without it every analysis goes to the Fargate task.
   */
  engine?: AnalysisEngine;
  /** Model turns an item may take before it is stopped. */
  maxSteps: number;
  /** How many earlier messages of the session the model sees. */
  historyMessages?: number;
  /** How long one model call may take before InvokeModel gives up on it (inside its 300 s). */
  modelTimeoutMs?: number;
  /** How often streamed answer text is sent to the client, at most. */
  deltaIntervalMs?: number;
  now?: () => number;
};

type ModelTurn = Extract<Turn, { kind: 'model' }>;

async function loadItem(deps: AgentDeps, state: ItemState): Promise<ItemRecord> {
  const item = await deps.items.get(state.executionId, state.itemId);
  if (!item) throw new Error(`Item ${state.itemId} of execution ${state.executionId} does not exist`);
  return item;
}

async function loadExecution(deps: AgentDeps, executionId: string): Promise<ExecutionRecord> {
  const execution = await deps.executions.get(executionId);
  if (!execution) throw new Error(`Execution ${executionId} does not exist`);
  return execution;
}

function elapsed(deps: AgentDeps, item: ItemRecord): number {
  const started = item.startedAt ? Date.parse(item.startedAt) : Number.NaN;
  return Number.isNaN(started) ? 0 : Math.max(0, (deps.now ?? Date.now)() - started);
}

/** Finishes an item once and, only for the call that finished it, counts it and reports progress. */
async function finishItem(
  deps: AgentDeps,
  state: ItemState,
  item: ItemRecord,
  outcome:
    | { output: ItemOutput }
    | { error: string; failedIn?: string; inTask?: boolean; failedStep?: Timed },
): Promise<void> {
  const durationMs = elapsed(deps, item);
  // Who answered, from the transcript: Finish and Catch have no model of their own.
  const answeredBy = answeredByOf(orderedTurns(item.turns));
  const won =
    'output' in outcome
      ? await deps.items.markSucceeded(state.executionId, state.itemId, {
          durationMs,
          output: outcome.output,
          ...(answeredBy && { answeredBy }),
        })
      : await deps.items.markFailed(state.executionId, state.itemId, {
          durationMs,
          error: outcome.error,
          ...(answeredBy && { answeredBy }),
          ...(outcome.failedIn && { failedIn: outcome.failedIn }),
          ...(outcome.inTask && { inTask: true }),
          ...(outcome.failedStep && { failedStep: outcome.failedStep }),
        });
  if (!won) return;
  const failed = 'error' in outcome;
  const counts = await deps.executions.countFinishedItem(state.executionId, failed ? 'failed' : 'succeeded');
  await runEvents(deps.notifier, state).progress(counts, {
    id: state.itemId,
    status: failed ? 'FAILED' : 'SUCCEEDED',
    durationMs,
    ...(failed && { error: outcome.error }),
  });
}

/** The session's earlier messages the model sees, without those of this run. */
async function sessionHistory(
  deps: AgentDeps,
  state: ItemState,
  count = deps.historyMessages ?? 10,
): Promise<ContextMessage[]> {
  const recent = await deps.messages.recent(state.sessionId, count);
  return recent
    .filter((m) => m.executionId !== state.executionId)
    .map((m): ContextMessage => ({ role: m.role, content: m.content }));
}

/** How much of the conversation a model is sent: each message, and all of them together. */
export const historyBudget = { messageChars: 4_000, totalChars: 16_000 };

/**
 * The conversation trimmed to the budget: a long earlier answer is cut (it says so), and the
 * oldest messages go first when the whole is too long. Blank messages are left out.
 */
export function trimHistory(messages: ContextMessage[], budget = historyBudget): ContextMessage[] {
  const kept: ContextMessage[] = [];
  let total = 0;
  for (const message of [...messages].reverse()) {
    const text = message.content.trim();
    if (!text) continue;
    const content =
      text.length > budget.messageChars
        ? `${text.slice(0, budget.messageChars)}\n\n(…the rest of this message is left out)`
        : text;
    if (total + content.length > budget.totalChars) break;
    total += content.length;
    kept.push({ role: message.role, content });
  }
  return kept.reverse();
}

const now = (deps: AgentDeps) => (deps.now ?? Date.now)();

/** Times a step for the run's trace: when it began, and (on `timed()`) how long it has taken. */
function stopwatch(deps: AgentDeps) {
  const startedMs = now(deps);
  return {
    startedMs,
    timed: (): Timed => ({ startedAt: new Date(startedMs).toISOString(), durationMs: now(deps) - startedMs }),
  };
}

/**
 * A task's part of the trace: from Dispatch writing its job to Append reading its result, split
 * into the wait before the task began (ECS placement, image pull, start-up) and its own run, as
 * the task reported them.
 */
function taskTiming(state: ItemState, endMs: number): Timed & { queueMs?: number; runMs?: number } {
  const dispatchedAt = state.job?.dispatchedAt;
  const { startedAt, finishedAt } = state.taskResult ?? {};
  if (dispatchedAt === undefined) return {};
  return {
    startedAt: new Date(dispatchedAt).toISOString(),
    durationMs: endMs - dispatchedAt,
    ...(startedAt !== undefined && { queueMs: Math.max(0, startedAt - dispatchedAt) }),
    ...(startedAt !== undefined &&
      finishedAt !== undefined && { runMs: Math.max(0, finishedAt - startedAt) }),
  };
}

/** Twenty questions and their answers: longer chains of follow-ups than people write. */
const parseHistoryMessages = 40;

/** Parse: what is this item asking, about which dataset and columns? */
export async function parseItem(deps: AgentDeps, state: ItemState): Promise<ItemState> {
  const events = runEvents(deps.notifier, state);
  const item = await loadItem(deps, state);
  if (isItemFinished(item)) return { ...state, done: true };
  // What the message said around this item came with it; an item written before it did reads the run.
  const message = item.message ?? (await loadExecution(deps, state.executionId)).request;
  await events.step(state.itemId, 'parse', 'started');
  const clock = stopwatch(deps);
  await deps.items.markRunning(state.executionId, state.itemId, 'parse', 'parse');
  const [history, datasets] = await Promise.all([
    // Parse reads the conversation further back than a model's context: a follow-up's chain is replayed from its start.
    sessionHistory(deps, state, parseHistoryMessages),
    datasetNames(deps.datasets, state.userId),
  ]);
  const request = await parseRequest({
    content: message.content ?? item.input,
    input: item.input,
    ...(message.datasetId && { datasetId: message.datasetId }),
    datasets,
    history,
    schemaOf: (datasetId) => datasetSchema(deps.datasets, state.userId, datasetId),
  });
  await deps.items.saveRequest(state.executionId, state.itemId, request, clock.timed());
  const detail = request.datasetId ? `${request.intent} · ${request.datasetId}` : request.intent;
  await events.step(state.itemId, 'parse', 'succeeded', detail);
  return { ...state, turn: 0, done: false };
}

/** InvokeModel: ask the provider for the next step. A retry reuses the decision already recorded. */
export async function invokeModel(deps: AgentDeps, state: ItemState): Promise<ItemState> {
  const item = await loadItem(deps, state);
  const key = turnKey(state.turn, 'model');
  const recorded = item.turns?.[key];
  if (recorded?.kind === 'model') return { ...state, ...callCount(recorded.decision) };
  const events = runEvents(deps.notifier, state);
  await events.step(state.itemId, 'model', 'started');
  await deps.items.markRunning(state.executionId, state.itemId, 'model', key);
  const stream = events.deltas(state.itemId, state.turn, deps.deltaIntervalMs ?? 100);
  const clock = stopwatch(deps);
  let decision: Decision;
  try {
    decision = await deps.provider.decide({
      request: item.request ?? { text: item.input, intent: 'refusal' },
      history: deps.provider.readsHistory === false ? [] : trimHistory(await sessionHistory(deps, state)),
      turns: orderedTurns(item.turns),
      turn: state.turn,
      maxSteps: deps.maxSteps,
      onText: stream.write,
      signal: AbortSignal.timeout(deps.modelTimeoutMs ?? 270_000),
    });
  } finally {
    await stream.flush();
  }
  await deps.items.putTurn(state.executionId, state.itemId, key, {
    kind: 'model',
    turn: state.turn,
    decision,
    provider: deps.provider.name,
    ...clock.timed(),
  });
  await events.step(state.itemId, 'model', 'succeeded', describeDecision(decision));
  return { ...state, ...callCount(decision) };
}

/** What the next steps need to know of a decision without reading the item: 0 calls is the answer. */
function callCount(decision: Decision): Pick<ItemState, 'calls'> {
  if (decision.kind === 'final') return { calls: 0 };
  const calls = callsOf(decision).length;
  return calls > 0 ? { calls } : {};
}

function describeDecision(decision: Decision): string {
  return decision.kind === 'final'
    ? 'writes the answer'
    : `calls ${callsOf(decision)
        .map((c) => c.name)
        .join(', ')}`;
}

/** The call Dispatch is on: the `state.call`-th of the turn's reply. */
function currentCall(decision: Decision, state: ItemState): ToolCall {
  const calls = callsOf(decision);
  const call = calls[state.call ?? 0];
  if (!call) throw new Error(`Turn ${state.turn} has no tool call ${state.call ?? 0}`);
  return call;
}

/** Why a final_answer call is not taken as the answer, in words the model can act on. */
function finalAnswerProblem(calls: ToolCall[], problem: string | undefined): string {
  if (calls.length > 1)
    return 'final_answer was called together with other tools; call it alone, once you have read their results.';
  return problem
    ? `final_answer needs the text of your answer (1 to 20,000 characters): ${problem}`
    : 'Call final_answer only to give your answer.';
}

function modelTurn(item: ItemRecord, turn: number): ModelTurn {
  const recorded = item.turns?.[turnKey(turn, 'model')];
  if (recorded?.kind !== 'model')
    throw new Error(`Item ${item.itemId} has no model decision for turn ${turn}`);
  return recorded;
}

/**
 * Dispatch: validate the model's tool call and route it. Light tools run here; the analysis
 * tools become a job in S3 for the Fargate task; a final answer goes straight to Append.
 */
export async function dispatch(deps: AgentDeps, state: ItemState): Promise<ItemState> {
  // A final answer needs nothing from the item: Append finishes it.
  if (state.calls === 0) return { ...state, route: 'finish' };
  const item = await loadItem(deps, state);
  const { decision } = modelTurn(item, state.turn);
  if (decision.kind === 'final') return { ...state, route: 'finish' };
  const toolKey = toolTurnKey(state.turn, state.call ?? 0);
  if (item.turns?.[toolKey]) return { ...state, route: 'inline' };

  const events = runEvents(deps.notifier, state);
  const calls = callsOf(decision);
  const current = currentCall(decision, state);
  const clock = stopwatch(deps);
  const record = (run: ToolRun) =>
    deps.items.putTurn(state.executionId, state.itemId, toolKey, {
      kind: 'tool',
      turn: state.turn,
      toolUseId: current.toolUseId,
      name: current.name,
      ok: run.ok,
      observation: run.observation,
      ...(run.output && { output: run.output }),
      ...(run.resultUri && { resultUri: run.resultUri }),
      where: 'inline',
      ...clock.timed(),
    });

  const call = validateToolCall(current.name, current.input);
  if (current.name === 'final_answer') {
    // A blank answer, or one given alongside other calls: the model reads why and tries again.
    await record(failedRun(finalAnswerProblem(calls, call.ok ? undefined : call.problem)));
    return { ...state, route: 'inline' };
  }
  if (!call.ok) {
    await record(failedRun(call.problem));
    return { ...state, route: 'inline' };
  }
  await events.step(state.itemId, call.name, 'started');
  await deps.items.markRunning(state.executionId, state.itemId, call.name, toolKey);

  if (toolDeclarations[call.name].runs === 'inline') {
    const run = await runInlineTool(
      deps.datasets,
      state.userId,
      call.name as 'list_datasets' | 'describe_dataset',
      call.input,
    );
    await record(run);
    await events.step(
      state.itemId,
      call.name,
      run.ok ? 'succeeded' : 'failed',
      run.ok ? undefined : run.observation,
    );
    return { ...state, route: 'inline' };
  }

  let location: DatasetLocation;
  try {
    location = await deps.datasets.locate(state.userId, String(call.input.datasetId));
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await record(failedRun(error.message));
    await events.step(state.itemId, call.name, 'failed', error.message);
    return { ...state, route: 'inline' };
  }
  const tool = call.name as EngineToolName;
  const base = `${state.executionId}/${state.itemId}/${toolTurnKey(state.turn, state.call ?? 0).replace('-tool', '')}`;
  const { datasetId: _, ...args } = call.input;
  const job: EngineJob = { tool, data: s3Uri(location.bucket, location.key), args };

  if (
    deps.engine &&
    location.sizeBytes !== undefined &&
    runsInDispatch(tool, location.key, location.sizeBytes)
  ) {
    const run = await runEngine(
      deps,
      deps.engine,
      job,
      s3Uri(deps.bucket, `results/${base}.json`),
      String(call.input.datasetId),
    );
    await record(run);
    await events.step(
      state.itemId,
      call.name,
      run.ok ? 'succeeded' : 'failed',
      run.ok ? undefined : run.observation,
    );
    return { ...state, route: 'inline' };
  }

  const uri = s3Uri(deps.bucket, `jobs/${base}.json`);
  await putJson(deps.s3, uri, {
    ...job,
    resultUri: s3Uri(deps.bucket, `results/${base}.json`),
  } satisfies AnalysisJob);
  return { ...state, route: 'task', job: { uri, ...taskOverridesFor(tool), dispatchedAt: clock.startedMs } };
}

/** Inline outputs above this size stay in S3 and are read back when the item finishes. */
const inlineOutputBytes = 32 * 1024;

/**
 * Runs an analysis inside Dispatch. A failure the person can act on (a missing column, a refused
 * query, a time limit) becomes the observation; anything else is a fault for Retry and Catch.
 */
async function runEngine(
  deps: AgentDeps,
  engine: AnalysisEngine,
  job: EngineJob,
  resultUri: string,
  datasetId: string,
): Promise<ToolRun> {
  let result: AnalysisResult;
  let output: ItemOutput;
  try {
    ({ result, output } = await engine.run(job));
  } catch (error) {
    const message = engineFailure(error, datasetId);
    if (message === undefined) throw error;
    return failedRun(message);
  }
  // The full result document is kept as the task keeps its own; a small output also rides in the item.
  await putJson(deps.s3, resultUri, { ...result, output });
  const observation = JSON.stringify(observationOf(result));
  const small = JSON.stringify(output).length <= inlineOutputBytes;
  return { ok: true, observation, resultUri, ...(small && { output }) };
}

/** The analysis task's result document at `resultUri`: the tool's JSON result plus its chat output. */
type ResultDocument = Record<string, unknown> & { output?: ItemOutput };

/** The observation of a task's result; the tool the model called says what kind of result it is. */
function observe(tool: string, result: Record<string, unknown>): string {
  return JSON.stringify(
    observationOf({ reading: [], warnings: [], ...result, tool } as unknown as AnalysisResult),
  );
}

/** The tables and charts of the analyses an item ran, for its final output. */
async function analysisArtifacts(
  deps: AgentDeps,
  turns: Turn[],
): Promise<Pick<ItemOutput, 'tables' | 'charts'>> {
  const tables: NonNullable<ItemOutput['tables']> = [];
  const charts: NonNullable<ItemOutput['charts']> = [];
  for (const turn of turns) {
    if (turn.kind !== 'tool' || !turn.ok || !isEngineTool(turn.name)) continue;
    const output =
      turn.output ??
      (turn.resultUri ? (await getJson<ResultDocument>(deps.s3, turn.resultUri)).output : undefined);
    tables.push(...(output?.tables ?? []));
    charts.push(...(output?.charts ?? []));
  }
  return { ...(tables.length && { tables }), ...(charts.length && { charts }) };
}

/**
 * Append: store the analysis result as an observation, finish the item on a final answer or
 * when its step budget is spent, otherwise send it round to the model again.
 */
export async function append(deps: AgentDeps, state: ItemState): Promise<ItemState> {
  const events = runEvents(deps.notifier, state);
  const index = state.call ?? 0;
  const toolKey = toolTurnKey(state.turn, index);
  // After a tool run inside Dispatch its result is in the item already, and the state says what
  // follows (another call, or the next turn): the item is read only to write a task's result,
  // to finish, or when the state does not say (a state from before `calls` existed).
  const lastTurn = index + 1 >= (state.calls ?? 0) && state.turn + 1 >= deps.maxSteps;
  const item = state.route === 'task' || !state.calls || lastTurn ? await loadItem(deps, state) : undefined;
  const decision = item && modelTurn(item, state.turn).decision;
  const calls = decision ? (decision.kind === 'final' ? 0 : callsOf(decision).length) : state.calls!;

  if (
    item &&
    decision?.kind === 'tool' &&
    state.route === 'task' &&
    state.taskResult &&
    !item.turns?.[toolKey]
  ) {
    const call = currentCall(decision, state);
    const { output, ...result } = await getJson<ResultDocument>(deps.s3, state.taskResult.resultUri);
    const small = output && JSON.stringify(output).length <= inlineOutputBytes;
    await deps.items.putTurn(state.executionId, state.itemId, toolKey, {
      kind: 'tool',
      turn: state.turn,
      toolUseId: call.toolUseId,
      name: call.name,
      ok: true,
      observation: observe(call.name, result),
      resultUri: state.taskResult.resultUri,
      ...(small && { output }),
      where: 'task',
      ...taskTiming(state, now(deps)),
    });
    await events.step(state.itemId, call.name, 'succeeded');
  }

  await events.step(state.itemId, 'append', 'started');
  const next: ItemState = { ...state, turn: state.turn + 1, done: false };
  delete next.route;
  delete next.job;
  delete next.taskResult;
  delete next.call;
  delete next.calls;

  // More calls in the same reply: each gets its result before the model is asked again.
  if (index + 1 < calls) {
    await events.step(state.itemId, 'append', 'succeeded');
    return { ...next, turn: state.turn, call: index + 1, calls };
  }

  if (item && decision?.kind === 'final') {
    if (!isItemFinished(item)) {
      const artifacts = await analysisArtifacts(deps, orderedTurns(item.turns));
      await finishItem(deps, state, item, { output: { text: decision.text, ...artifacts } });
    }
    await events.step(state.itemId, 'append', 'succeeded', 'answered');
    return { ...next, turn: state.turn, done: true };
  }
  if (item && next.turn >= deps.maxSteps) {
    const error = `The agent did not reach an answer within ${deps.maxSteps} steps.`;
    await finishItem(deps, state, item, { error });
    await events.step(state.itemId, 'append', 'failed', error);
    return { ...next, done: true };
  }
  await events.step(state.itemId, 'append', 'succeeded');
  return next;
}

/** The Catch of every item step: the item fails with a readable reason; the batch goes on. */
export async function recordFailure(deps: AgentDeps, state: ItemState): Promise<ItemState> {
  logger.warn('item failed', { executionId: state.executionId, itemId: state.itemId, cause: state.error });
  const item = await loadItem(deps, state);
  // The task's sentence about unreadable data says "the file": name the dataset it was given.
  const datasetId =
    state.route === 'task' && state.error?.Error === 'BadData' ? calledDataset(item, state) : undefined;
  const error = datasetId ? aboutDataset(datasetId, readableError(state)) : readableError(state);
  if (!isItemFinished(item)) {
    await runEvents(deps.notifier, state).step(state.itemId, item.step ?? 'parse', 'failed', error);
    // A Catch after RunAnalysis still carries Dispatch's route: the task is what failed.
    await finishItem(deps, state, item, {
      error,
      failedIn: item.step ?? 'parse',
      ...(state.route === 'task' && { inTask: true, failedStep: taskTiming(state, now(deps)) }),
    });
  }
  return {
    executionId: state.executionId,
    sessionId: state.sessionId,
    userId: state.userId,
    tenantId: state.tenantId,
    itemId: state.itemId,
    turn: state.turn,
    done: true,
  };
}

/** The dataset the item's current tool call names, if it names one. */
function calledDataset(item: ItemRecord, state: ItemState): string | undefined {
  const recorded = item.turns?.[turnKey(state.turn, 'model')];
  const call = recorded?.kind === 'model' ? callsOf(recorded.decision)[state.call ?? 0] : undefined;
  const datasetId = (call?.input as { datasetId?: unknown } | undefined)?.datasetId;
  return typeof datasetId === 'string' ? datasetId : undefined;
}

/** Marks every unfinished item of a run as failed with `reason`, counting each once. */
async function settleUnfinished(
  deps: AgentDeps,
  run: Omit<ItemState, 'itemId' | 'turn'>,
  reason: string,
): Promise<ItemRecord[]> {
  const items = await deps.items.list(run.executionId);
  for (const item of items.filter((i) => !isItemFinished(i))) {
    await finishItem(deps, { ...run, itemId: item.itemId, turn: 0 }, item, { error: reason });
  }
  return deps.items.list(run.executionId);
}

/**
 * Finish: settle items the run left unfinished, choose the final status from the items, and
 * end the execution once (response, assistant message, session lock) through concludeExecution.
 */
export async function finishRun(deps: AgentDeps, input: RunInput): Promise<{ status: ResponseStatus }> {
  const reason = input.failure
    ? `The run failed before this item finished: ${readableError({ error: input.failure })}`
    : 'The run ended before this item finished.';
  const settled = await settleUnfinished(deps, input, reason);
  const succeeded = settled.filter((i) => i.status === 'SUCCEEDED').length;
  const status: ResponseStatus =
    succeeded === settled.length && settled.length > 0 ? 'SUCCEEDED' : succeeded === 0 ? 'FAILED' : 'PARTIAL';
  await concludeExecution(deps, input.executionId, status, summarizeRun(settled, status));
  return { status };
}

export interface EndedRun {
  /** The execution's name, which is the executionId. */
  executionId: string;
  status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
}

/**
 * The state machine ended without reaching Finish — it failed, timed out, or was stopped —
 * which Step Functions reports as an execution status change. The run is ended as such so the
 * user is told and the session is freed; a run that Finish or a cancel already ended is left.
 */
export async function settleEndedRun(deps: AgentDeps, ended: EndedRun): Promise<boolean> {
  const execution = await deps.executions.get(ended.executionId);
  if (!execution || isFinal(execution.status)) return false;
  const reasons = {
    FAILED: 'The run failed before this item finished.',
    TIMED_OUT: 'The run ran out of time before this item finished.',
    ABORTED: 'The run was stopped before this item finished.',
  };
  const items = await settleUnfinished(deps, execution, reasons[ended.status]);
  const succeeded = items.filter((i) => i.status === 'SUCCEEDED').length;
  const summary = {
    FAILED: `The run failed after ${succeeded} of ${items.length} items succeeded.`,
    TIMED_OUT: `The run ran out of time after ${succeeded} of ${items.length} items succeeded.`,
    ABORTED: `The run was stopped after ${succeeded} of ${items.length} items succeeded.`,
  }[ended.status];
  const { announced } = await concludeExecution(deps, ended.executionId, ended.status, summary);
  return announced;
}

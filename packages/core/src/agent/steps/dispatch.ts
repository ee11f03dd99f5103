import { jobKey, resultKey } from '../../bucket';
import type { AnalysisResult } from '../../contract';
import { putJson, s3Uri } from '../../data/s3-json';
import type { DatasetLocation } from '../../datasets/catalog';
import { DomainError } from '../../errors';
import type { ItemOutput } from '../../protocol/server';
import { runEvents } from '../run/events';
import { callsOf, type ToolCall, toolTurnKey } from '../run/transcript';
import { isInlineCall, runsInDispatch, taskOverridesFor, validateToolCall } from '../tools/declarations';
import { type AnalysisEngine, type EngineJob, engineFailure } from '../tools/engine';
import { failedRun, runInlineTool, type ToolRun } from '../tools/inline';
import { observationOf } from '../tools/observations';
import type { AgentDeps } from './deps';
import { currentCall, inlineOutputBytes, loadItem, modelTurn, stopwatch } from './item';
import type { AnalysisJob, ItemState } from './state';

/** Why a final_answer call is not taken as the answer, in words the model can act on. */
function finalAnswerProblem(calls: ToolCall[], problem: string | undefined): string {
  if (calls.length > 1)
    return 'final_answer was called together with other tools; call it alone, once you have read their results.';
  return problem
    ? `final_answer needs the text of your answer (1 to 20,000 characters): ${problem}`
    : 'Call final_answer only to give your answer.';
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
  if (!call.ok) {
    const { problem } = call;
    await record(failedRun(current.name === 'final_answer' ? finalAnswerProblem(calls, problem) : problem));
    return { ...state, route: 'inline' };
  }
  if (call.name === 'final_answer') {
    // An answer given alongside other calls: the model reads why and tries again.
    await record(failedRun(finalAnswerProblem(calls, undefined)));
    return { ...state, route: 'inline' };
  }
  await events.step(state.itemId, call.name, 'started');
  await deps.items.markRunning(state.executionId, state.itemId, call.name, toolKey);
  /** A tool run inside Dispatch: its result is recorded, and the item goes on to Append. */
  const ranHere = async (run: ToolRun): Promise<ItemState> => {
    await record(run);
    await events.step(
      state.itemId,
      call.name,
      run.ok ? 'succeeded' : 'failed',
      run.ok ? undefined : run.observation,
    );
    return { ...state, route: 'inline' };
  };

  if (isInlineCall(call)) return ranHere(await runInlineTool(deps.datasets, state.userId, call));

  const { name: tool, input } = call;
  let location: DatasetLocation;
  try {
    location = await deps.datasets.locate(state.userId, input.datasetId);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return ranHere(failedRun(error.message));
  }
  const base = `${state.executionId}/${state.itemId}/${toolKey.replace('-tool', '')}`;
  const resultUri = s3Uri(deps.bucket, resultKey(base));
  const { datasetId, ...args } = input;
  const job: EngineJob = { tool, data: s3Uri(location.bucket, location.key), args };

  if (
    deps.engine &&
    location.sizeBytes !== undefined &&
    runsInDispatch(tool, location.key, location.sizeBytes)
  ) {
    return ranHere(await runEngine(deps, deps.engine, job, resultUri, datasetId));
  }

  const uri = s3Uri(deps.bucket, jobKey(base));
  await putJson(deps.s3, uri, {
    ...job,
    resultUri,
  } satisfies AnalysisJob);
  return { ...state, route: 'task', job: { uri, ...taskOverridesFor(tool), dispatchedAt: clock.startedMs } };
}

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

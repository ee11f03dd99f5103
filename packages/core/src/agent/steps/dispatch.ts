import type { AnalysisResult } from '../../contract';
import type { DatasetLocation } from '../../datasets/catalog';
import { DomainError } from '../../errors';
import type { ItemOutput } from '../../protocol/server';
import { runEvents } from '../run/events';
import { callsOf, type ToolCall, toolTurnKey } from '../run/transcript';
import { putJson, s3Uri } from '../s3-json';
import {
  type EngineToolName,
  runsInDispatch,
  taskOverridesFor,
  toolDeclarations,
  validateToolCall,
} from '../tools/declarations';
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

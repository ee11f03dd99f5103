import type { AnalysisResult } from '../contract';
import { isAnalysisErrorCode } from '../contract/errors';
import type { ItemOutput } from '../protocol/server';
import type { EngineToolName } from './tools';

/** One analysis for the engine: the tool, where the CSV is (s3://bucket/key) and the tool's arguments. */
export interface EngineJob {
  tool: EngineToolName;
  data: string;
  args: Record<string, unknown>;
}

/** The engine's answer: the result document and the chat output (tables, charts) made from it. */
export interface EngineRun {
  result: AnalysisResult;
  output: ItemOutput;
}

/**
 * The analysis engine as the agent sees it: the same code that runs as the Fargate task, run in
 * the Dispatch step for datasets small enough to answer at once. Core knows only this port; the
 * handlers plug in the analysis package.
 */
export interface AnalysisEngine {
  run(job: EngineJob): Promise<EngineRun>;
}

/**
 * An engine failure a person can act on (a missing column, a refused query, a time limit): it
 * has one of the contract's error codes and a sentence as its message. Anything else is a fault.
 */
export function engineFailure(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && isAnalysisErrorCode(code) && error instanceof Error
    ? error.message
    : undefined;
}

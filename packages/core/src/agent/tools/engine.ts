import type { AnalysisResult } from '../../contract';
import { isAnalysisErrorCode } from '../../contract/errors';
import type { ItemOutput } from '../../protocol/server';
import type { EngineToolName } from './declarations';

/** One analysis for the engine: the tool, where the dataset is (s3://bucket/key, CSV or Parquet) and the tool's arguments. */
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
export function engineFailure(error: unknown, datasetId?: string): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !isAnalysisErrorCode(code) || !(error instanceof Error)) return undefined;
  return code === 'BadData' && datasetId ? aboutDataset(datasetId, error.message) : error.message;
}

/**
 * A sentence about "the file" ("The file could not be read as Parquet: …") names it, so the
 * person knows which file to fix: "sales.parquet: The file could not be read as Parquet: …".
 * Any other sentence (one about the rows a filter left, one that names the file) is kept as it is.
 */
export function aboutDataset(datasetId: string, message: string): string {
  return /\bfile\b/i.test(message) && !message.includes(datasetId) ? `${datasetId}: ${message}` : message;
}

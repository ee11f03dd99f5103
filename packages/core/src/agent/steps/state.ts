import type { AgentInput } from '../../orchestration/orchestrator';
import type { EngineJob } from '../tools/engine';

/**
 * The state one item carries through the state machine: ids and pointers only, so it stays a
 * few hundred bytes whatever the item does. Everything else lives in the Items table and S3.
 */
export interface ItemState {
  executionId: string;
  sessionId: string;
  userId: string;
  tenantId: string;
  itemId: string;
  /** The model turn the item is on, from 0. */
  turn: number;
  /**
   * Which of the turn's tool calls Dispatch runs, when the model made several in one reply; Append
   * sends the item back to Dispatch until each has its result, then on to the model.
   */
  call?: number;
  /**
   * How many tool calls the turn's decision made, 0 for the final answer (set by InvokeModel), so
   * Dispatch and Append need not read the item to know where the item goes next.
   */
  calls?: number;
  /** Where Dispatch sends the item next. */
  route?: 'inline' | 'task' | 'finish';
  /**
   * The analysis job for RunAnalysis: its document (the task's JOB_URI) and the task's size for
   * the tool — ECS's task-level CPU and memory overrides and the engine's memory limit
   * (ANALYSIS_MEMORY_LIMIT).
   */
  job?: { uri: string; cpu: string; memory: string; memoryLimit: string; dispatchedAt?: number };
  /** What the analysis task reported through its task token: its result, and when it began and ended (epoch ms). */
  taskResult?: { resultUri: string; startedAt?: number; finishedAt?: number };
  /** True once the item has finished, either way. */
  done?: boolean;
  /** Set by a Catch: the error that stopped the item. */
  error?: { Error: string; Cause?: string };
}

/** The state machine's input, as startQuery builds it; Finish receives it back. */
export type RunInput = AgentInput & {
  /** Set by the execution-wide Catch when the Map itself failed. */
  failure?: { Error: string; Cause?: string };
};

/** A job for the analysis task, stored in S3; the task gets its URI. */
export interface AnalysisJob extends EngineJob {
  resultUri: string;
}

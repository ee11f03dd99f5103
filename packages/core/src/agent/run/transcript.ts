import type { ItemOutput } from '../../protocol/server';
import type { Frame, FrameKind, Refusal } from '../planner/frame';
import type { DatasetSchema } from '../planner/schema';
import type { ToolName } from '../tools/declarations';

/** One tool call of a model's reply. */
export interface ToolCall {
  toolUseId: string;
  name: string;
  input: unknown;
}

/** The tokens one model call used, as the API reported them. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens read from the provider's cache, where the API reports them. */
  cacheReadTokens?: number;
  /** Prompt tokens written to the provider's cache, where the API reports them. */
  cacheWriteTokens?: number;
}

/** Two calls' tokens together; a cache count is kept when either call reported one. */
export function addUsage(a: TokenUsage | undefined, b: TokenUsage | undefined): TokenUsage | undefined {
  if (!a || !b) return a ?? b;
  const sum = (x?: number, y?: number) =>
    x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
  const cacheReadTokens = sum(a.cacheReadTokens, b.cacheReadTokens);
  const cacheWriteTokens = sum(a.cacheWriteTokens, b.cacheWriteTokens);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    ...(cacheReadTokens !== undefined && { cacheReadTokens }),
    ...(cacheWriteTokens !== undefined && { cacheWriteTokens }),
  };
}

/** Who answered a model call and what it cost; the offline planner has neither model nor tokens. */
interface Accounted {
  /** The model id that answered ("amazon.nova-pro-v1:0", "llama3.1:8b"). */
  model?: string;
  usage?: TokenUsage;
}

/**
 * What the model decided on one turn: its tool calls, in the order it made them (every one gets a
 * result before the model is asked again), or its final answer.
 */
export type Decision =
  | ({ kind: 'tool'; calls: ToolCall[]; thinking?: string } & Accounted)
  | ({ kind: 'final'; text: string; toolUseId?: string } & Accounted);

/** One entry of an item's transcript, stored in the item under `turns.<key>`. */
/** When a step began and how long it took: the run's trace (absent on records older than it). */
export interface Timed {
  startedAt?: string;
  durationMs?: number;
}

export type Turn =
  | ({
      kind: 'model';
      turn: number;
      decision: Decision;
      /** The provider that decided ('rules', 'bedrock', 'openai'). */
      provider?: string;
    } & Timed)
  | ({
      kind: 'tool';
      turn: number;
      toolUseId: string;
      name: ToolName | string;
      ok: boolean;
      /** What the model reads: compact JSON or an error sentence it can act on. */
      observation: string;
      /** What the user sees from this tool (tables, charts), when it is small enough to keep inline. */
      output?: ItemOutput;
      /** Where the tool's full result document lives (S3), for large results. */
      resultUri?: string;
      /** `task`: the Fargate task ran it; else the Dispatch step itself. */
      where?: 'inline' | 'task';
      /** A task's wait from dispatch to its start (image pull and start-up included), then its run. */
      queueMs?: number;
      runMs?: number;
    } & Timed);

export function turnKey(turn: number, kind: Turn['kind']): string {
  return `${String(turn).padStart(3, '0')}-${kind}`;
}

/** The key of the result of a reply's `index`-th tool call: `007-tool`, then `007-tool-01`, … */
export function toolTurnKey(turn: number, index: number): string {
  return index === 0 ? turnKey(turn, 'tool') : `${turnKey(turn, 'tool')}-${String(index).padStart(2, '0')}`;
}

/** The tool calls of a decision; a transcript written before replies could hold several had one. */
export function callsOf(decision: Decision): ToolCall[] {
  if (decision.kind !== 'tool') return [];
  const legacy = decision as unknown as Partial<ToolCall> & { calls?: ToolCall[] };
  if (legacy.calls) return legacy.calls;
  return legacy.toolUseId && legacy.name
    ? [{ toolUseId: legacy.toolUseId, name: legacy.name, input: legacy.input }]
    : [];
}

/** A call's arguments as an object: a model may send anything (Dispatch validates what it runs). */
export function argumentsOf(call: ToolCall | undefined): Record<string, unknown> {
  const input = call?.input;
  return typeof input === 'object' && input !== null ? Object.fromEntries(Object.entries(input)) : {};
}

/** A call's text argument `key` ("datasetId", "text"), when it has one. */
export function textArgument(call: ToolCall | undefined, key: string): string | undefined {
  const value = argumentsOf(call)[key];
  return typeof value === 'string' ? value : undefined;
}

/** Who answered an item: the provider (and model) of its last decision. */
export function answeredByOf(turns: Turn[]): { provider: string; model?: string } | undefined {
  const last = turns.findLast((t) => t.kind === 'model' && t.provider !== undefined);
  if (last?.kind !== 'model' || !last.provider) return undefined;
  return { provider: last.provider, ...(last.decision.model && { model: last.decision.model }) };
}

/**
 * The datasets an item's answer comes from: those its tool calls read and got a result from, in
 * the order it first read them. Whoever decided (the planner or a model), the answer can say it.
 */
export function datasetsOf(turns: Turn[]): string[] {
  const succeeded = new Set(turns.flatMap((t) => (t.kind === 'tool' && t.ok ? [t.toolUseId] : [])));
  const read = turns.flatMap((turn) =>
    turn.kind === 'model'
      ? callsOf(turn.decision).flatMap((call) => {
          const datasetId = textArgument(call, 'datasetId');
          return succeeded.has(call.toolUseId) && datasetId !== undefined ? [datasetId] : [];
        })
      : [],
  );
  return [...new Set(read)];
}

/** What an item's model calls cost, summed over its transcript. */
export interface ItemUsage {
  inputTokens: number;
  outputTokens: number;
  /** Model calls that produced a decision; the offline planner makes none. */
  modelCalls: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

export function usageOf(turns: Turn[]): ItemUsage {
  const calls = turns.flatMap((turn) =>
    turn.kind === 'model' && turn.decision.model ? [turn.decision] : [],
  );
  const tokens = calls.reduce<TokenUsage | undefined>(
    (total, decision) => addUsage(total, decision.usage),
    undefined,
  );
  return {
    inputTokens: tokens?.inputTokens ?? 0,
    outputTokens: tokens?.outputTokens ?? 0,
    modelCalls: calls.length,
    ...(tokens?.cacheReadTokens && { cacheReadTokens: tokens.cacheReadTokens }),
    ...(tokens?.cacheWriteTokens && { cacheWriteTokens: tokens.cacheWriteTokens }),
  };
}

/** The turns in the order they happened. */
export function orderedTurns(turns: Record<string, Turn> | undefined): Turn[] {
  return Object.entries(turns ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, turn]) => turn);
}

/** The structured request Parse derives from an item, stored in the item for every later step. */
export interface ParsedRequest {
  /** The full question for this item: the message, plus the item's own input in a batch. */
  text: string;
  datasetId?: string;
  /** What kind of question the offline grammar read, or 'refusal' when it could not read it. */
  intent: FrameKind | 'refusal';
  /** The dataset's columns, when the dataset is known and readable. */
  columns?: string[];
  /** The grammar's reading: what to compute (the offline planner acts on it; models get it as a hint). */
  frame?: Frame;
  /** Why the grammar could not read the question, and what it can answer instead. */
  refusal?: Refusal;
  /** True when the question changed the previous one ("now by country"). */
  followUp?: boolean;
  /** Set when the question just before this follow-up was not understood: it builds on the one before that. */
  skipped?: string;
  /** Misspelt words and how they were read ("corelation" as "correlation"). */
  corrections?: { from: string; to: string }[];
  /** The dataset's columns with their types and first values, compact, for writing SQL. */
  schema?: DatasetSchema;
}

/** A message of the session before this run, given to the model as context. */
export interface ContextMessage {
  role: 'user' | 'assistant';
  content: string;
}

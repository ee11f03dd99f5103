import type { ItemOutput } from '../protocol/server';
import type { Frame, FrameKind, Refusal } from './planner/frame';
import type { DatasetSchema } from './planner/schema';
import type { ToolName } from './tools';

/** What the model decided on one turn. */
export type Decision =
  | { kind: 'tool'; toolUseId: string; name: string; input: unknown; thinking?: string }
  | { kind: 'final'; text: string; toolUseId?: string };

/** One entry of an item's transcript, stored in the item under `turns.<key>`. */
export type Turn =
  | { kind: 'model'; turn: number; decision: Decision }
  | {
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
    };

export function turnKey(turn: number, kind: Turn['kind']): string {
  return `${String(turn).padStart(3, '0')}-${kind}`;
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

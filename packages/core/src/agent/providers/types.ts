import type { ContextMessage, Decision, ParsedRequest, Turn } from '../run/transcript';

/** Everything a provider may look at to choose the next step of one item. */
export interface ModelContext {
  request: ParsedRequest;
  /** The session's earlier messages, oldest first. */
  history: ContextMessage[];
  /** This item's transcript so far. */
  turns: Turn[];
  /** The number of this turn, from 0. */
  turn: number;
  maxSteps: number;
  /**
   * Called with each piece of the final answer's text as the model writes it (a plain-text reply,
   * or the text of a final_answer call), when the provider streams. What `decide` returns stays
   * the authoritative answer.
   */
  onText?: (delta: string) => void;
  /** Aborted when the step runs out of time: the provider stops waiting for the model. */
  signal?: AbortSignal;
}

/** One interface for every way of choosing the next step: a language model or the offline planner. */
export interface ModelProvider {
  /** 'rules', 'bedrock' or 'openai': reported with every answer. */
  readonly name: string;
  /** The model it calls, when it calls one. */
  readonly model?: string;
  /**
   * False when `decide` never looks at `history` (the offline planner: Parse has read the
   * conversation already), so InvokeModel does not read it for every turn. Absent means it does.
   */
  readonly readsHistory?: boolean;
  decide(context: ModelContext): Promise<Decision>;
}

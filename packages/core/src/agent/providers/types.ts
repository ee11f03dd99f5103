import type { ContextMessage, Decision, ParsedRequest, Turn } from '../transcript';

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
}

/** One interface for every way of choosing the next step: a language model or the offline planner. */
export interface ModelProvider {
  readonly name: string;
  decide(context: ModelContext): Promise<Decision>;
}

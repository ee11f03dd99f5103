import { addUsage, type Decision, type TokenUsage } from '../run/transcript';
import { NoAnswerError, type RetryPolicy, withRetries } from './errors';

/** A reply the agent cannot use (empty, or cut off mid-call): how to ask again, and why if that fails too. */
export interface AskAgain {
  /** A note for the model on the second ask; without one, the same request goes again. */
  note?: string;
  /** Why there is no answer, should the second reply be no better. */
  failure: string;
  /** The answer's text so far in a reply cut at the output limit: shown, marked as cut, if the second reply is no better. */
  partialText?: string;
}

/** What the agent makes of one reply: its next step, or a reason to ask once more. */
export type Reading = Decision | AskAgain;

/** Marks an answer that stopped at the model's output limit. */
export const cutAnswerNote = (maxTokens: number) =>
  `\n\n_(The answer was cut off at the model's output limit of ${maxTokens} tokens.)_`;

/**
 * The model's next step, the same way for every provider: ask (each ask retried on a busy model
 * as `retry` allows), and ask once more if the reply cannot be used. A second unusable reply ends
 * with its answer so far, if it had one, or a NoAnswerError. The usage of every ask is summed.
 */
export async function askForDecision<Reply extends { usage?: TokenUsage }>(options: {
  ask: (note: string | undefined) => Promise<Reply>;
  read: (reply: Reply) => Reading;
  retry: RetryPolicy;
  maxTokens: number;
}): Promise<{ decision: Decision; usage?: TokenUsage }> {
  const { ask, read, retry, maxTokens } = options;
  let usage: TokenUsage | undefined;
  let note: string | undefined;
  for (let asked = 1; ; asked++) {
    const reply = await withRetries(() => ask(note), retry);
    usage = addUsage(usage, reply.usage);
    const reading = read(reply);
    const used = { ...(usage && { usage }) };
    if (!('failure' in reading)) return { decision: reading, ...used };
    if (asked >= 2) {
      if (reading.partialText)
        return { decision: { kind: 'final', text: reading.partialText + cutAnswerNote(maxTokens) }, ...used };
      throw new NoAnswerError(reading.failure);
    }
    note = reading.note;
  }
}

import { describe, expect, it } from 'vitest';
import { type AskAgain, askForDecision, type Reading } from '../../../src/agent/providers/ask';
import { ModelUnavailableError, NoAnswerError } from '../../../src/agent/providers/errors';

/** A scripted model: each ask returns the next reply (or throws it), and records the note it was given. */
function scripted(replies: (Reading | Error)[]) {
  const notes: (string | undefined)[] = [];
  let next = 0;
  const ask = async (note: string | undefined) => {
    notes.push(note);
    const reply = replies[next++];
    if (reply === undefined) throw new Error('asked more often than scripted');
    if (reply instanceof Error) throw reply;
    return { reading: reply, usage: { inputTokens: 100, outputTokens: 10 } };
  };
  return { ask, notes, read: (reply: { reading: Reading }) => reply.reading };
}

const retry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1_000, sleep: async () => undefined };
const empty: AskAgain = {
  note: 'Your last reply was empty.',
  failure: 'The model replied with nothing, twice.',
};

describe('asking the model for its next step', () => {
  it('takes a usable reply as it is, asking once', async () => {
    const model = scripted([{ kind: 'tool', calls: [{ toolUseId: 't1', name: 'profile', input: {} }] }]);
    const { decision, usage } = await askForDecision({ ...model, retry, maxTokens: 100 });
    expect(decision).toEqual({ kind: 'tool', calls: [{ toolUseId: 't1', name: 'profile', input: {} }] });
    expect(usage).toEqual({ inputTokens: 100, outputTokens: 10 });
    expect(model.notes).toEqual([undefined]);
  });

  it('asks once more with the note an unusable reply calls for, and counts both asks', async () => {
    const model = scripted([empty, { kind: 'final', text: 'Done.' }]);
    const { decision, usage } = await askForDecision({ ...model, retry, maxTokens: 100 });
    expect(decision).toEqual({ kind: 'final', text: 'Done.' });
    expect(usage).toEqual({ inputTokens: 200, outputTokens: 20 });
    expect(model.notes).toEqual([undefined, 'Your last reply was empty.']);
  });

  it('ends a second unusable reply with its answer so far, marked as cut at the output limit', async () => {
    const cut: AskAgain = { note: 'Shorter.', failure: 'Cut again.', partialText: 'The mean is 5,976 and' };
    const model = scripted([cut, cut]);
    const { decision } = await askForDecision({ ...model, retry, maxTokens: 300 });
    expect(decision).toEqual({
      kind: 'final',
      text: "The mean is 5,976 and\n\n_(The answer was cut off at the model's output limit of 300 tokens.)_",
    });
  });

  it('fails with the second reply’s reason when it has nothing to show, and asks no third time', async () => {
    const model = scripted([empty, { failure: 'The model ended its reply without an answer.' }]);
    await expect(askForDecision({ ...model, retry, maxTokens: 100 })).rejects.toEqual(
      new NoAnswerError('The model ended its reply without an answer.'),
    );
    expect(model.notes).toHaveLength(2);
  });

  it('retries a busy model within one ask, which does not count as asking again', async () => {
    const busy = new ModelUnavailableError('Too many requests', 'ThrottlingException');
    const model = scripted([busy, empty, { kind: 'final', text: 'Done.' }]);
    const { decision } = await askForDecision({ ...model, retry, maxTokens: 100 });
    expect(decision).toEqual({ kind: 'final', text: 'Done.' });
    // The retry repeats the first ask as it was; only the unusable reply brings the note.
    expect(model.notes).toEqual([undefined, undefined, 'Your last reply was empty.']);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelRejectedError, ModelUnavailableError, withRetries } from '../../src/agent/providers/errors';
import { answerTextStream, partialAnswerText } from '../../src/agent/providers/stream-text';
import { runEvents } from '../../src/agent/run/events';
import {
  answeredByOf,
  callsOf,
  type Decision,
  orderedTurns,
  type Turn,
  toolTurnKey,
  usageOf,
} from '../../src/agent/run/transcript';
import { trimHistory } from '../../src/agent/steps/history';
import { observationOf, observedProfileColumns } from '../../src/agent/tools/observations';
import type { ServerMessage } from '../../src/protocol/server';

/** The pieces between a provider and the agent's steps: transcripts, costs, streamed text, retries. */

describe('a reply of several tool calls in the transcript', () => {
  it('keys each result after its call, in order even past ten calls', () => {
    const keys = [0, 1, 2, 10, 11].map((i) => toolTurnKey(3, i));
    expect(keys).toEqual(['003-tool', '003-tool-01', '003-tool-02', '003-tool-10', '003-tool-11']);
    const turns = Object.fromEntries(
      [...keys, '003-model', '004-model', '002-tool'].reverse().map((k) => [k, { k } as unknown as Turn]),
    );
    expect(orderedTurns(turns).map((t) => (t as unknown as { k: string }).k)).toEqual([
      '002-tool',
      '003-model',
      ...keys,
      '004-model',
    ]);
  });

  it('reads a decision written before replies held several calls', () => {
    const legacy = {
      kind: 'tool',
      toolUseId: 't',
      name: 'profile',
      input: { datasetId: 'x' },
    } as unknown as Decision;
    expect(callsOf(legacy)).toEqual([{ toolUseId: 't', name: 'profile', input: { datasetId: 'x' } }]);
    expect(callsOf({ kind: 'final', text: 'done' })).toEqual([]);
  });
});

describe('what an item cost and who answered it', () => {
  const model = (decision: Decision, provider = 'bedrock'): Turn => ({
    kind: 'model',
    turn: 0,
    decision,
    provider,
  });

  it('sums every model call, cache tokens only where reported, and leaves the offline planner at zero', () => {
    const turns = [
      model({
        kind: 'tool',
        calls: [],
        model: 'm',
        usage: { inputTokens: 100, outputTokens: 10, cacheReadTokens: 80 },
      }),
      { kind: 'tool', turn: 0, toolUseId: 't', name: 'profile', ok: true, observation: '{}' } as Turn,
      model({ kind: 'final', text: 'x', model: 'm', usage: { inputTokens: 150, outputTokens: 40 } }),
      // A model call whose API reported no usage still counts as a call.
      model({ kind: 'final', text: 'y', model: 'm' }),
    ];
    expect(usageOf(turns)).toEqual({
      inputTokens: 250,
      outputTokens: 50,
      modelCalls: 3,
      cacheReadTokens: 80,
    });
    expect(usageOf([model({ kind: 'final', text: 'offline' }, 'rules')])).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      modelCalls: 0,
    });
  });

  it('names the provider and model of the last decision', () => {
    expect(answeredByOf([model({ kind: 'final', text: 'x', model: 'llama3.1:8b' }, 'openai')])).toEqual({
      provider: 'openai',
      model: 'llama3.1:8b',
    });
    expect(answeredByOf([model({ kind: 'final', text: 'x' }, 'rules')])).toEqual({ provider: 'rules' });
    expect(answeredByOf([])).toBeUndefined();
  });
});

describe('the text of a final_answer call while its arguments stream in', () => {
  it('decodes the text so far, escapes included, and waits for an escape cut in half', () => {
    expect(partialAnswerText('{"te')).toBeUndefined();
    expect(partialAnswerText('{"text": "The mean')).toBe('The mean');
    expect(partialAnswerText('{"text":"a\\nb \\"q\\" \\u00e9')).toBe('a\nb "q" é');
    expect(partialAnswerText('{"text":"tab\\')).toBe('tab');
    expect(partialAnswerText('{"text":"x\\u00')).toBe('x');
    expect(partialAnswerText('{"text":"done", "other": "not this"}')).toBe('done');
  });

  it('emits only what the reader has not seen, however the JSON is cut', () => {
    const json = JSON.stringify({ text: 'Churn is **26.5 %**.\nOn "basic": 31 %.' });
    for (const size of [1, 2, 3, 7, json.length]) {
      const pieces: string[] = [];
      const feed = answerTextStream((delta) => pieces.push(delta));
      for (let at = 0; at < json.length; at += size) feed(json.slice(at, at + size));
      expect(pieces.join(''), `pieces of ${size}`).toBe('Churn is **26.5 %**.\nOn "basic": 31 %.');
    }
  });
});

describe('retrying a model call', () => {
  const instant = { sleep: async () => undefined, random: () => 0.5 };
  const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000, budgetMs: 10_000, ...instant };

  it('tries a busy model again with growing, jittered waits, and honours Retry-After', async () => {
    const waits: number[] = [];
    let calls = 0;
    const answer = await withRetries(
      async () => {
        calls += 1;
        if (calls === 1) throw new ModelUnavailableError('slow down', 'ThrottlingException');
        if (calls === 2) throw new ModelUnavailableError('busy', 'ServiceUnavailable', 900);
        return 'ok';
      },
      { ...policy, sleep: async (ms) => void waits.push(ms) },
    );
    expect(answer).toBe('ok');
    expect(waits).toEqual([50, 900]);
  });

  it('gives up after its attempts or its time budget, and never retries a rejected request', async () => {
    let calls = 0;
    const busy = async () => {
      calls += 1;
      throw new ModelUnavailableError('still busy', 'ModelErrorException');
    };
    await expect(withRetries(busy, policy)).rejects.toMatchObject({
      name: 'ModelUnavailableError',
      code: 'ModelErrorException',
    });
    expect(calls).toBe(4);

    calls = 0;
    let clock = 0;
    await expect(
      withRetries(busy, {
        ...policy,
        budgetMs: 120,
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      }),
    ).rejects.toThrow('still busy');
    expect(calls).toBe(2);

    calls = 0;
    await expect(
      withRetries(async () => {
        calls += 1;
        throw new ModelRejectedError('The model rejected the request: bad');
      }, policy),
    ).rejects.toThrow('The model rejected the request: bad');
    expect(calls).toBe(1);
  });
});

describe('streamed answer text as events', () => {
  afterEach(() => vi.useRealTimers());

  it('batches pieces per interval, splits long text under the frame limit, and sends the rest on flush', async () => {
    vi.useFakeTimers();
    const sent: ServerMessage[] = [];
    const notifier = {
      toConnection: async () => 'sent' as const,
      disconnect: async () => undefined,
      toUser: async (_user: string, message: ServerMessage) => {
        sent.push(message);
        return { sent: 1, gone: 0, failed: 0 };
      },
    };
    const run = { executionId: 'e', sessionId: 's', userId: 'u' };
    const stream = runEvents(notifier, run).deltas('item-1', 2, 100);
    stream.write('The ');
    stream.write('mean ');
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toEqual([
      { action: 'delta', executionId: 'e', sessionId: 's', itemId: 'item-1', turn: 2, text: 'The mean ' },
    ]);
    stream.write('x'.repeat(9_000));
    await stream.flush();
    const texts = sent.slice(1).map((m) => (m.action === 'delta' ? m.text : ''));
    expect(texts.map((t) => t.length)).toEqual([4_000, 4_000, 1_000]);
    await stream.flush();
    expect(sent).toHaveLength(4);
  });
});

describe('what a model is sent', () => {
  it('trims the conversation: long answers cut with a note, oldest messages dropped first, blanks left out', () => {
    const long = 'x'.repeat(5_000);
    const messages = [
      { role: 'user' as const, content: 'oldest question' },
      { role: 'assistant' as const, content: long },
      { role: 'user' as const, content: 'second question' },
      { role: 'assistant' as const, content: '   ' },
      { role: 'user' as const, content: 'latest question' },
    ];
    const trimmed = trimHistory(messages, { messageChars: 4_000, totalChars: 4_050 });
    expect(trimmed.map((m) => m.content.slice(0, 15))).toEqual(['second question', 'latest question']);
    const roomy = trimHistory(messages);
    expect(roomy).toHaveLength(4);
    expect(roomy[1]!.content).toMatch(/^x{4000}\n\n\(…the rest of this message is left out\)$/);
  });

  it('summarises a very wide profile and shows fewer rows of a wide query', () => {
    const columns = Array.from({ length: 1_000 }, (_, i) => ({
      name: `c${i}`,
      type: i % 2 ? 'numeric' : 'categorical',
      missing: i === 900 ? 50 : 0,
      unique: 3,
    }));
    const profile = observationOf({
      tool: 'profile',
      rows: 100,
      columns,
      warnings: [],
    } as never) as { columns: unknown[]; columnCount: number; mostMissing: unknown[]; columnTypes: object };
    expect(profile.columns).toHaveLength(observedProfileColumns);
    expect(profile).toMatchObject({
      columnCount: 1_000,
      columnTypes: { numeric: 500, categorical: 500 },
      mostMissing: [{ name: 'c900', missing: 50 }],
    });
    expect(JSON.stringify(profile).length).toBeLessThan(20_000);

    const wide = observationOf({
      tool: 'query_data',
      sql: 'SELECT * FROM data',
      columns: Array.from({ length: 200 }, (_, i) => ({ name: `c${i}`, type: 'DOUBLE' })),
      rows: Array.from({ length: 50 }, () => Array.from({ length: 200 }, () => 1)),
      rowCount: 50,
      warnings: [],
    } as never) as { rows: unknown[]; rowsShownHere: number };
    expect(wide.rows).toHaveLength(20);
    expect(wide.rowsShownHere).toBe(20);
  });
});

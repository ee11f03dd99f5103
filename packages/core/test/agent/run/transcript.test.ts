import { describe, expect, it } from 'vitest';
import {
  answeredByOf,
  callsOf,
  type Decision,
  orderedTurns,
  type Turn,
  toolTurnKey,
  turnKey,
  usageOf,
} from '../../../src/agent/run/transcript';

describe('turn keys', () => {
  it('order transcript turns by key', () => {
    expect(turnKey(3, 'tool')).toBe('003-tool');
    expect(orderedTurns(undefined)).toEqual([]);
  });
});

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

import { describe, expect, it } from 'vitest';
import { ModelRejectedError, ModelUnavailableError, withRetries } from '../../../src/agent/providers/errors';

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

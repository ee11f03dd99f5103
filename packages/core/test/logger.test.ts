import { describe, expect, it, vi } from 'vitest';
import { logger, withCorrelation } from '../src';

describe('withCorrelation', () => {
  it('adds the keys to log lines written inside and removes them after', async () => {
    const append = vi.spyOn(logger, 'appendKeys');
    const remove = vi.spyOn(logger, 'removeKeys');
    const result = await withCorrelation({ connectionId: 'c1', messageId: undefined }, async () => 42);
    expect(result).toBe(42);
    expect(append).toHaveBeenCalledWith({ connectionId: 'c1' });
    expect(remove).toHaveBeenCalledWith(['connectionId']);
  });

  it('removes the keys even when the work fails', async () => {
    const remove = vi.spyOn(logger, 'removeKeys');
    await expect(withCorrelation({ executionId: 'e' }, () => Promise.reject(new Error('x')))).rejects.toThrow(
      'x',
    );
    expect(remove).toHaveBeenCalledWith(['executionId']);
  });
});

import { describe, expect, it } from 'vitest';
import type { ItemRecord } from '../../../src';
import { summarizeRun } from '../../../src/agent/run/summary';

describe('summarizeRun', () => {
  const item = (id: string, status: 'SUCCEEDED' | 'FAILED', text = `Answer ${id}\nmore`): ItemRecord => ({
    executionId: 'e',
    itemId: id,
    index: 0,
    input: 'x',
    status,
    ...(status === 'SUCCEEDED' ? { output: { text } } : { error: `Error ${id}` }),
  });

  it('is the answer itself for a single item', () => {
    expect(summarizeRun([item('1', 'SUCCEEDED', 'The mean is 3.')], 'SUCCEEDED')).toBe('The mean is 3.');
    expect(summarizeRun([item('1', 'FAILED')], 'FAILED')).toBe('This could not be answered: Error 1');
  });

  it('is an overview table for a batch, capped at 50 rows', () => {
    const items = Array.from({ length: 52 }, (_, i) => item(`i${i}`, i === 0 ? 'FAILED' : 'SUCCEEDED'));
    const summary = summarizeRun(items, 'PARTIAL');
    expect(summary.startsWith('**51 of 52 items succeeded**, 1 failed.')).toBe(true);
    expect(summary).toContain('| i0 | ✗ | Error i0 |');
    expect(summary).toContain('| i1 | ✓ | Answer i1 |');
    expect(summary).toContain('…and 2 more items.');
    expect(summarizeRun(items.slice(1, 3), 'SUCCEEDED').startsWith('**All 2 items succeeded.**')).toBe(true);
  });

  it('shortens a long first line', () => {
    expect(
      summarizeRun([item('a', 'SUCCEEDED', 'x'.repeat(300)), item('b', 'SUCCEEDED')], 'SUCCEEDED'),
    ).toContain(`${'x'.repeat(119)}…`);
  });
});

import { describe, expect, it } from 'vitest';
import { type Announced, runAnnouncement } from '../src/state/announce';
import type { Run } from '../src/state/chat';

const run = (overrides: Partial<Run>): Run => ({
  executionId: 'e1',
  sessionId: 's1',
  status: 'RUNNING',
  total: 20,
  completed: 0,
  failed: 0,
  items: {},
  order: [],
  ...overrides,
});

/** Feeds the updates in order and returns what a screen reader would hear. */
function heard(updates: Run[]): string[] {
  let announced: Announced | undefined;
  const said: string[] = [];
  for (const update of updates) {
    const next = runAnnouncement(announced, update);
    announced = next.announced;
    if (next.text) said.push(next.text);
  }
  return said;
}

describe('what a screen reader hears about a run', () => {
  it('a batch: its start, each quarter once, and its end — not every item', () => {
    const updates = Array.from({ length: 21 }, (_, completed) =>
      run({ completed, status: completed === 20 ? 'SUCCEEDED' : 'RUNNING' }),
    );
    expect(heard(updates)).toEqual([
      'Batch of 20 items started.',
      'Batch of 20 items: 25 % done.',
      'Batch of 20 items: 50 % done.',
      'Batch of 20 items: 75 % done.',
      'Batch of 20 items finished: 20 of 20 done.',
    ]);
  });

  it('a single question: that it is being worked on, then that it finished', () => {
    expect(heard([run({ total: 1 }), run({ total: 1, completed: 1, status: 'SUCCEEDED' })])).toEqual([
      'Working on your question.',
      'Your question finished.',
    ]);
  });

  it('a quarter jumped over is said once, and a cancelled batch says so with its failures', () => {
    expect(
      heard([
        run({}),
        run({ completed: 11, failed: 2 }),
        run({ completed: 11, failed: 2 }),
        run({ completed: 12, failed: 2, status: 'ABORTED' }),
      ]),
    ).toEqual([
      'Batch of 20 items started.',
      'Batch of 20 items: 50 % done.',
      'Batch of 20 items was cancelled: 12 of 20 done, 2 failed.',
    ]);
  });

  it('says nothing about a run that had ended before it was seen (an old session opened)', () => {
    expect(heard([run({ completed: 20, status: 'SUCCEEDED' })])).toEqual([]);
  });

  it('a run already under way when the page is reloaded says how far it is', () => {
    expect(heard([run({ completed: 6 })])).toEqual(['Batch of 20 items started, 6 done so far.']);
  });
});

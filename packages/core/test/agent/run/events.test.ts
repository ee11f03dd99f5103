import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Notifier } from '../../../src';
import { runEvents } from '../../../src/agent/run/events';
import type { ServerMessage } from '../../../src/protocol/server';

describe('runEvents', () => {
  const run = { executionId: 'e', sessionId: 's', userId: 'u' };

  it('computes percent from finished items and never goes past 100', async () => {
    const toUser = vi.fn().mockResolvedValue({ sent: 1, gone: 0, failed: 0 });
    const events = runEvents({ toUser, toConnection: vi.fn(), disconnect: vi.fn() } as Notifier, run);
    await events.progress(
      { totalItems: 3, completedItems: 1, failedItems: 0 },
      { id: 'a', status: 'SUCCEEDED', durationMs: 5 },
    );
    await events.progress(
      { totalItems: 0, completedItems: 0, failedItems: 0 },
      { id: 'b', status: 'FAILED', durationMs: 1, error: 'x' },
    );
    expect(toUser.mock.calls.map(([, m]) => m.percent)).toEqual([33.3, 100]);
  });

  it('never fails a step because an event could not be sent', async () => {
    const toUser = vi.fn().mockRejectedValue(new Error('too large'));
    await expect(
      runEvents({ toUser, toConnection: vi.fn(), disconnect: vi.fn() } as Notifier, run).step(
        'a',
        'parse',
        'started',
      ),
    ).resolves.toBeUndefined();
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

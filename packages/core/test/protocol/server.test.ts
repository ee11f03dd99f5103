import { describe, expect, it } from 'vitest';
import { ServerMessage } from '../../src/protocol';

const messageId = '6b1f9a3e-2f57-4c8b-9d1e-4f3a2b1c0d9e';

describe('server message schemas', () => {
  it('accept each server message as PROTOCOL.md shows it', () => {
    const messages = [
      { action: 'ack', messageId, executionId: 'e', sessionId: 's', totalItems: 3 },
      { action: 'step', executionId: 'e', sessionId: 's', itemId: 'a', step: 'parse', status: 'started' },
      {
        action: 'progress',
        executionId: 'e',
        sessionId: 's',
        completed: 1,
        failed: 0,
        total: 3,
        percent: 33.3,
        item: { id: 'a', status: 'SUCCEEDED', durationMs: 12 },
      },
      {
        action: 'response',
        executionId: 'e',
        sessionId: 's',
        status: 'PARTIAL',
        summary: '**2 of 3**',
        items: [
          {
            id: 'a',
            status: 'SUCCEEDED',
            output: {
              text: 't',
              tables: [{ columns: ['x'], rows: [[1]] }],
              charts: [{ kind: 'histogram', title: 'h', column: 'x', edges: [0, 1], counts: [3] }],
            },
          },
          { id: 'b', status: 'FAILED', error: 'boom' },
        ],
      },
      { action: 'pong' },
      { action: 'error', code: 'NOT_FOUND', message: 'Session x was not found.' },
      {
        action: 'executions',
        messageId: 'x1',
        executions: [
          {
            executionId: 'e',
            sessionId: 's',
            status: 'SUCCEEDED',
            totalItems: 2,
            completedItems: 2,
            failedItems: 0,
            startedAt: '2026-03-01T00:00:00.000Z',
            completedAt: '2026-03-01T00:01:00.000Z',
            input: 'profile lalonde.csv',
          },
        ],
        cursor: 'abc',
      },
      { action: 'executions', executions: [] },
    ];
    for (const message of messages) expect(ServerMessage.safeParse(message).success).toBe(true);
  });

  it('refuse an executions entry without its question or with a status no client sees', () => {
    const entry = {
      executionId: 'e',
      sessionId: 's',
      status: 'RUNNING',
      totalItems: 1,
      completedItems: 0,
      failedItems: 0,
      startedAt: '2026-03-01T00:00:00.000Z',
      input: 'q',
    };
    const listing = (executions: unknown[]) => ServerMessage.safeParse({ action: 'executions', executions });
    expect(listing([entry]).success).toBe(true);
    expect(listing([{ ...entry, input: undefined }]).success).toBe(false);
    expect(listing([{ ...entry, status: 'PENDING' }]).success).toBe(false);
  });

  it('refuse an error code outside the closed set', () => {
    expect(ServerMessage.safeParse({ action: 'error', code: 'TEAPOT', message: 'x' }).success).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import {
  type ExecutionRecord,
  executionMessage,
  fitsOneMessage,
  type ItemRecord,
  limits,
  PayloadTooLargeError,
  responseMessage,
  titleFrom,
} from '../../src';

const execution: ExecutionRecord = {
  executionId: 'e',
  messageId: 'm',
  userId: 'u',
  tenantId: 't',
  sessionId: 's',
  status: 'PENDING',
  totalItems: 0,
  completedItems: 0,
  failedItems: 0,
  startedAt: '2026-01-01T00:00:00.000Z',
  requestHash: 'h',
  request: { content: 'q', maxConcurrency: 10 },
};

const item = (i: number, chartPoints: number, textChars = 10): ItemRecord => ({
  executionId: 'e',
  itemId: `i${i}`,
  index: i,
  input: 'x',
  status: 'SUCCEEDED',
  durationMs: 1,
  output: {
    text: 't'.repeat(textChars),
    charts: [
      {
        kind: 'histogram',
        title: 'h',
        column: 'c',
        edges: Array(chartPoints).fill(1.5),
        counts: Array(chartPoints).fill(7),
      },
    ],
  },
});

describe('execution and response views', () => {
  it('show a PENDING execution as RUNNING: clients never see the internal state', () => {
    expect(executionMessage(execution, []).status).toBe('RUNNING');
  });

  it('name the datasets each answer read: those of the tool calls that got a result, once each', () => {
    const call = (toolUseId: string, datasetId: string) => ({
      toolUseId,
      name: 'describe_dataset',
      input: { datasetId },
    });
    const answered: ItemRecord = {
      ...item(0, 1),
      turns: {
        '000-model': {
          kind: 'model',
          turn: 0,
          decision: { kind: 'tool', calls: [call('a', 'churn.csv'), call('b', 'missing.csv')] },
        },
        '000-tool': {
          kind: 'tool',
          turn: 0,
          toolUseId: 'a',
          name: 'describe_dataset',
          ok: true,
          observation: '{}',
        },
        '000-tool-01': {
          kind: 'tool',
          turn: 0,
          toolUseId: 'b',
          name: 'describe_dataset',
          ok: false,
          observation: 'There is no dataset named missing.csv.',
        },
        '001-model': { kind: 'model', turn: 1, decision: { kind: 'tool', calls: [call('c', 'churn.csv')] } },
        '001-tool': {
          kind: 'tool',
          turn: 1,
          toolUseId: 'c',
          name: 'describe_dataset',
          ok: true,
          observation: '{}',
        },
        '002-model': { kind: 'model', turn: 2, decision: { kind: 'final', text: 'done' } },
      },
    };
    expect(executionMessage(execution, [answered]).items[0]?.datasets).toEqual(['churn.csv']);
    expect(responseMessage(execution, [answered], 'SUCCEEDED', 'done').items[0]?.datasets).toEqual([
      'churn.csv',
    ]);
    // An item that read no dataset (a listing, a refusal) names none.
    expect(executionMessage(execution, [{ ...answered, turns: {} }]).items[0]).not.toHaveProperty('datasets');
  });

  it('keep full outputs when they fit', () => {
    const message = executionMessage(execution, [item(0, 10)]);
    expect(message.items[0]?.output?.charts).toHaveLength(1);
    expect(message).not.toHaveProperty('outputsOmitted');
  });

  it('drop charts and tables first, keeping the text, when 500 rich outputs would not fit one message', () => {
    const items = Array.from({ length: 500 }, (_, i) => item(i, 40));
    const message = executionMessage({ ...execution, totalItems: 500 }, items);
    expect(fitsOneMessage(message)).toBe(true);
    expect(message.outputsOmitted).toBe(true);
    expect(message.items[499]?.output).toEqual({ text: 't'.repeat(10) });
  });

  it('drop outputs altogether when even the texts would not fit', () => {
    const items = Array.from({ length: 100 }, (_, i) => item(i, 1, 2000));
    const response = responseMessage(execution, items, 'SUCCEEDED', 'ok');
    expect(fitsOneMessage(response)).toBe(true);
    expect(response.items[0]).toEqual({ id: 'i0', status: 'SUCCEEDED' });
  });

  it('refuse a message that cannot fit even without outputs', () => {
    expect(() => responseMessage(execution, [], 'FAILED', 's'.repeat(limits.serverMessageBytes))).toThrow(
      PayloadTooLargeError,
    );
  });
});

describe('titleFrom', () => {
  it('uses the first line', () => {
    expect(titleFrom('  Profile churn.csv \nand more')).toBe('Profile churn.csv');
  });

  it('shortens a long line at a word boundary', () => {
    const title = titleFrom(`${'word '.repeat(30)}end`, 40);
    expect(title.length).toBeLessThanOrEqual(40);
    expect(title).toMatch(/word…$/);
  });

  it('cuts a long line without spaces', () => {
    expect(titleFrom('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

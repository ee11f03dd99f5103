import type { ServerMessage, ServerMessageOf } from '@cascade/core/protocol';
import { describe, expect, it } from 'vitest';
import {
  type ChatState,
  chatReducer,
  initialChatState,
  latestRun,
  liveText,
  mergeSnapshot,
  refusalSentence,
} from '../src/state/chat';

const ids = { executionId: 'e1', sessionId: 's1' };
const server = (state: ChatState, message: ServerMessage) => chatReducer(state, { type: 'server', message });
/** The answer to `sessions.list`: the first page, or an older one. */
const listed = (state: ChatState, answer: Omit<ServerMessageOf<'sessions'>, 'action'>, older = false) =>
  chatReducer(state, { type: 'sessionsListed', answer: { action: 'sessions', ...answer }, older });
/** The answer to `session.history`: the newest page, or an earlier one. */
const loaded = (state: ChatState, answer: Omit<ServerMessageOf<'history'>, 'action'>, earlier = false) =>
  chatReducer(state, { type: 'historyLoaded', answer: { action: 'history', ...answer }, earlier });
const progress = (completed: number, id: string, status: 'SUCCEEDED' | 'FAILED' | 'RUNNING' = 'SUCCEEDED') =>
  ({
    action: 'progress',
    ...ids,
    completed,
    failed: status === 'FAILED' ? 1 : 0,
    total: 3,
    percent: Math.round((100 * completed) / 3),
    item: { id, status, durationMs: 10 * completed, ...(status === 'FAILED' && { error: 'no such column' }) },
  }) satisfies ServerMessageOf<'progress'>;

function started(): ChatState {
  let state = chatReducer(initialChatState, {
    type: 'querySent',
    at: '2026-11-22T10:00:00.000Z',
    query: {
      messageId: 'm1',
      content: 'Batch of 3 items',
      batch: true,
      items: [
        { id: 'a', input: 'one' },
        { id: 'b', input: 'two' },
        { id: 'c', input: 'three' },
      ],
    },
  });
  state = server(state, { action: 'ack', messageId: 'm1', ...ids, totalItems: 3 });
  return state;
}

const snapshot = (overrides: Partial<ServerMessageOf<'execution'>> = {}): ServerMessageOf<'execution'> => ({
  action: 'execution',
  ...ids,
  status: 'RUNNING',
  totalItems: 3,
  completedItems: 1,
  failedItems: 0,
  startedAt: '2026-11-22T10:00:00.000Z',
  items: [
    { id: 'a', status: 'SUCCEEDED', durationMs: 40 },
    { id: 'b', status: 'RUNNING', step: 'describe_dataset' },
    { id: 'c', status: 'PENDING' },
  ],
  ...overrides,
});

/** The final `response` of run e1; `overrides` change what it says. */
const response = (overrides: Partial<ServerMessageOf<'response'>> = {}): ServerMessageOf<'response'> => ({
  action: 'response',
  ...ids,
  status: 'SUCCEEDED',
  summary: 'done',
  items: [],
  ...overrides,
});

describe('the chat reducer', () => {
  it('opens the new session from the ack and lists the batch items as pending, in order', () => {
    const state = started();
    expect(state.activeSessionId).toBe('s1');
    expect(state.pending).toEqual({});
    expect(state.turns[0]).toMatchObject({ key: 'm1', role: 'user', executionId: 'e1' });
    const run = latestRun(state)!;
    expect(run.order).toEqual(['a', 'b', 'c']);
    expect(Object.values(run.items).map((i) => i.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);
  });

  it('records steps as they happen, folding a step that finishes into its start', () => {
    let state = started();
    for (const [step, status] of [
      ['parse', 'started'],
      ['parse', 'succeeded'],
      ['model', 'started'],
      ['model', 'succeeded'],
      ['profile', 'started'],
      ['profile', 'failed'],
    ] as const)
      state = server(state, { action: 'step', ...ids, itemId: 'b', step, status });
    const item = state.runs.e1!.items.b!;
    expect(item.status).toBe('RUNNING');
    expect(item.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
      'parse:succeeded',
      'model:succeeded',
      'profile:failed',
    ]);
  });

  it('counts an item once however often its progress arrives, and never moves counts or items backwards', () => {
    let state = started();
    state = server(state, progress(2, 'b'));
    state = server(state, progress(1, 'a'));
    state = server(state, progress(1, 'a'));
    state = server(state, { action: 'step', ...ids, itemId: 'a', step: 'append', status: 'started' });
    const run = state.runs.e1!;
    expect(run.completed).toBe(2);
    expect(run.items.a!.status).toBe('SUCCEEDED');
    expect(run.order).toEqual(['a', 'b', 'c']);
  });

  it('after a reconnect, takes the server snapshot: missed items appear, nothing is duplicated', () => {
    let state = started();
    state = server(state, { action: 'step', ...ids, itemId: 'b', step: 'parse', status: 'started' });
    // Offline: the server finished a and c (failed) meanwhile.
    state = server(
      state,
      snapshot({
        completedItems: 2,
        failedItems: 1,
        items: [
          { id: 'a', status: 'SUCCEEDED', durationMs: 40 },
          { id: 'b', status: 'RUNNING', step: 'model' },
          { id: 'c', status: 'FAILED', durationMs: 5, error: 'no such dataset' },
        ],
      }),
    );
    const run = state.runs.e1!;
    expect(run).toMatchObject({ status: 'RUNNING', completed: 2, failed: 1, total: 3 });
    expect(run.order).toEqual(['a', 'b', 'c']);
    expect(run.items.c).toMatchObject({ status: 'FAILED', error: 'no such dataset' });
    expect(run.items.b!.steps).toEqual([{ name: 'parse', status: 'started' }]);
    // The same snapshot again changes nothing.
    expect(server(state, snapshot({ completedItems: 2, failedItems: 1, items: [] })).runs.e1!.completed).toBe(
      2,
    );
  });

  it('keeps what it saw finish when a snapshot read earlier says it is still running', () => {
    let state = started();
    state = server(state, progress(1, 'b'));
    state = server(state, snapshot({ completedItems: 1, items: [{ id: 'b', status: 'RUNNING' }] }));
    expect(state.runs.e1!.items.b!.status).toBe('SUCCEEDED');
    expect(state.runs.e1!.completed).toBe(1);
  });

  it('builds a run it never saw start (a reload, or another tab) from the snapshot', () => {
    const run = mergeSnapshot(undefined, snapshot());
    expect(run).toMatchObject({ executionId: 'e1', status: 'RUNNING', total: 3, completed: 1 });
    expect(run.items.b!.steps).toEqual([{ name: 'describe_dataset', status: 'started' }]);
  });

  it('ends the run with the response, adds the answer once, and keeps an ended run ended', () => {
    let state = started();
    const partial = response({
      status: 'PARTIAL',
      summary: '**2 of 3 items succeeded**',
      items: [
        { id: 'a', status: 'SUCCEEDED', output: { text: 'A' } },
        { id: 'b', status: 'SUCCEEDED', output: { text: 'B' } },
        { id: 'c', status: 'FAILED', error: 'boom' },
      ],
    });
    state = server(state, partial);
    state = server(state, partial);
    state = server(state, snapshot({ status: 'RUNNING', outputsOmitted: true, items: [] }));
    const run = state.runs.e1!;
    expect(run).toMatchObject({ status: 'PARTIAL', completed: 3, failed: 1 });
    expect(run.items.a!.output).toEqual({ text: 'A' });
    expect(state.turns.filter((t) => t.role === 'assistant')).toHaveLength(1);
  });

  it('counts what changes a session (a run starting or ending), not snapshots of runs already ended', () => {
    let state = started();
    expect(state.sessionChanges).toBe(1);
    // The same ack again (a resent question) starts nothing new.
    state = server(state, { action: 'ack', messageId: 'm1', ...ids, totalItems: 3 });
    state = server(state, progress(1, 'a'));
    state = server(state, snapshot());
    expect(state.sessionChanges).toBe(1);
    // A run this client held as running, ended in a snapshot.
    state = server(state, snapshot({ status: 'SUCCEEDED', completedItems: 3, items: [] }));
    expect(state.sessionChanges).toBe(2);
    // A session's past runs, fetched when it opens: already ended, so the list is unchanged.
    for (let i = 0; i < 20; i++)
      state = server(state, snapshot({ executionId: `past-${i}`, status: 'SUCCEEDED', items: [] }));
    state = server(state, snapshot({ executionId: 'past-0', status: 'FAILED', items: [] }));
    expect(state.sessionChanges).toBe(2);
    // A run started in another tab, then its answer.
    state = server(state, {
      action: 'step',
      executionId: 'e2',
      sessionId: 's1',
      itemId: '1',
      step: 'parse',
      status: 'started',
    });
    expect(state.sessionChanges).toBe(3);
    const answer = response({
      executionId: 'e2',
      items: [{ id: '1', status: 'SUCCEEDED', output: { text: 'A' } }],
    });
    state = server(state, answer);
    expect(state.sessionChanges).toBe(4);
    state = server(state, answer);
    expect(state.sessionChanges).toBe(4);
  });

  it('merges history with its own turns by message id and execution id', () => {
    let state = started();
    state = server(state, response());
    state = loaded(state, {
      sessionId: 's1',
      messages: [
        {
          messageId: 'm1',
          role: 'user',
          content: 'Batch of 3 items',
          createdAt: '2026-11-22T10:00:00.000Z',
          executionId: 'e1',
        },
        {
          messageId: 'm2',
          role: 'assistant',
          content: 'done',
          createdAt: '2026-11-22T10:00:05.000Z',
          executionId: 'e1',
        },
      ],
    });
    expect(state.turns.map((t) => t.key)).toEqual(['m1', 'm2']);
  });

  it('gives a refused question back to the composer with a sentence, and shows other errors as a notice', () => {
    let state = chatReducer(initialChatState, {
      type: 'querySent',
      at: '2026-11-22T10:00:00.000Z',
      query: { messageId: 'm9', content: 'hi', batch: false, items: [{ id: '1', input: 'hi' }] },
    });
    state = server(state, {
      action: 'error',
      messageId: 'm9',
      code: 'CONFLICT',
      message: 'A run is already going.',
    });
    // Nothing of it was kept: it leaves the conversation, and comes back to be sent again.
    expect(state.turns).toEqual([]);
    expect(state.returned).toEqual({
      query: { messageId: 'm9', content: 'hi', batch: false, items: [{ id: '1', input: 'hi' }] },
      reason: 'A run is already going.',
    });
    expect(state.pending).toEqual({});
    expect(
      refusalSentence({
        action: 'error',
        code: 'BAD_REQUEST',
        message: 'Invalid payload.items.0.input: must be at most 2000 characters.',
        details: {
          field: 'payload.items.0.input',
          issues: [{ field: 'payload.items.0.input', message: 'must be at most 2000 characters' }],
        },
      }),
    ).toBe(
      'The question could not be sent as written: must be at most 2000 characters. Change it and send it again.',
    );
    state = server(state, { action: 'error', code: 'RATE_LIMITED', message: 'Slow down.' });
    expect(state.notice).toBe('Slow down.');
  });

  it("closes a session the server will not open (another account's link) instead of loading it forever", () => {
    const sessionId = '00000000-0000-4000-8000-00000000abcd';
    let state = chatReducer(initialChatState, { type: 'sessionOpened', sessionId });
    expect(state.historyLoading).toBe(true);
    state = chatReducer(state, {
      type: 'historyRefused',
      sessionId,
      error: { action: 'error', code: 'NOT_FOUND', message: `Session ${sessionId} was not found.` },
    });
    expect(state).toMatchObject({ historyLoading: false, turns: [] });
    expect(state.activeSessionId).toBeUndefined();
    expect(state.notice).toBe(
      'That conversation was not found: it may belong to another account. A new one is open.',
    );
    // A refusal for a session no longer open leaves the open one alone.
    state = chatReducer(state, { type: 'sessionOpened', sessionId: 's2' });
    state = chatReducer(state, {
      type: 'historyRefused',
      sessionId,
      error: { action: 'error', code: 'INTERNAL', message: 'Try again.' },
    });
    expect(state).toMatchObject({ activeSessionId: 's2', historyLoading: true, notice: 'Try again.' });
  });

  it('lists sessions newest first and sample datasets first', () => {
    let state = listed(initialChatState, {
      sessions: [
        {
          sessionId: 'old',
          title: 'Old',
          createdAt: '2026-01-01T00:00:00Z',
          updatedAt: '2026-01-01T00:00:00Z',
        },
        {
          sessionId: 'new',
          title: 'New',
          createdAt: '2026-01-02T00:00:00Z',
          updatedAt: '2026-11-01T00:00:00Z',
        },
      ],
    });
    state = server(state, {
      action: 'datasets',
      datasets: [
        { id: 'mine.csv', name: 'mine.csv', sizeBytes: 10, sample: false },
        { id: 'churn.csv', name: 'churn.csv', sizeBytes: 10, sample: true },
      ],
    });
    expect(state.sessions.map((s) => s.sessionId)).toEqual(['new', 'old']);
    expect(state.datasets.map((d) => d.id)).toEqual(['churn.csv', 'mine.csv']);
  });
});

describe('older pages', () => {
  const session = (sessionId: string, day: number) => ({
    sessionId,
    title: sessionId,
    createdAt: `2026-11-${String(day).padStart(2, '0')}T00:00:00Z`,
    updatedAt: `2026-11-${String(day).padStart(2, '0')}T00:00:00Z`,
  });
  const message = (messageId: string, minute: number) => ({
    messageId,
    role: 'user' as const,
    content: messageId,
    createdAt: `2026-11-22T10:${String(minute).padStart(2, '0')}:00.000Z`,
  });

  it('adds older sessions below, and keeps them when the first page is listed again', () => {
    let state = listed(initialChatState, { sessions: [session('d', 4), session('c', 3)], cursor: 'page2' });
    expect(state.sessionsCursor).toBe('page2');
    state = chatReducer(state, { type: 'pageRequested', of: 'sessions' });
    expect(state.loadingOlderSessions).toBe(true);
    state = listed(state, { sessions: [session('b', 2), session('a', 1)] }, true);
    expect(state.sessions.map((s) => s.sessionId)).toEqual(['d', 'c', 'b', 'a']);
    expect(state.sessionsCursor).toBeUndefined();
    expect(state.loadingOlderSessions).toBe(false);
    // A run in "a" moves it to the top of the first page; the older pages stay listed, once each.
    state = listed(state, { sessions: [session('a', 5), session('d', 4)], cursor: 'page2-again' });
    expect(state.sessions.map((s) => s.sessionId)).toEqual(['a', 'd', 'c', 'b']);
    expect(state.sessionsCursor).toBeUndefined();
  });

  it('puts earlier messages above, keeping the cursor to older ones across a refresh of the newest page', () => {
    let state = chatReducer(initialChatState, { type: 'sessionOpened', sessionId: 's1' });
    state = loaded(state, {
      sessionId: 's1',
      messages: [message('m3', 3), message('m4', 4)],
      cursor: 'older1',
    });
    expect(state.historyCursor).toBe('older1');
    state = chatReducer(state, { type: 'pageRequested', of: 'history' });
    state = loaded(
      state,
      { sessionId: 's1', messages: [message('m1', 1), message('m2', 2)], cursor: 'older2' },
      true,
    );
    expect(state.turns.map((t) => t.key)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(state.loadingEarlier).toBe(false);
    // A reconnect asks for the newest page again: the way further back stays where it was.
    state = loaded(state, { sessionId: 's1', messages: [message('m4', 4)], cursor: 'older1' });
    expect(state.historyCursor).toBe('older2');
    expect(state.turns).toHaveLength(4);
    // Another session starts from its own newest page.
    state = chatReducer(state, { type: 'sessionOpened', sessionId: 's2' });
    expect(state.historyCursor).toBeUndefined();
    expect(state.earlierLoaded).toBe(false);
  });

  it('says why an older page could not be loaded, and lets the person try again', () => {
    let state = chatReducer(initialChatState, { type: 'pageRequested', of: 'history' });
    state = chatReducer(state, { type: 'pageFailed', of: 'history', reason: 'The cursor is not valid.' });
    expect(state.loadingEarlier).toBe(false);
    expect(state.notice).toBe('The cursor is not valid.');
    state = chatReducer(state, { type: 'pageRequested', of: 'sessions' });
    state = chatReducer(state, { type: 'pageFailed', of: 'sessions', reason: 'Try again.' });
    expect(state.loadingOlderSessions).toBe(false);
    expect(state.notice).toBe('Try again.');
  });
});

describe('answers as the model writes them', () => {
  const single = () => {
    let state = chatReducer(initialChatState, {
      type: 'querySent',
      at: '2026-11-22T10:00:00.000Z',
      query: { messageId: 'q1', content: 'why?', batch: false, items: [{ id: '1', input: 'why?' }] },
    });
    state = server(state, { action: 'ack', messageId: 'q1', ...ids, totalItems: 1 });
    return state;
  };
  const delta = (turn: number, text: string, itemId = '1') =>
    ({ action: 'delta', ...ids, itemId, turn, text }) satisfies ServerMessageOf<'delta'>;
  const live = (state: ChatState, itemId = '1') => liveText(state.runs.e1!, state.runs.e1!.items[itemId]!);

  it('joins the pieces of one turn, and marks the item running', () => {
    let state = single();
    state = server(state, delta(1, 'Earnings '));
    state = server(state, delta(1, 'rose by **12 %**.'));
    expect(live(state)).toBe('Earnings rose by **12 %**.');
    expect(state.runs.e1!.items['1']!.status).toBe('RUNNING');
  });

  it('starts over with a later turn, and drops a late piece of an earlier one', () => {
    let state = single();
    state = server(state, delta(1, 'Let me look at the columns first.'));
    state = server(state, delta(2, 'The mean '));
    expect(live(state)).toBe('The mean ');
    state = server(state, delta(1, ' and then the rows.'));
    state = server(state, delta(2, 'is 4.2.'));
    expect(live(state)).toBe('The mean is 4.2.');
  });

  it('stops showing the streamed text once the output arrives, and ignores pieces after it', () => {
    let state = single();
    state = server(state, delta(1, 'The mean is'));
    state = server(
      state,
      response({
        summary: 'The mean is 4.2.',
        items: [{ id: '1', status: 'SUCCEEDED', output: { text: 'The mean is 4.2.' } }],
      }),
    );
    state = server(state, delta(1, ' 4.2.'));
    const item = state.runs.e1!.items['1']!;
    expect(item.streamed).toBeUndefined();
    expect(live(state)).toBeUndefined();
    expect(state.turns.filter((t) => t.role === 'assistant').map((t) => t.content)).toEqual([
      'The mean is 4.2.',
    ]);
  });

  it('stops showing it when the item finishes without an output, or the run ends', () => {
    let state = started();
    state = server(state, delta(1, 'Thinking about a', 'a'));
    state = server(state, delta(1, 'Thinking about b', 'b'));
    state = server(state, progress(1, 'a', 'FAILED'));
    expect(live(state, 'a')).toBeUndefined();
    expect(live(state, 'b')).toBe('Thinking about b');
    state = server(state, snapshot({ status: 'ABORTED', items: [] }));
    expect(live(state, 'b')).toBeUndefined();
  });

  it('builds a run it never saw start from a piece of its answer', () => {
    const state = server(initialChatState, delta(3, 'Hello'));
    const run = state.runs.e1!;
    expect(run.order).toEqual(['1']);
    expect(run.items['1']).toMatchObject({ status: 'RUNNING', streamed: { turn: 3, text: 'Hello' } });
    expect(state.sessionChanges).toBe(1);
  });
});

describe('who answered and what it cost', () => {
  const usage = { inputTokens: 4_400, outputTokens: 90, modelCalls: 2, cacheReadTokens: 1_500 };
  const answeredBy = { provider: 'bedrock', model: 'amazon.nova-pro-v1:0' };

  it('keeps the usage and the answerer of the run and of each item from the response', () => {
    let state = started();
    state = server(
      state,
      response({
        items: [
          {
            id: 'a',
            status: 'SUCCEEDED',
            output: { text: 'A' },
            usage: { inputTokens: 1_000, outputTokens: 40, modelCalls: 1 },
            datasets: ['churn.csv'],
          },
        ],
        usage,
        answeredBy,
      }),
    );
    const run = state.runs.e1!;
    expect(run.items.a!.datasets).toEqual(['churn.csv']);
    expect(run.usage).toEqual(usage);
    expect(run.answeredBy).toEqual(answeredBy);
    expect(run.items.a!.usage).toEqual({ inputTokens: 1_000, outputTokens: 40, modelCalls: 1 });
    // A snapshot from an older server, without them, forgets nothing.
    state = server(state, snapshot({ status: 'SUCCEEDED', items: [{ id: 'a', status: 'SUCCEEDED' }] }));
    expect(state.runs.e1!.usage).toEqual(usage);
    expect(state.runs.e1!.items.a!.usage).toEqual({ inputTokens: 1_000, outputTokens: 40, modelCalls: 1 });
    expect(state.runs.e1!.items.a!.datasets).toEqual(['churn.csv']);
    // A reload takes them from the snapshot.
    expect(
      mergeSnapshot(
        undefined,
        snapshot({ items: [{ id: 'a', status: 'SUCCEEDED', datasets: ['lalonde.csv'] }] }),
      ).items.a!.datasets,
    ).toEqual(['lalonde.csv']);
  });

  it('takes them from a snapshot too', () => {
    const run = mergeSnapshot(
      undefined,
      snapshot({
        status: 'SUCCEEDED',
        usage,
        answeredBy,
        items: [{ id: 'a', status: 'SUCCEEDED', usage: { inputTokens: 3, outputTokens: 2, modelCalls: 1 } }],
      }),
    );
    expect(run.usage).toEqual(usage);
    expect(run.answeredBy).toEqual(answeredBy);
    expect(run.items.a!.usage).toEqual({ inputTokens: 3, outputTokens: 2, modelCalls: 1 });
  });
});

describe("what a run's details are drawn from", () => {
  const cost = {
    usd: 0.0004,
    estimate: true as const,
    region: 'us-east-1',
    lines: [{ service: 'Lambda requests', quantity: 9, unit: 'requests', usd: 0.0000018 }],
  };
  const parsed = {
    node: 'Parse' as const,
    outcome: 'ok' as const,
    startedAt: '2026-11-22T10:00:00.010Z',
    durationMs: 12,
  };

  it("keeps a snapshot's steps, times and cost, and drops the flag once a snapshot has the steps again", () => {
    let state = started();
    state = server(
      state,
      snapshot({
        stepsOmitted: true,
        items: [
          { id: 'a', status: 'RUNNING' },
          { id: 'b', status: 'PENDING' },
          { id: 'c', status: 'PENDING' },
        ],
      }),
    );
    expect(latestRun(state)).toMatchObject({ stepsOmitted: true, startedAt: '2026-11-22T10:00:00.000Z' });
    state = server(
      state,
      snapshot({
        status: 'PARTIAL',
        completedAt: '2026-11-22T10:00:09.000Z',
        cost,
        items: [
          { id: 'a', status: 'SUCCEEDED', steps: [parsed] },
          { id: 'b', status: 'FAILED', error: 'boom' },
          { id: 'c', status: 'PENDING' },
        ],
      }),
    );
    const run = latestRun(state)!;
    expect(run).toMatchObject({ stepsOmitted: false, completedAt: '2026-11-22T10:00:09.000Z', cost });
    expect(run.items.a!.trace).toEqual([parsed]);
    expect(run.items.b!.trace).toBeUndefined();
  });

  it('counts the live step and progress events of a run, so an open view knows to ask again', () => {
    let state = started();
    state = server(state, { action: 'step', ...ids, itemId: 'a', step: 'parse', status: 'started' });
    state = server(state, progress(1, 'a'));
    expect(latestRun(state)!.events).toBe(2);
    state = server(state, snapshot());
    expect(latestRun(state)!.events).toBe(2);
  });
});

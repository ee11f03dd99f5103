import type {
  AnsweredBy,
  Cost,
  DatasetSummary,
  ExecutionStatus,
  HistoryEntry,
  ItemOutput,
  ItemStatus,
  QueryItem,
  ServerMessage,
  ServerMessageOf,
  SessionSummary,
  StepStatus,
  TraceStep,
  Usage,
} from '@cascade/core/protocol';

export interface Step {
  name: string;
  status: StepStatus;
  detail?: string;
}

export interface RunItem {
  id: string;
  input?: string;
  status: ItemStatus;
  durationMs?: number;
  error?: string;
  output?: ItemOutput;
  usage?: Usage;
  /** The datasets the answer was computed from, as the server names them. */
  datasets?: string[];
  /** The answer as the model writes it, for the latest turn seen; dropped once the item has its output. */
  streamed?: { turn: number; text: string };
  /** The agent's steps as this client saw them happen (not kept by the server). */
  steps: Step[];
  /** Its path through the agent's graph as the server recorded it (`execution.get`), timed. */
  trace?: TraceStep[];
}

export interface Run {
  executionId: string;
  sessionId: string;
  status: ExecutionStatus;
  total: number;
  completed: number;
  failed: number;
  /** Items by id, so an event seen twice (live and in a snapshot) is counted once. */
  items: Record<string, RunItem>;
  order: string[];
  summary?: string;
  outputsOmitted?: boolean;
  usage?: Usage;
  /** Absent on runs from before the server said who answered. */
  answeredBy?: AnsweredBy;
  /** From `execution.get`: when the run started and ended, and what it cost so far. */
  startedAt?: string;
  completedAt?: string;
  cost?: Cost;
  /** The last snapshot left the items' steps out (a batch too large for one message). */
  stepsOmitted?: boolean;
  /** Live `step` and `progress` events seen: a view of the server's record refreshes when it moves. */
  events?: number;
  /**
   * Its items, their order and questions are all known: it was asked here, or fetched whole. A run
   * first seen through a live event (after a reload, or from another tab) is fetched whole once.
   */
  whole?: boolean;
}

export interface Turn {
  /** The message id: the client's for its own questions, the server's for history. */
  key: string;
  role: 'user' | 'assistant';
  content: string;
  executionId?: string;
  createdAt: string;
}

export interface PendingQuery {
  messageId: string;
  sessionId?: string;
  content: string;
  items: QueryItem[];
  /** A batch sends its items; a single question sends only its content (the server makes item "1"). */
  batch: boolean;
  datasetId?: string;
}

export interface ChatState {
  sessions: SessionSummary[];
  sessionsLoaded: boolean;
  /** Leads to older sessions than those listed; absent when the list is complete. */
  sessionsCursor?: string;
  /** Older pages of sessions were loaded: a refresh of the first page then adds to the list. */
  olderSessionsLoaded: boolean;
  loadingOlderSessions: boolean;
  /** The open session; undefined while a new one is being started. */
  activeSessionId?: string;
  turns: Turn[];
  historyLoading: boolean;
  /** Leads to messages of the open session older than those shown. */
  historyCursor?: string;
  /** Earlier pages of the open session were loaded: a refresh of the newest page keeps their cursor. */
  earlierLoaded: boolean;
  loadingEarlier: boolean;
  runs: Record<string, Run>;
  datasets: DatasetSummary[];
  datasetsLoaded: boolean;
  /** Questions sent and not yet acknowledged, by messageId (resent after a reconnect). */
  pending: Record<string, PendingQuery>;
  /** The last question the server refused, given back to the composer with the reason. */
  returned?: { query: PendingQuery; reason: string };
  notice?: string;
  /**
   * Bumped whenever what this client saw changes a session in the list: a run started (live) or a
   * run it saw running ended. Snapshots of runs that had already ended (a session's past runs) leave it.
   */
  sessionChanges: number;
}

export const initialChatState: ChatState = {
  sessions: [],
  sessionsLoaded: false,
  olderSessionsLoaded: false,
  loadingOlderSessions: false,
  turns: [],
  historyLoading: false,
  earlierLoaded: false,
  loadingEarlier: false,
  runs: {},
  datasets: [],
  datasetsLoaded: false,
  pending: {},
  sessionChanges: 0,
};

export type ChatAction =
  | { type: 'server'; message: ServerMessage }
  | { type: 'querySent'; query: PendingQuery; at: string }
  | { type: 'sessionOpened'; sessionId?: string }
  /** An older page of sessions or of the open session's messages was asked for. */
  | { type: 'pageRequested'; of: Page }
  /** The answer to `sessions.list`: the first page, or (`older`) the one its cursor led to. */
  | { type: 'sessionsListed'; answer: ServerMessageOf<'sessions'>; older: boolean }
  /** The answer to `session.history`: the newest page, or (`earlier`) the one its cursor led to. */
  | { type: 'historyLoaded'; answer: ServerMessageOf<'history'>; earlier: boolean }
  /** A request for an older page went unanswered or was refused; `reason` says why. */
  | { type: 'pageFailed'; of: Page; reason: string }
  /** The server refused the history of `sessionId` (another account's link, or deleted). */
  | { type: 'historyRefused'; sessionId: string; error: ServerMessageOf<'error'> }
  | { type: 'notice'; text?: string };

/** Which list an older page belongs to: the sessions, or the open session's messages. */
export type Page = 'sessions' | 'history';

const finalItem = (status: ItemStatus) => status === 'SUCCEEDED' || status === 'FAILED';
export const runEnded = (status: ExecutionStatus) => status !== 'RUNNING';
const itemRank: Record<ItemStatus, number> = { PENDING: 0, RUNNING: 1, SUCCEEDED: 2, FAILED: 2 };

function newRun(executionId: string, sessionId: string, total: number, items: QueryItem[] = []): Run {
  const run: Run = {
    executionId,
    sessionId,
    status: 'RUNNING',
    total,
    completed: 0,
    failed: 0,
    items: {},
    order: [],
  };
  for (const item of items) {
    run.items[item.id] = { id: item.id, input: item.input, status: 'PENDING', steps: [] };
    run.order.push(item.id);
  }
  return run;
}

/** An item with its output, or finished, shows the authoritative answer: the streamed draft goes. */
const settled = (item: RunItem) => finalItem(item.status) || item.output !== undefined;

function withItem(run: Run, id: string, change: (item: RunItem) => RunItem): Run {
  const existing = run.items[id] ?? { id, status: 'PENDING', steps: [] };
  const order = run.items[id] ? run.order : [...run.order, id];
  let next = change(existing);
  if (next.streamed && settled(next)) {
    const { streamed: _, ...rest } = next;
    next = rest;
  }
  return { ...run, items: { ...run.items, [id]: next }, order };
}

/** Counts from the items themselves: a snapshot or an event can only move them forward. */
function recount(run: Run): Run {
  const items = Object.values(run.items);
  const done = items.filter((i) => finalItem(i.status)).length;
  const failed = items.filter((i) => i.status === 'FAILED').length;
  return {
    ...run,
    completed: Math.min(run.total || Number.POSITIVE_INFINITY, Math.max(run.completed, done)),
    failed: Math.max(run.failed, failed),
  };
}

/** An item's status only moves forward (PENDING → RUNNING → finished), whatever order events arrive in. */
function advance(item: RunItem, status: ItemStatus): ItemStatus {
  return itemRank[status] >= itemRank[item.status] ? status : item.status;
}

function addStep(steps: Step[], step: Step): Step[] {
  if (step.status !== 'started') {
    for (let i = steps.length - 1; i >= 0; i--) {
      const seen = steps[i]!;
      if (seen.name === step.name && seen.status === 'started') {
        const next = steps.slice();
        next[i] = step;
        return next;
      }
    }
  }
  return [...steps, step].slice(-60);
}

const counted = (run: Run): Run => ({ ...run, events: (run.events ?? 0) + 1 });

function onStep(run: Run, message: ServerMessageOf<'step'>): Run {
  return withItem(counted(run), message.itemId, (item) => ({
    ...item,
    status: advance(item, 'RUNNING'),
    steps: addStep(item.steps, {
      name: message.step,
      status: message.status,
      ...(message.detail && { detail: message.detail }),
    }),
  }));
}

/**
 * Pieces of one turn join; a later turn's first piece replaces the text (what came before was the
 * model thinking aloud before a tool call); a piece of an earlier turn arrived late and is dropped.
 */
function onDelta(run: Run, message: ServerMessageOf<'delta'>): Run {
  if (run.items[message.itemId] && settled(run.items[message.itemId]!)) return run;
  return withItem(run, message.itemId, (item) => {
    const seen = item.streamed;
    if (seen && message.turn < seen.turn) return item;
    const text = seen && seen.turn === message.turn ? seen.text + message.text : message.text;
    return { ...item, status: advance(item, 'RUNNING'), streamed: { turn: message.turn, text } };
  });
}

/** The one item of a single question's run (or of a batch of one). */
export function onlyItem(run: Run): RunItem | undefined {
  return run.order.length === 1 ? run.items[run.order[0]!] : undefined;
}

/** The streamed text to show for an item: only while it and its run are still going. */
export function liveText(run: Run, item: RunItem): string | undefined {
  if (runEnded(run.status) || settled(item)) return undefined;
  return item.streamed?.text || undefined;
}

function onProgress(run: Run, message: ServerMessageOf<'progress'>): Run {
  const next = withItem(counted({ ...run, total: message.total || run.total }), message.item.id, (item) => ({
    ...item,
    status: advance(item, message.item.status),
    durationMs: message.item.durationMs,
    ...(message.item.error !== undefined && { error: message.item.error }),
  }));
  return recount({
    ...next,
    completed: Math.max(run.completed, message.completed),
    failed: Math.max(run.failed, message.failed),
  });
}

function onResponse(run: Run, message: ServerMessageOf<'response'>): Run {
  let next: Run = {
    ...run,
    status: message.status,
    summary: message.summary,
    ...(message.usage && { usage: message.usage }),
    ...(message.answeredBy && { answeredBy: message.answeredBy }),
  };
  for (const item of message.items) {
    next = withItem(next, item.id, (local) => ({
      ...local,
      status: item.status,
      ...(item.error !== undefined && { error: item.error }),
      ...(item.usage && { usage: item.usage }),
      ...(item.datasets && { datasets: item.datasets }),
      ...((item.output ?? local.output) && { output: item.output ?? local.output }),
    }));
  }
  const total = Math.max(next.total, message.items.length);
  return recount({ ...next, total });
}

/**
 * Merges `execution.get`'s complete state: the server's record wins, except that what this
 * client already saw finish stays finished (an event may overtake the snapshot's read), and
 * outputs the server left out to fit the message are kept.
 */
export function mergeSnapshot(run: Run | undefined, message: ServerMessageOf<'execution'>): Run {
  let next: Run = run ? { ...run } : newRun(message.executionId, message.sessionId, message.totalItems);
  next.total = message.totalItems;
  next.whole = true;
  if (!run || !runEnded(run.status)) next.status = message.status;
  if (message.summary !== undefined) next.summary = message.summary;
  if (message.outputsOmitted) next.outputsOmitted = true;
  if (message.usage) next.usage = message.usage;
  if (message.answeredBy) next.answeredBy = message.answeredBy;
  next.startedAt = message.startedAt;
  if (message.completedAt) next.completedAt = message.completedAt;
  if (message.cost) next.cost = message.cost;
  next.stepsOmitted = message.stepsOmitted === true;
  const order = message.items.map((i) => i.id);
  for (const item of message.items) {
    next = withItem(next, item.id, (local) => {
      const status = advance(local, item.status);
      const keepLocal = status !== item.status;
      const steps =
        local.steps.length === 0 && item.step && status === 'RUNNING'
          ? [{ name: item.step, status: 'started' as const }]
          : local.steps;
      return {
        ...local,
        // What this client sent is the whole question; the snapshot carries it shortened.
        ...(!local.input && item.input !== undefined && { input: item.input }),
        status,
        steps,
        ...(item.durationMs !== undefined && !keepLocal && { durationMs: item.durationMs }),
        ...(item.error !== undefined && !keepLocal && { error: item.error }),
        ...(item.usage && { usage: item.usage }),
        ...(item.datasets && { datasets: item.datasets }),
        ...((item.output ?? local.output) && { output: item.output ?? local.output }),
        ...(item.steps && { trace: item.steps }),
      };
    });
  }
  // The server's order, then anything only this client knew of.
  next.order = [...order, ...next.order.filter((id) => !order.includes(id))];
  return recount({
    ...next,
    completed: Math.max(next.completed, message.completedItems),
    failed: Math.max(next.failed, message.failedItems),
  });
}

function sortSessions(sessions: SessionSummary[]): SessionSummary[] {
  return [...sessions].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}

/** History from the server, merged with what this client added itself (no duplicates). */
function mergeHistory(local: Turn[], entries: HistoryEntry[]): Turn[] {
  const fromServer: Turn[] = entries.map((m) => ({
    key: m.messageId,
    role: m.role,
    content: m.content,
    createdAt: m.createdAt,
    ...(m.executionId && { executionId: m.executionId }),
  }));
  const seen = new Set(fromServer.map((t) => t.key));
  const answered = new Set(fromServer.filter((t) => t.role === 'assistant').map((t) => t.executionId));
  const asked = new Set(fromServer.filter((t) => t.role === 'user').map((t) => t.executionId));
  const localOnly = local.filter(
    (t) =>
      !seen.has(t.key) && !(t.executionId && (t.role === 'assistant' ? answered : asked).has(t.executionId)),
  );
  const merged = [...fromServer, ...localOnly];
  // Older pages arrive later; keep time order (stable for equal times).
  return merged
    .map((turn, index) => ({ turn, index }))
    .sort((a, b) => a.turn.createdAt.localeCompare(b.turn.createdAt) || a.index - b.index)
    .map(({ turn }) => turn);
}

function answerTurn(run: Run, at: string): Turn {
  return {
    key: `answer:${run.executionId}`,
    role: 'assistant',
    content: run.summary ?? '',
    executionId: run.executionId,
    createdAt: at,
  };
}

function onSessions(state: ChatState, message: ServerMessageOf<'sessions'>, older: boolean): ChatState {
  if (!older && !state.olderSessionsLoaded)
    return {
      ...state,
      sessions: sortSessions(message.sessions),
      sessionsLoaded: true,
      sessionsCursor: message.cursor,
    };
  // An older page, or the first page again once older ones are shown: the newer copy of a session wins.
  const byId = new Map(state.sessions.map((session) => [session.sessionId, session]));
  for (const session of message.sessions) byId.set(session.sessionId, session);
  return {
    ...state,
    sessions: sortSessions([...byId.values()]),
    sessionsLoaded: true,
    sessionsCursor: older ? message.cursor : state.sessionsCursor,
    olderSessionsLoaded: true,
    loadingOlderSessions: older ? false : state.loadingOlderSessions,
  };
}

function onHistory(state: ChatState, message: ServerMessageOf<'history'>, earlier: boolean): ChatState {
  if (message.sessionId !== state.activeSessionId) return state;
  return {
    ...state,
    turns: mergeHistory(state.turns, message.messages),
    historyLoading: false,
    historyCursor: earlier || !state.earlierLoaded ? message.cursor : state.historyCursor,
    earlierLoaded: state.earlierLoaded || earlier,
    loadingEarlier: earlier ? false : state.loadingEarlier,
  };
}

function onServer(state: ChatState, message: ServerMessage): ChatState {
  switch (message.action) {
    case 'ack': {
      const query = message.messageId ? state.pending[message.messageId] : undefined;
      const pending = { ...state.pending };
      if (message.messageId) delete pending[message.messageId];
      const run = state.runs[message.executionId] ?? {
        ...newRun(message.executionId, message.sessionId, message.totalItems, query?.items),
        ...(query && { whole: true }),
      };
      const opensSession = query && !query.sessionId && state.activeSessionId === undefined;
      const turns = state.turns.map((t) =>
        t.key === message.messageId ? { ...t, executionId: message.executionId } : t,
      );
      return {
        ...state,
        pending,
        runs: { ...state.runs, [message.executionId]: run },
        ...(opensSession && { activeSessionId: message.sessionId }),
        turns,
        sessionChanges: state.sessionChanges + (state.runs[message.executionId] ? 0 : 1),
      };
    }
    case 'step':
    case 'delta':
    case 'progress': {
      const known = state.runs[message.executionId];
      const run = known ?? newRun(message.executionId, message.sessionId, 0);
      const next =
        message.action === 'step'
          ? onStep(run, message)
          : message.action === 'delta'
            ? onDelta(run, message)
            : onProgress(run, message);
      // A run this client never saw start (another tab): it started just now.
      return {
        ...state,
        runs: { ...state.runs, [message.executionId]: next },
        sessionChanges: state.sessionChanges + (known ? 0 : 1),
      };
    }
    case 'response': {
      const known = state.runs[message.executionId];
      const run = known ?? newRun(message.executionId, message.sessionId, message.items.length);
      const next = onResponse(run, message);
      const inView = message.sessionId === state.activeSessionId;
      const hasAnswer = state.turns.some(
        (t) => t.role === 'assistant' && t.executionId === message.executionId,
      );
      const turns =
        inView && !hasAnswer ? [...state.turns, answerTurn(next, new Date().toISOString())] : state.turns;
      return {
        ...state,
        runs: { ...state.runs, [message.executionId]: next },
        turns,
        sessionChanges: state.sessionChanges + (known && runEnded(known.status) ? 0 : 1),
      };
    }
    case 'execution': {
      const known = state.runs[message.executionId];
      const next = mergeSnapshot(known, message);
      // Only a run this client held as running and now sees ended changes its session.
      const ended = known !== undefined && !runEnded(known.status) && runEnded(next.status);
      return {
        ...state,
        runs: { ...state.runs, [message.executionId]: next },
        sessionChanges: state.sessionChanges + (ended ? 1 : 0),
      };
    }
    case 'datasets':
      return {
        ...state,
        datasets: [...message.datasets].sort(
          (a, b) => Number(b.sample) - Number(a.sample) || a.name.localeCompare(b.name),
        ),
        datasetsLoaded: true,
      };
    case 'error': {
      const query = message.messageId ? state.pending[message.messageId] : undefined;
      if (query) {
        const pending = { ...state.pending };
        delete pending[query.messageId];
        // Nothing of it was kept: it leaves the conversation and goes back to the composer.
        return {
          ...state,
          pending,
          turns: state.turns.filter((t) => t.key !== query.messageId),
          returned: { query, reason: refusalSentence(message) },
        };
      }
      return { ...state, notice: message.message };
    }
    default:
      return state;
  }
}

/** Why a question was refused, as a sentence: validation text from the server becomes one. */
export function refusalSentence(error: ServerMessageOf<'error'>): string {
  if (error.code !== 'BAD_REQUEST') return error.message;
  if (typeof error.details?.field !== 'string') return error.message;
  // "Invalid payload.items.0.input: too long." names a field; the person needs only what is wrong.
  const [issue] = (error.details.issues as { message?: unknown }[] | undefined) ?? [];
  const what = typeof issue?.message === 'string' ? issue.message : error.message.replace(/^[^:]*:\s*/, '');
  return `The question could not be sent as written: ${what.replace(/\.$/, '')}. Change it and send it again.`;
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'server':
      return onServer(state, action.message);
    case 'querySent':
      return {
        ...state,
        pending: { ...state.pending, [action.query.messageId]: action.query },
        turns: [
          ...state.turns,
          { key: action.query.messageId, role: 'user', content: action.query.content, createdAt: action.at },
        ],
      };
    case 'sessionOpened':
      if (action.sessionId === state.activeSessionId && action.sessionId !== undefined) return state;
      return {
        ...state,
        activeSessionId: action.sessionId,
        turns: [],
        historyLoading: action.sessionId !== undefined,
        historyCursor: undefined,
        earlierLoaded: false,
        loadingEarlier: false,
      };
    case 'pageRequested':
      return action.of === 'sessions'
        ? { ...state, loadingOlderSessions: true }
        : { ...state, loadingEarlier: true };
    case 'sessionsListed':
      return onSessions(state, action.answer, action.older);
    case 'historyLoaded':
      return onHistory(state, action.answer, action.earlier);
    case 'pageFailed':
      return action.of === 'sessions'
        ? { ...state, loadingOlderSessions: false, notice: action.reason }
        : { ...state, loadingEarlier: false, notice: action.reason };
    case 'historyRefused':
      // A link to a session this user cannot open (another account's, or deleted): start afresh.
      if (action.sessionId !== state.activeSessionId) return { ...state, notice: action.error.message };
      return {
        ...state,
        activeSessionId: undefined,
        turns: [],
        historyLoading: false,
        historyCursor: undefined,
        notice:
          action.error.code === 'NOT_FOUND'
            ? 'That conversation was not found: it may belong to another account. A new one is open.'
            : action.error.message,
      };
    case 'notice':
      return { ...state, notice: action.text };
  }
}

/** The run the run panel shows: the session's latest, by the order of its turns. */
export function latestRun(state: ChatState): Run | undefined {
  for (let i = state.turns.length - 1; i >= 0; i--) {
    const id = state.turns[i]!.executionId;
    if (id && state.runs[id]) return state.runs[id];
  }
  return undefined;
}

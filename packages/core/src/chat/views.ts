import { datasetsOf, orderedTurns, usageOf } from '../agent/run/transcript';
import { executionCost } from '../cost/estimate';
import { encodeServerMessage, fitsOneMessage } from '../notifier/notifier';
import type { ExecutionStatus, ResponseStatus } from '../protocol/codes';
import type {
  ExecutionItem,
  ExecutionMessage,
  ExecutionSummary,
  HistoryEntry,
  ServerMessage,
  ServerMessageOf,
  SessionSummary,
  Usage,
} from '../protocol/server';
import type { ExecutionRecord, ExecutionState } from '../repositories/executions';
import type { ItemRecord } from '../repositories/items';
import type { MessageRecord } from '../repositories/messages';
import type { SessionRecord } from '../repositories/sessions';
import { itemSteps, shortened } from './trace';

/** Clients never see PENDING: an accepted execution is running as far as they can tell. */
export function publicStatus(state: ExecutionState): ExecutionStatus {
  return state === 'PENDING' ? 'RUNNING' : state;
}

/** The stored states a client's status stands for: RUNNING covers PENDING too. */
export function statesShownAs(status: ExecutionStatus): ExecutionState[] {
  return status === 'RUNNING' ? ['PENDING', 'RUNNING'] : [status];
}

type OutputDetail = 'full' | 'text' | 'none';

function itemOutput(item: ItemRecord, detail: OutputDetail) {
  if (!item.output || detail === 'none') return undefined;
  return detail === 'full' ? item.output : { text: item.output.text };
}

/** How much of each item's question an `execution` carries: enough to recognise it. */
const inputChars: Record<OutputDetail, number> = { full: 200, text: 200, none: 80 };

function executionItem(item: ItemRecord, detail: OutputDetail): ExecutionItem {
  const view: ExecutionItem = {
    id: item.itemId,
    input: shortened(item.input, inputChars[detail]),
    status: item.status,
  };
  if (item.step !== undefined) view.step = item.step;
  if (item.durationMs !== undefined) view.durationMs = item.durationMs;
  if (item.error !== undefined) view.error = item.error;
  const output = itemOutput(item, detail);
  if (output) view.output = output;
  if (item.turns) Object.assign(view, itemTrace(item));
  // The steps go only with the outputs: a batch too large for either leaves both out.
  if (detail !== 'none') {
    const steps = itemSteps(item, false);
    if (steps.length > 0) view.steps = steps;
  }
  return view;
}

/** What an item's model calls cost so far and which datasets its answer read, from its transcript. */
function itemTrace(item: ItemRecord): { usage: Usage; datasets?: string[] } {
  const datasets = datasetsOf(orderedTurns(item.turns));
  return { usage: itemUsage(item), ...(datasets.length > 0 && { datasets }) };
}

/** What an item's model calls cost so far, from its transcript. */
function itemUsage(item: ItemRecord): Usage {
  return usageOf(orderedTurns(item.turns));
}

/** A run's cost: that of all its items' model calls. */
function runUsage(items: ItemRecord[]): Usage {
  return usageOf(items.flatMap((item) => orderedTurns(item.turns)));
}

/** Who answered the run: the provider its finished items name. */
function runAnsweredBy(items: ItemRecord[]) {
  return items.find((item) => item.answeredBy)?.answeredBy;
}

/**
 * Builds a message in the richest form that fits one WebSocket message: item outputs in full,
 * then text only, then none (flagged, so the client can fetch single items).
 */
function fitting<M extends ServerMessage>(build: (detail: OutputDetail) => M): M {
  for (const detail of ['full', 'text'] as const) {
    const message = build(detail);
    if (fitsOneMessage(message)) return message;
  }
  const bare = build('none');
  encodeServerMessage(bare); // still too large: let PayloadTooLargeError say so
  return bare;
}

export function executionMessage(
  execution: ExecutionRecord,
  items: ItemRecord[],
  messageId?: string,
): ExecutionMessage {
  return fitting((detail) => {
    const message: ExecutionMessage = {
      action: 'execution',
      ...(messageId !== undefined && { messageId }),
      ...executionHead(execution),
      items: items.map((item) => executionItem(item, detail)),
      usage: runUsage(items),
      cost: executionCost(execution, items),
    };
    const answeredBy = runAnsweredBy(items);
    if (answeredBy) message.answeredBy = answeredBy;
    if (execution.summary !== undefined) message.summary = execution.summary;
    if (detail !== 'full' && items.some((item) => item.output)) message.outputsOmitted = true;
    if (detail === 'none' && items.some((item) => item.status !== 'PENDING')) message.stepsOmitted = true;
    return message;
  });
}

/** A page of the user's executions, each with its question shortened as an `execution`'s items are. */
export function executionsMessage(
  executions: ExecutionRecord[],
  cursor: string | undefined,
  messageId?: string,
): ServerMessageOf<'executions'> {
  return fitting((detail) => ({
    action: 'executions',
    ...(messageId !== undefined && { messageId }),
    executions: executions.map((execution) => executionSummary(execution, inputChars[detail])),
    ...(cursor && { cursor }),
  }));
}

/** What an `execution` and a listed run both say about the run itself. */
function executionHead(execution: ExecutionRecord): Omit<ExecutionSummary, 'input'> {
  return {
    executionId: execution.executionId,
    sessionId: execution.sessionId,
    status: publicStatus(execution.status),
    totalItems: execution.totalItems,
    completedItems: execution.completedItems,
    failedItems: execution.failedItems,
    startedAt: execution.startedAt,
    ...(execution.completedAt && { completedAt: execution.completedAt }),
  };
}

function executionSummary(execution: ExecutionRecord, chars: number): ExecutionSummary {
  return { ...executionHead(execution), input: shortened(execution.request.content, chars) };
}

export function responseMessage(
  execution: ExecutionRecord,
  items: ItemRecord[],
  status: ResponseStatus,
  summary: string,
): ServerMessageOf<'response'> {
  return fitting((detail) => ({
    action: 'response',
    messageId: execution.messageId,
    executionId: execution.executionId,
    sessionId: execution.sessionId,
    status,
    summary,
    items: items.map((item) => {
      const view: ServerMessageOf<'response'>['items'][number] = { id: item.itemId, status: item.status };
      const output = itemOutput(item, detail);
      if (output) view.output = output;
      if (item.error !== undefined) view.error = item.error;
      if (item.turns) Object.assign(view, itemTrace(item));
      return view;
    }),
    usage: runUsage(items),
    ...(runAnsweredBy(items) && { answeredBy: runAnsweredBy(items) }),
  }));
}

/** What a client may see of a session: not its owner, tenant or latest run's id. */
export function sessionSummary(session: SessionRecord): SessionSummary {
  const { sessionId, title, createdAt, updatedAt, lastExecutionStatus } = session;
  return { sessionId, title, createdAt, updatedAt, ...(lastExecutionStatus && { lastExecutionStatus }) };
}

/** What a client may see of a stored message: not its sort key, session or metadata. */
export function historyEntry(message: MessageRecord): HistoryEntry {
  const { messageId, role, content, createdAt, executionId } = message;
  return { messageId, role, content, createdAt, ...(executionId && { executionId }) };
}

/** A session's title: the first line of its first message, shortened at a word. */
export function titleFrom(content: string, max = 80): string {
  const line = content.trim().split('\n')[0]!.trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

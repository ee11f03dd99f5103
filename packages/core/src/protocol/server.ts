import * as z from 'zod';
import { ErrorCode, ExecutionStatus, ItemStatus, ResponseStatus, StepStatus } from './codes';

const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const Table = z.object({
  title: z.string().optional(),
  columns: z.array(z.string()),
  rows: z.array(z.array(Cell)),
});
export type Table = z.infer<typeof Table>;

export const HistogramChart = z.object({
  kind: z.literal('histogram'),
  title: z.string(),
  column: z.string(),
  edges: z.array(z.number()),
  counts: z.array(z.number()),
});
export const HeatmapChart = z.object({
  kind: z.literal('heatmap'),
  title: z.string(),
  columns: z.array(z.string()),
  matrix: z.array(z.array(z.number().nullable())),
});
export const IntervalChart = z.object({
  kind: z.literal('intervals'),
  title: z.string(),
  intervals: z.array(z.object({ label: z.string(), estimate: z.number(), lo: z.number(), hi: z.number() })),
});
/** Bars by category, optionally split into series; `lo`/`hi` draw an interval on a bar. */
export const BarChart = z.object({
  kind: z.literal('bar'),
  title: z.string(),
  x: z.string(),
  y: z.string(),
  bars: z.array(
    z.object({
      label: z.string(),
      value: z.number(),
      series: z.string().optional(),
      lo: z.number().optional(),
      hi: z.number().optional(),
    }),
  ),
});
/** Points joined in x order, one line per series; x is a number or an ISO date/time. */
export const LineChart = z.object({
  kind: z.literal('line'),
  title: z.string(),
  x: z.string(),
  y: z.string(),
  points: z.array(
    z.object({ x: z.union([z.number(), z.string()]), y: z.number(), series: z.string().optional() }),
  ),
});
export const ScatterChart = z.object({
  kind: z.literal('scatter'),
  title: z.string(),
  x: z.string(),
  y: z.string(),
  points: z.array(z.object({ x: z.number(), y: z.number(), series: z.string().optional() })),
});
export const Chart = z.discriminatedUnion('kind', [
  HistogramChart,
  HeatmapChart,
  IntervalChart,
  BarChart,
  LineChart,
  ScatterChart,
]);
export type Chart = z.infer<typeof Chart>;

export const ItemOutput = z.object({
  text: z.string(),
  tables: z.array(Table).optional(),
  charts: z.array(Chart).optional(),
});
export type ItemOutput = z.infer<typeof ItemOutput>;

const Iso = z.string();
const ExecutionRef = { executionId: z.string(), sessionId: z.string() };

/** A message that can answer a request: its action, and the request's messageId echoed. */
function reply<Action extends string, Shape extends z.ZodRawShape>(action: Action, shape: Shape) {
  return z.object({ action: z.literal(action), messageId: z.string().optional(), ...shape });
}

/** A list, under its action's name (`datasets` holds `datasets`). */
function list<Action extends string, Item extends z.ZodType>(action: Action, item: Item) {
  return reply(action, { [action]: z.array(item) } as { [Key in Action]: z.ZodArray<Item> });
}

/** A page of a list; `cursor` leads to the next page. */
function page<Action extends string, Item extends z.ZodType>(action: Action, item: Item) {
  return list(action, item).extend({ cursor: z.string().optional() });
}

export const AckMessage = reply('ack', {
  ...ExecutionRef,
  totalItems: z.number().int(),
});

export const StepMessage = z.object({
  action: z.literal('step'),
  ...ExecutionRef,
  itemId: z.string(),
  step: z.string(),
  status: StepStatus,
  detail: z.string().optional(),
});

export const ProgressMessage = z.object({
  action: z.literal('progress'),
  ...ExecutionRef,
  completed: z.number().int(),
  failed: z.number().int(),
  total: z.number().int(),
  percent: z.number().min(0).max(100),
  item: z.object({
    id: z.string(),
    status: ItemStatus,
    durationMs: z.number(),
    error: z.string().optional(),
  }),
});

/** What a run's model calls cost; the offline planner makes no model calls. */
export const Usage = z.object({
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  modelCalls: z.number().int(),
  cacheReadTokens: z.number().int().optional(),
  cacheWriteTokens: z.number().int().optional(),
});
export type Usage = z.infer<typeof Usage>;

/** Which provider, and which of its models, answered. */
export const AnsweredBy = z.object({ provider: z.string(), model: z.string().optional() });
export type AnsweredBy = z.infer<typeof AnsweredBy>;

/**
 * A piece of an item's answer as the model writes it. Pieces of one `turn` join into its text;
 * a later turn's pieces start a new text (the earlier one was the model thinking aloud before a
 * tool call). The `response` stays the authoritative answer.
 */
export const DeltaMessage = z.object({
  action: z.literal('delta'),
  ...ExecutionRef,
  itemId: z.string(),
  turn: z.number().int(),
  text: z.string(),
});

/** The datasets an item's answer was computed from (an addition; see the README's protocol notes). */
const ItemDatasets = z.array(z.string()).optional();

export const ResponseItem = z.object({
  id: z.string(),
  status: ItemStatus,
  output: ItemOutput.optional(),
  error: z.string().optional(),
  usage: Usage.optional(),
  datasets: ItemDatasets,
});

export const ResponseMessage = reply('response', {
  ...ExecutionRef,
  status: ResponseStatus,
  summary: z.string(),
  items: z.array(ResponseItem),
  usage: Usage.optional(),
  answeredBy: AnsweredBy.optional(),
});

/**
 * One step of an item's path through the agent's graph (an addition; see the README's protocol
 * notes): `Parse`; `Model`, each model call; `Dispatch`, a tool run inside the Dispatch step;
 * `Analysis`, a tool run as the Fargate task (`queueMs` from dispatch to the task's start, which
 * holds the image pull and start-up, then `runMs`); `Failure`, where the item failed.
 */
export const TraceNode = z.enum(['Parse', 'Model', 'Dispatch', 'Analysis', 'Failure']);
export type TraceNode = z.infer<typeof TraceNode>;

export const TraceStep = z.object({
  node: TraceNode,
  outcome: z.enum(['ok', 'failed', 'running']),
  /** The agent's turn (0 for the first model call); absent for Parse. */
  turn: z.number().int().optional(),
  startedAt: Iso.optional(),
  durationMs: z.number().optional(),
  /** Model: who answered and what it cost. */
  provider: z.string().optional(),
  model: z.string().optional(),
  inputTokens: z.number().int().optional(),
  outputTokens: z.number().int().optional(),
  /** Dispatch and Analysis: the tool, and for a task its wait and its run. */
  tool: z.string().optional(),
  queueMs: z.number().optional(),
  runMs: z.number().optional(),
  /** How many times Step Functions ran the step again after a start that did not finish. */
  retries: z.number().int().optional(),
  /** `execution.trace` only: what the tool was asked (shortened), what came of the step. */
  input: z.string().optional(),
  detail: z.string().optional(),
});
export type TraceStep = z.infer<typeof TraceStep>;

/** One line of a run's cost estimate: a service's quantity and what it comes to. */
export const CostLine = z.object({
  service: z.string(),
  quantity: z.number(),
  unit: z.string(),
  usd: z.number(),
});
export type CostLine = z.infer<typeof CostLine>;

/** What a run cost, or would have cost on AWS (an estimate; see the README's cost table). */
export const Cost = z.object({
  usd: z.number(),
  estimate: z.literal(true),
  /** The region whose prices were used. */
  region: z.string(),
  lines: z.array(CostLine),
});
export type Cost = z.infer<typeof Cost>;

export const ExecutionItem = z.object({
  id: z.string(),
  /** The item's question, shortened to fit (an addition; see the README's protocol notes). */
  input: z.string().optional(),
  status: ItemStatus,
  step: z.string().optional(),
  durationMs: z.number().optional(),
  error: z.string().optional(),
  output: ItemOutput.optional(),
  usage: Usage.optional(),
  datasets: ItemDatasets,
  /** The item's steps so far, without their inputs and details (`execution.trace` has those). */
  steps: z.array(TraceStep).optional(),
});
export type ExecutionItem = z.infer<typeof ExecutionItem>;

export const ExecutionMessage = reply('execution', {
  ...ExecutionRef,
  status: ExecutionStatus,
  totalItems: z.number().int(),
  completedItems: z.number().int(),
  failedItems: z.number().int(),
  startedAt: Iso,
  completedAt: Iso.optional(),
  items: z.array(ExecutionItem),
  summary: z.string().optional(),
  /** Set when item outputs were left out to keep the message under the size limit. */
  outputsOmitted: z.boolean().optional(),
  usage: Usage.optional(),
  answeredBy: AnsweredBy.optional(),
  /** What the run has cost so far, as if on AWS. */
  cost: Cost.optional(),
  /** Set when the items' steps were left out to keep the message under the size limit. */
  stepsOmitted: z.boolean().optional(),
});
export type ExecutionMessage = z.infer<typeof ExecutionMessage>;

/** Extension: one item's full trace, the answer to `execution.trace`. */
export const TraceMessage = reply('trace', {
  ...ExecutionRef,
  itemId: z.string(),
  input: z.string(),
  status: ItemStatus,
  startedAt: Iso.optional(),
  durationMs: z.number().optional(),
  error: z.string().optional(),
  steps: z.array(TraceStep),
});

/** One of the user's executions as `executions` lists it (an extension; see the README's protocol notes). */
export const ExecutionSummary = z.object({
  ...ExecutionRef,
  status: ExecutionStatus,
  totalItems: z.number().int(),
  completedItems: z.number().int(),
  failedItems: z.number().int(),
  startedAt: Iso,
  completedAt: Iso.optional(),
  /** The question's content, shortened like the `input` of an `execution`'s items. */
  input: z.string(),
});
export type ExecutionSummary = z.infer<typeof ExecutionSummary>;

/** The user's executions, newest first; `cursor` leads to older ones. */
export const ExecutionsMessage = page('executions', ExecutionSummary);

export const DatasetSummary = z.object({
  id: z.string(),
  name: z.string(),
  sizeBytes: z.number().int(),
  rows: z.number().int().optional(),
  columns: z.number().int().optional(),
  columnNames: z.array(z.string()).optional(),
  sample: z.boolean(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

export const DatasetsMessage = list('datasets', DatasetSummary);

export const SessionSummary = z.object({
  sessionId: z.string(),
  title: z.string(),
  createdAt: Iso,
  updatedAt: Iso,
  lastExecutionStatus: ExecutionStatus.optional(),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

/** The user's sessions, most recently active first. */
export const SessionsMessage = page('sessions', SessionSummary);

export const HistoryEntry = z.object({
  messageId: z.string(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  createdAt: Iso,
  executionId: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const HistoryMessage = reply('history', {
  sessionId: z.string(),
  /** Oldest first within the page; `cursor` pages towards older messages. */
  messages: z.array(HistoryEntry),
  cursor: z.string().optional(),
});

/** Extension: where to PUT an upload, and until when the URL works. */
export const UploadMessage = reply('upload', {
  datasetId: z.string(),
  url: z.string(),
  method: z.literal('PUT'),
  headers: z.record(z.string(), z.string()),
  expiresAt: Iso,
});

/** A personal API key as its owner sees it; the key itself only in the `key.create` answer. */
export const ApiKeySummary = z.object({
  keyId: z.string(),
  name: z.string(),
  /** The key's first characters, to tell keys apart. */
  prefix: z.string(),
  createdAt: Iso,
  expiresAt: Iso.optional(),
  lastUsedAt: Iso.optional(),
  revokedAt: Iso.optional(),
});
export type ApiKeySummary = z.infer<typeof ApiKeySummary>;

/** Extension: the answer to `key.create` (with `secret`, shown this once) and `key.revoke`. */
export const KeyMessage = reply('key', {
  key: ApiKeySummary,
  secret: z.string().optional(),
});

/** The user's keys, newest first, revoked and expired ones included. */
export const KeysMessage = list('keys', ApiKeySummary);

/** One of the user's open connections: a browser tab, a terminal, a script. */
export const ConnectionSummary = z.object({
  connectionId: z.string(),
  connectedAt: Iso,
  sourceIp: z.string().optional(),
  /** What the User-Agent says it is ("Chrome on Linux", "cascade CLI 0.1.0"). */
  client: z.string(),
  /** How it signed in: a password sign-in's token, or an API key (then its id). */
  via: z.enum(['token', 'apiKey']),
  keyId: z.string().optional(),
  /** The connection this answer goes to. */
  current: z.boolean(),
});
export type ConnectionSummary = z.infer<typeof ConnectionSummary>;

export const ConnectionsMessage = list('connections', ConnectionSummary);

/** A session a run holds: no other question may start in it until the run ends or the lock expires. */
export const LockSummary = z.object({
  sessionId: z.string(),
  title: z.string(),
  executionId: z.string(),
  acquiredAt: Iso,
  expiresAt: Iso,
});
export type LockSummary = z.infer<typeof LockSummary>;

export const LocksMessage = list('locks', LockSummary);

/**
 * Extension: every sign-in of the user's has ended. Tokens issued before `revokedBefore` are
 * refused from now on; the user's connections, this one included, close right after this message.
 */
export const SignedOutMessage = reply('signedOut', {
  revokedBefore: Iso,
  connections: z.number().int(),
});

export const PongMessage = reply('pong', {});

export const ErrorMessage = reply('error', {
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  /** With RATE_LIMITED: how many seconds to wait before sending again. */
  retryAfterSeconds: z.number().int().positive().optional(),
});

export const ServerMessage = z.discriminatedUnion('action', [
  AckMessage,
  StepMessage,
  ProgressMessage,
  DeltaMessage,
  ResponseMessage,
  ExecutionMessage,
  ExecutionsMessage,
  DatasetsMessage,
  SessionsMessage,
  HistoryMessage,
  UploadMessage,
  TraceMessage,
  KeyMessage,
  KeysMessage,
  ConnectionsMessage,
  LocksMessage,
  SignedOutMessage,
  PongMessage,
  ErrorMessage,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type ServerAction = ServerMessage['action'];
export type ServerMessageOf<A extends ServerAction> = Extract<ServerMessage, { action: A }>;

import { formatUsd } from '@cascade/core/contract';
import type {
  Cost,
  DatasetSummary,
  ExecutionMessage,
  ExecutionSummary,
  HistoryEntry,
  ItemOutput,
  ServerMessageOf,
  SessionSummary,
  Table,
  TraceStep,
} from '@cascade/core/protocol';

/** A cell longer than this is cut with an ellipsis, so a table stays a table in a terminal. */
const cellWidth = 48;
/** Tables of an answer show this many rows; the rest are counted. */
const answerRows = 20;

const cut = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

/** Columns aligned on their widest cell, numbers right-aligned, two spaces between. */
export function table(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  width = cellWidth,
): string {
  const cells = [columns, ...rows].map((row) =>
    columns.map((_, i) => cut((row[i] ?? '').replace(/\s+/g, ' '), width)),
  );
  const numeric = columns.map(
    (_, i) => rows.length > 0 && rows.every((row) => /^-?[\d.,]+( \w+)?%?$|^$/.test(row[i] ?? '')),
  );
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `Label:  value` lines, the values aligned. */
export function keyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([key]) => key.length)) + 1;
  return pairs.map(([key, value]) => `${`${key}:`.padEnd(width)}  ${value}`).join('\n');
}

/** `[#####.....] 12/40 items, 1 failed` */
export function progressBar(completed: number, total: number, failed: number, width = 20): string {
  const filled = total > 0 ? Math.round((Math.min(completed, total) / total) * width) : 0;
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  return `${bar} ${completed}/${total} item${total === 1 ? '' : 's'}${failed > 0 ? `, ${failed} failed` : ''}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** An ISO time as `2026-12-06 10:31:07` (local time, to the second). */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

const cellText = (cell: Table['rows'][number][number]) => (cell === null ? '' : String(cell));

/** One of an answer's tables, compact: its title, aligned columns, at most 20 rows. */
export function renderTable(data: Table): string {
  const rows = data.rows.slice(0, answerRows).map((row) => row.map(cellText));
  const more = data.rows.length - rows.length;
  return [
    ...(data.title ? [data.title] : []),
    table(data.columns, rows),
    ...(more > 0 ? [`… ${more} more row${more === 1 ? '' : 's'}`] : []),
  ].join('\n');
}

/** An item's answer: its markdown as written, its tables compact, its charts named (a terminal cannot draw them). */
export function renderOutput(output: ItemOutput): string {
  const parts = [output.text.trim()];
  for (const data of output.tables ?? []) parts.push(renderTable(data));
  const charts = output.charts ?? [];
  if (charts.length > 0)
    parts.push(
      `(${charts.length} chart${charts.length === 1 ? '' : 's'}: ${charts.map((c) => c.title).join('; ')} — the web client draws them)`,
    );
  return parts.filter(Boolean).join('\n\n');
}

const fromDatasets = (datasets: readonly string[] | undefined) =>
  datasets && datasets.length > 0 ? `From ${datasets.join(', ')}.` : undefined;

/** The final answer of a run: one item shown whole, several as a table with the summary. */
export function renderResponse(response: ServerMessageOf<'response'>): string {
  const footer = `${response.status} · execution ${response.executionId} · session ${response.sessionId}`;
  const [only] = response.items;
  if (response.items.length === 1 && only) {
    const body = only.output ? renderOutput(only.output) : (only.error ?? response.summary);
    return [body, fromDatasets(only.datasets), footer].filter(Boolean).join('\n\n');
  }
  const rows = response.items.map((item) => [
    item.id,
    item.status,
    firstLine(item.output?.text ?? item.error ?? ''),
  ]);
  return [withoutTables(response.summary), table(['ID', 'STATUS', 'ANSWER'], rows, 72), footer]
    .filter(Boolean)
    .join('\n\n');
}

/** An answer's first line that says something: a note in italics (`_Question read as …_`) is skipped when more follows. */
function firstLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return lines.find((line) => !/^_.*_$/.test(line)) ?? lines[0] ?? '';
}

/** A batch's summary without its markdown tables: the items' table below says the same, aligned. */
const withoutTables = (markdown: string) =>
  markdown
    .split('\n')
    .filter((line) => !line.trim().startsWith('|'))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

/** A run's state as `cascade status` shows it. */
export function renderExecution(execution: ExecutionMessage): string {
  const facts: [string, string][] = [
    ['Execution', execution.executionId],
    ['Session', execution.sessionId],
    ['Status', execution.status],
    ['Items', `${execution.completedItems}/${execution.totalItems} done, ${execution.failedItems} failed`],
    ['Started', formatTime(execution.startedAt)],
    ...(execution.completedAt ? [['Completed', formatTime(execution.completedAt)] as [string, string]] : []),
  ];
  if (execution.cost)
    facts.push([
      'Cost',
      `≈ ${formatUsd(execution.cost.usd)} (an estimate at ${execution.cost.region} prices; see \`cascade logs\`)`,
    ]);
  const header = keyValues(facts);
  const [only] = execution.items;
  if (execution.items.length === 1 && only?.output)
    return [header, renderOutput(only.output), fromDatasets(only.datasets)].filter(Boolean).join('\n\n');
  const rows = execution.items.map((item) => [
    item.id,
    item.status,
    item.durationMs === undefined ? '' : formatDuration(item.durationMs),
    firstLine(item.error ?? item.output?.text ?? item.input ?? ''),
  ]);
  return [header, table(['ID', 'STATUS', 'TIME', 'ANSWER'], rows, 72), withoutTables(execution.summary ?? '')]
    .filter(Boolean)
    .join('\n\n');
}

export function renderSessions(sessions: readonly SessionSummary[], cursor?: string): string {
  if (sessions.length === 0) return 'No sessions yet: ask something with `cascade ask "QUESTION"`.';
  const rows = sessions.map((s) => [
    s.sessionId,
    formatTime(s.updatedAt),
    s.lastExecutionStatus ?? '',
    s.title,
  ]);
  return [
    table(['SESSION', 'UPDATED', 'LAST RUN', 'TITLE'], rows),
    ...(cursor ? [`More: --cursor ${cursor}`] : []),
  ].join('\n');
}

export function renderExecutions(executions: readonly ExecutionSummary[], cursor?: string): string {
  if (executions.length === 0) return 'No runs yet: ask something with `cascade ask "QUESTION"`.';
  const rows = executions.map((e) => [
    e.executionId,
    formatTime(e.startedAt),
    e.status,
    e.totalItems === 1 ? '1 item' : `${e.completedItems + e.failedItems}/${e.totalItems} items`,
    firstLine(e.input),
  ]);
  return [
    table(['EXECUTION', 'STARTED', 'STATUS', 'ITEMS', 'QUESTION'], rows, 60),
    ...(cursor ? [`More: --cursor ${cursor}`] : []),
  ].join('\n');
}

export function renderHistory(messages: readonly HistoryEntry[], cursor?: string): string {
  if (messages.length === 0) return 'This session has no messages.';
  const blocks = messages.map(
    (m) => `${m.role === 'user' ? 'You' : 'Cascade'} · ${formatTime(m.createdAt)}\n${m.content.trim()}`,
  );
  return [...blocks, ...(cursor ? [`Older messages: --cursor ${cursor}`] : [])].join('\n\n');
}

export function renderDatasets(datasets: readonly DatasetSummary[]): string {
  if (datasets.length === 0) return 'No datasets: add one with `cascade upload FILE.csv` (or FILE.parquet).';
  const rows = datasets.map((d) => [
    d.id,
    formatBytes(d.sizeBytes),
    d.rows === undefined ? '' : String(d.rows),
    d.columns === undefined ? '' : String(d.columns),
    d.sample ? 'sample' : 'yours',
    d.name,
  ]);
  return table(['ID', 'SIZE', 'ROWS', 'COLUMNS', 'KIND', 'NAME'], rows);
}

const ms = (value: number | undefined) => (value === undefined ? '' : formatDuration(value));

/** One step of an item's trace, as one line. */
export function renderStep(step: TraceStep): string {
  const what =
    step.node === 'Model'
      ? `Model #${step.turn ?? 0}${step.provider ? ` ${step.provider}${step.model ? `/${step.model}` : ''}` : ''}`
      : step.node === 'Dispatch' || step.node === 'Analysis'
        ? `${step.node} ${step.tool ?? ''}`.trim()
        : step.node === 'Failure' && step.tool
          ? `Failure in ${step.tool}`
          : step.node;
  const facts = [
    ms(step.durationMs),
    step.outcome === 'ok' ? '' : step.outcome,
    step.inputTokens !== undefined ? `${step.inputTokens} in / ${step.outputTokens ?? 0} out tokens` : '',
    step.queueMs !== undefined ? `waited ${ms(step.queueMs)}, ran ${ms(step.runMs)}` : '',
    step.input ?? '',
    step.detail ?? '',
  ].filter(Boolean);
  return `  ${what.padEnd(28)} ${facts.join('  ')}`.trimEnd();
}

/** An item's steps under a line naming it. */
export function renderItemSteps(
  item: { id: string; status: string; durationMs?: number; input?: string },
  steps: readonly TraceStep[],
): string {
  const head = [item.id, item.status, ms(item.durationMs), item.input ? firstLine(item.input) : '']
    .filter(Boolean)
    .join('  ');
  return [head, ...(steps.length > 0 ? steps.map(renderStep) : ['  (no steps yet)'])].join('\n');
}

/** A run's cost estimate as a table with its total. */
export function renderCost(cost: Cost): string {
  const rows = cost.lines.map((l) => [l.service, String(l.quantity), l.unit, formatUsd(l.usd)]);
  rows.push(['Total', '', '', formatUsd(cost.usd)]);
  return [
    table(['SERVICE', 'QUANTITY', 'UNIT', 'USD'], rows),
    `An estimate at AWS's ${cost.region} on-demand prices (for the local cloud: as if the run had been on AWS).`,
  ].join('\n');
}

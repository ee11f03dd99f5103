import type { ItemStatus, TraceNode, TraceStep } from '@cascade/core/protocol';

/**
 * A run's items on one time axis from the run's start: each item's steps as segments, so
 * concurrency, waiting and the slow items show. A step still running reaches to `now`; a step
 * with no time of its own (a failure) is a mark at its moment.
 */

export interface Segment {
  node: TraceNode;
  outcome: TraceStep['outcome'];
  /** Milliseconds from the run's start. */
  startMs: number;
  endMs: number;
  /** A moment, not a span (a failure). */
  mark: boolean;
  turn?: number;
  tool?: string;
}

export interface Bar {
  id: string;
  status: ItemStatus;
  segments: Segment[];
  /** The end of its last segment: where the item stands on the axis. */
  endMs?: number;
}

export interface Timeline {
  /** The axis runs from 0 (the run's start) to `spanMs`. */
  spanMs: number;
  bars: Bar[];
}

export interface TimedRun {
  startedAt?: string;
  completedAt?: string;
  order: readonly string[];
  items: Readonly<Record<string, { id: string; status: ItemStatus; trace?: readonly TraceStep[] }>>;
}

const at = (iso: string | undefined) => {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
};

/**
 * Lays out `run`'s items; `nowMs` ends the steps still running while `live` (the run is going),
 * otherwise they end where the run ended.
 */
export function layoutTimeline(run: TimedRun, nowMs: number, live: boolean): Timeline {
  const starts = run.order.flatMap((id) => (run.items[id]?.trace ?? []).map((s) => at(s.startedAt)));
  const origin =
    at(run.startedAt) ?? Math.min(...starts.filter((ms): ms is number => ms !== undefined), nowMs);
  const ended = at(run.completedAt);
  const stop = live || ended === undefined ? nowMs - origin : ended - origin;
  const bars = run.order.flatMap((id) => {
    const item = run.items[id];
    if (!item) return [];
    const segments: Segment[] = [];
    let cursor: number | undefined;
    const steps = item.trace ?? [];
    steps.forEach((step, index) => {
      const started = at(step.startedAt);
      const startMs = Math.max(0, started !== undefined ? started - origin : (cursor ?? Number.NaN));
      if (Number.isNaN(startMs)) return;
      // A step stopped by a failure recorded no time: it lasted until the failure was caught.
      const caughtAt = step.outcome === 'failed' ? at(steps[index + 1]?.startedAt) : undefined;
      const mark = step.durationMs === undefined && step.outcome !== 'running' && caughtAt === undefined;
      const endMs =
        step.durationMs !== undefined
          ? startMs + step.durationMs
          : step.outcome === 'running'
            ? Math.max(startMs, stop)
            : caughtAt !== undefined
              ? Math.max(startMs, caughtAt - origin)
              : startMs;
      segments.push({
        node: step.node,
        outcome: step.outcome,
        startMs,
        endMs,
        mark,
        ...(step.turn !== undefined && { turn: step.turn }),
        ...(step.tool !== undefined && { tool: step.tool }),
      });
      cursor = endMs;
    });
    return [{ id, status: item.status, segments, ...(cursor !== undefined && { endMs: cursor }) }];
  });
  const latest = Math.max(0, ...bars.flatMap((b) => b.segments.map((s) => s.endMs)));
  return { spanMs: Math.max(1, latest, ended !== undefined || live ? stop : 0), bars };
}

/** About `count` round tick values from 0 to `spanMs` (steps of 1, 2 or 5 × a power of ten). */
export function axisTicks(spanMs: number, count = 4): number[] {
  const raw = spanMs / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = 0; t <= spanMs + 1e-9; t += step) ticks.push(Math.round(t * 1000) / 1000);
  return ticks;
}

/** A position on the axis as a share of its width, in percent. */
export const percentOf = (ms: number, spanMs: number) => Math.min(100, Math.max(0, (100 * ms) / spanMs));

import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatUsd } from '../src/components/format';
import { countGraph, edgeCount, itemPath, median, type TracedItem } from '../src/run-details/graph';
import { throttled } from '../src/run-details/throttle';
import { axisTicks, layoutTimeline } from '../src/run-details/timeline';
import { answeredByTask, answeredInline, at, atModel, t0, taskFailed, waiting } from './fixtures/traces';

const batch = [answeredInline, answeredByTask, taskFailed, atModel, waiting];

describe('an item’s path through the graph', () => {
  it('adds the passes no step records: Append after each tool, Dispatch and Append for the final answer', () => {
    expect(itemPath(answeredInline).map((v) => v.node)).toEqual([
      'Parse',
      'Model',
      'Dispatch',
      'Append',
      'Model',
      'Dispatch',
      'Append',
      'Finish',
    ]);
    expect(itemPath(answeredByTask).map((v) => v.node)).toEqual([
      'Parse',
      'Model',
      'Dispatch',
      'Analysis',
      'Append',
      'Model',
      'Dispatch',
      'Append',
      'Finish',
    ]);
  });

  it('goes to Failure from where the item stopped, not on to Append', () => {
    expect(itemPath(taskFailed).map((v) => `${v.node}:${v.outcome}`)).toEqual([
      'Parse:ok',
      'Model:ok',
      'Dispatch:failed',
      'Failure:failed',
    ]);
  });

  it('ends a running item where it is now, and a waiting one has no path', () => {
    expect(itemPath(atModel).map((v) => `${v.node}:${v.outcome}`)).toEqual(['Parse:ok', 'Model:running']);
    expect(itemPath(waiting)).toEqual([]);
  });

  it('fails from Parse, from a model call that recorded nothing, and from Append when the step budget ran out', () => {
    const parse: TracedItem = { status: 'FAILED', trace: [{ node: 'Parse', outcome: 'failed' }] };
    expect(itemPath(parse).map((v) => v.node)).toEqual(['Parse', 'Failure']);
    const model: TracedItem = {
      status: 'FAILED',
      trace: [
        { node: 'Parse', outcome: 'ok', durationMs: 5 },
        { node: 'Model', outcome: 'ok', turn: 0, durationMs: 50 },
        { node: 'Dispatch', outcome: 'ok', turn: 0, tool: 'list_datasets', durationMs: 8 },
        { node: 'Failure', outcome: 'failed', tool: 'model' },
      ],
    };
    expect(itemPath(model).map((v) => `${v.node}:${v.outcome}`)).toEqual([
      'Parse:ok',
      'Model:ok',
      'Dispatch:ok',
      'Append:ok',
      'Model:failed',
      'Failure:failed',
    ]);
    // A tool the model may call again (it read the failure): the budget check in Append ends the item.
    const budget: TracedItem = {
      status: 'FAILED',
      trace: [
        { node: 'Parse', outcome: 'ok' },
        { node: 'Model', outcome: 'ok', turn: 0 },
        { node: 'Dispatch', outcome: 'failed', turn: 0, tool: 'query_data' },
      ],
    };
    expect(itemPath(budget).map((v) => `${v.node}:${v.outcome}`)).toEqual([
      'Parse:ok',
      'Model:ok',
      'Dispatch:failed',
      'Append:failed',
      'Failure:failed',
    ]);
  });
});

describe('the graph’s counts', () => {
  const counts = countGraph(batch);
  const node = (name: Parameters<typeof edgeCount>[1]) => counts.nodes[name];

  it('counts items and passes per node, with the running and the failed ones', () => {
    expect(node('Parse')).toMatchObject({ items: 4, passes: 4, running: 0, failed: 0 });
    expect(node('Model')).toMatchObject({ items: 4, passes: 6, running: 1, failed: 0 });
    expect(node('Dispatch')).toMatchObject({ items: 3, passes: 5, running: 0, failed: 1 });
    expect(node('Analysis')).toMatchObject({ items: 1, passes: 1 });
    expect(node('Append')).toMatchObject({ items: 2, passes: 4 });
    expect(node('Finish')).toMatchObject({ items: 2, passes: 2 });
    expect(node('Failure')).toMatchObject({ items: 1, passes: 1 });
  });

  it('totals and takes the median of the measured passes only; nothing measured has no time', () => {
    expect(node('Parse')).toMatchObject({ measured: 4, totalMs: 100, medianMs: 25 });
    // 100, 200, 300, 100, 50: the running call and nothing else lack a time.
    expect(node('Model')).toMatchObject({ measured: 5, totalMs: 750, medianMs: 100 });
    expect(node('Dispatch')).toMatchObject({ measured: 1, totalMs: 30, medianMs: 30 });
    expect(node('Analysis')).toMatchObject({ measured: 1, totalMs: 5000, medianMs: 5000 });
    expect(node('Append').measured).toBe(0);
    expect(node('Append').totalMs).toBeUndefined();
    expect(node('Append').medianMs).toBeUndefined();
  });

  it('counts each edge as often as items took it: the loop, the task, the final answer and the failure', () => {
    expect(edgeCount(counts, 'Parse', 'Model')).toBe(4);
    expect(edgeCount(counts, 'Model', 'Dispatch')).toBe(5);
    expect(edgeCount(counts, 'Dispatch', 'Analysis')).toBe(1);
    expect(edgeCount(counts, 'Dispatch', 'Append')).toBe(3);
    expect(edgeCount(counts, 'Analysis', 'Append')).toBe(1);
    expect(edgeCount(counts, 'Append', 'Model')).toBe(2);
    expect(edgeCount(counts, 'Append', 'Finish')).toBe(2);
    expect(edgeCount(counts, 'Dispatch', 'Failure')).toBe(1);
    expect(edgeCount(counts, 'Append', 'Dispatch')).toBe(0);
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(median([40, 10, 30, 20])).toBe(25);
    expect(median([7])).toBe(7);
    expect(median([])).toBeUndefined();
  });
});

describe('the timeline', () => {
  const run = {
    startedAt: at(0),
    order: ['inline', 'task', 'failed', 'model', 'waiting'],
    items: {
      inline: { id: 'inline', ...answeredInline },
      task: { id: 'task', ...answeredByTask },
      failed: { id: 'failed', ...taskFailed },
      model: { id: 'model', ...atModel },
      waiting: { id: 'waiting', ...waiting },
    },
  } as const;

  it('places each step from the run’s start, and a running step reaches to now', () => {
    const timeline = layoutTimeline(run, t0 + 6000, true);
    expect(timeline.spanMs).toBe(6000);
    const task = timeline.bars.find((b) => b.id === 'task')!;
    expect(task.segments.map((s) => [s.node, s.startMs, s.endMs])).toEqual([
      ['Parse', 0, 20],
      ['Model', 20, 320],
      ['Analysis', 320, 5320],
      ['Model', 5320, 5420],
    ]);
    // No start of its own: it follows the step before, until now.
    const model = timeline.bars.find((b) => b.id === 'model')!;
    expect(model.segments.at(-1)).toMatchObject({
      node: 'Model',
      outcome: 'running',
      startMs: 40,
      endMs: 6000,
    });
    expect(timeline.bars.find((b) => b.id === 'waiting')!.segments).toEqual([]);
  });

  it('draws a step the failure stopped until the failure was caught, and the failure as a mark', () => {
    const failed = layoutTimeline(run, t0 + 6000, true).bars.find((b) => b.id === 'failed')!;
    expect(failed.segments.map((s) => [s.node, s.startMs, s.endMs, s.mark])).toEqual([
      ['Parse', 0, 30, false],
      ['Model', 30, 80, false],
      ['Dispatch', 80, 4000, false],
      ['Failure', 4000, 4000, true],
    ]);
  });

  it('ends an ended run’s axis where the run ended, whatever the time now', () => {
    const ended = { ...run, completedAt: at(7000) };
    expect(layoutTimeline(ended, t0 + 60_000, false).spanMs).toBe(7000);
  });

  it('puts round ticks on the axis', () => {
    expect(axisTicks(6000)).toEqual([0, 2000, 4000, 6000]);
    expect(axisTicks(850)).toEqual([0, 500]);
  });
});

describe('refreshing at most once a second', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('serves a burst of requests with one call now and one when the second is over', async () => {
    vi.useFakeTimers();
    const task = vi.fn(() => Promise.resolve());
    const refresh = throttled(task, 1000);
    for (let i = 0; i < 10; i++) {
      refresh.request();
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(task).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(5000);
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('never runs twice at once: a request during a slow call waits for it', async () => {
    vi.useFakeTimers();
    let finish: () => void = () => undefined;
    const task = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const refresh = throttled(task, 1000);
    refresh.request();
    await vi.advanceTimersByTimeAsync(3000);
    refresh.request();
    await vi.advanceTimersByTimeAsync(3000);
    expect(task).toHaveBeenCalledTimes(1);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('asks nothing more once stopped', async () => {
    vi.useFakeTimers();
    const task = vi.fn(() => Promise.resolve());
    const refresh = throttled(task, 1000);
    refresh.request();
    refresh.request();
    refresh.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(task).toHaveBeenCalledTimes(1);
  });
});

describe('dollars', () => {
  it('shows small amounts to three significant digits, never as an exponent', () => {
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(0.000_012_345)).toBe('$0.0000123');
    expect(formatUsd(1.2e-7)).toBe('$0.00000012');
    expect(formatUsd(0.0456)).toBe('$0.0456');
    expect(formatUsd(12.345)).toBe('$12.35');
  });
});

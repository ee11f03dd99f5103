import type { ServerMessageOf } from '@cascade/core/protocol';
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RunPanel } from '../src/components/RunPanel';
import { RunDetails, type RunInspector } from '../src/run-details/RunDetails';
import type { Run } from '../src/state/chat';
import { answeredInline, at, atModel, t0, taskFailed } from './fixtures/traces';

/** A batch at work: one item answered, one failed in its analysis task, one at the model. */
const running: Run = {
  executionId: 'e1',
  sessionId: 's1',
  status: 'RUNNING',
  total: 3,
  completed: 2,
  failed: 1,
  order: ['a', 'b', 'c'],
  startedAt: at(0),
  events: 7,
  items: {
    a: { id: 'a', ...answeredInline, durationMs: 340, steps: [] },
    b: {
      id: 'b',
      ...taskFailed,
      durationMs: 4000,
      error: 'The analysis task was stopped by SIGKILL.',
      steps: [],
    },
    c: { id: 'c', ...atModel, steps: [] },
  },
  cost: {
    usd: 0.000_123,
    estimate: true,
    region: 'us-east-1',
    lines: [
      { service: 'Step Functions state transitions', quantity: 24, unit: 'transitions', usd: 0.0006 },
      { service: 'Lambda requests', quantity: 12, unit: 'requests', usd: 0.000_002_4 },
    ],
  },
};

function inspector(overrides: Partial<RunInspector> = {}) {
  return {
    refreshRun: vi.fn(() => Promise.resolve()),
    traceItem: vi.fn(() => Promise.reject(new Error('not asked for in this test'))),
    ...overrides,
  } satisfies RunInspector;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("a run's details", () => {
  it('shows the execution graph with its numbers in words, the timeline and the cost, by their names', () => {
    vi.useFakeTimers({ now: t0 + 5000, toFake: ['Date'] });
    render(<RunDetails id="d" executionId="e1" run={running} inspect={inspector()} />);
    const region = screen.getByRole('region', { name: 'Run details' });

    const graph = within(region).getByRole('figure', { name: 'Execution graph' });
    const numbers = within(graph).getByRole('table', { name: 'Items, passes and time at each step' });
    const cells = (step: string) =>
      within(within(numbers).getByRole('rowheader', { name: step }).closest('tr')!)
        .getAllByRole('cell')
        .map((cell) => cell.textContent);
    // Items, passes, running now, failed here, total time, median time.
    expect(cells('Parse')).toEqual(['3', '3', '0', '0', '80 ms', '30 ms']);
    expect(cells('Model')).toEqual(['3', '4', '1', '0', '350 ms', '100 ms']);
    expect(cells('Dispatch')).toEqual(['2', '3', '0', '1', '30 ms', '30 ms']);
    expect(cells('Append')).toEqual(['1', '2', '0', '0', '—', '—']);
    expect(cells('Failure')).toEqual(['1', '1', '0', '0', '—', '—']);
    expect(within(graph).getByRole('list', { name: 'Paths taken' })).toHaveTextContent(
      'Append back to Model (another turn): 1 time',
    );

    const timeline = within(region).getByRole('list', { name: 'Timeline' });
    const bars = within(timeline).getAllByRole('listitem');
    expect(bars.map((bar) => bar.getAttribute('data-item-id'))).toEqual(['a', 'b', 'c']);
    // The model call still running reaches to now, five seconds in.
    expect(within(bars[2]!).getByTitle('Model, running for 5.0 s since 40 ms')).toBeInTheDocument();
    expect(within(bars[1]!).getByTitle('Dispatch · profile, 3.9 s, failed, from 80 ms')).toBeInTheDocument();
    expect(within(bars[1]!).getByTitle('Failure in profile at 4.0 s')).toBeInTheDocument();
    expect(
      within(bars[0]!).getByRole('button', { name: 'a, succeeded: show its steps' }),
    ).toBeInTheDocument();

    const cost = within(region).getByRole('table', { name: 'Cost' });
    expect(within(cost).getByRole('row', { name: /Step Functions state transitions/ })).toHaveTextContent(
      'Step Functions state transitions24transitions$0.0006',
    );
    expect(within(cost).getByRole('row', { name: /Total so far/ })).toHaveTextContent('$0.000123');
    expect(region).toHaveTextContent("An estimate at AWS's us-east-1 prices");
  });

  it('asks for the run once when opened, then at most once a second as its events arrive', async () => {
    vi.useFakeTimers();
    const inspect = inspector();
    const { rerender } = render(<RunDetails id="d" executionId="e1" run={running} inspect={inspect} />);
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(inspect.refreshRun).toHaveBeenCalledTimes(1);
    expect(inspect.refreshRun).toHaveBeenCalledWith('e1');
    for (let events = 8; events < 14; events++) {
      rerender(<RunDetails id="d" executionId="e1" run={{ ...running, events }} inspect={inspect} />);
      await act(() => vi.advanceTimersByTimeAsync(100));
    }
    expect(inspect.refreshRun).toHaveBeenCalledTimes(1);
    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(inspect.refreshRun).toHaveBeenCalledTimes(2);
    // Ended: asked once more for its final state, then never again.
    rerender(
      <RunDetails id="d" executionId="e1" run={{ ...running, status: 'PARTIAL' }} inspect={inspect} />,
    );
    await act(() => vi.advanceTimersByTimeAsync(5000));
    expect(inspect.refreshRun).toHaveBeenCalledTimes(3);
  });

  it('says when a refresh failed, and waits for the record before drawing', async () => {
    const inspect = inspector({ refreshRun: vi.fn(() => Promise.reject(new Error('Not connected.'))) });
    render(<RunDetails id="d" executionId="e9" run={undefined} inspect={inspect} />);
    expect(
      await screen.findByText("The run's details could not be brought up to date: Not connected."),
    ).toBeInTheDocument();
    expect(screen.queryByRole('figure')).toBeNull();
  });

  it('shows a past run as it ended: no "so far", nothing running', () => {
    const ended: Run = {
      ...running,
      status: 'PARTIAL',
      completedAt: at(6000),
      items: {
        ...running.items,
        c: { ...running.items.c!, status: 'SUCCEEDED', trace: running.items.a!.trace },
      },
    };
    render(<RunDetails id="d" executionId="e1" run={ended} inspect={inspector()} />);
    expect(screen.getByText('3 items · ran for 6.0 s')).toBeInTheDocument();
    expect(screen.getByRole('row', { name: /^Total/ })).toHaveTextContent('Total$0.000123');
    expect(screen.queryByText(/running/)).toBeNull();
  });

  it('says when the steps were left out, and brings an item’s full trace with what its tools were asked', async () => {
    const trace: ServerMessageOf<'trace'> = {
      action: 'trace',
      executionId: 'e1',
      sessionId: 's1',
      itemId: 'b',
      input: 'profile big.csv',
      status: 'FAILED',
      error: 'The analysis task was stopped by SIGKILL.',
      steps: [
        { node: 'Parse', outcome: 'ok', startedAt: at(0), durationMs: 30, detail: 'profile · big.csv' },
        {
          node: 'Model',
          outcome: 'ok',
          turn: 0,
          startedAt: at(30),
          durationMs: 50,
          provider: 'rules',
          detail: 'called profile',
        },
        { node: 'Dispatch', outcome: 'failed', turn: 0, tool: 'profile', input: '{"datasetId":"big.csv"}' },
        { node: 'Failure', outcome: 'failed', startedAt: at(4000), detail: 'in profile: stopped by SIGKILL' },
      ],
    };
    const inspect = inspector({ traceItem: vi.fn(() => Promise.resolve(trace)) });
    const omitted: Run = {
      ...running,
      stepsOmitted: true,
      items: Object.fromEntries(
        Object.entries(running.items).map(([id, item]) => [id, { ...item, trace: undefined }]),
      ),
    };
    render(<RunDetails id="d" executionId="e1" run={omitted} inspect={inspect} />);
    expect(screen.getByText(/too large to send every item's steps at once/)).toBeInTheDocument();
    const pick = screen.getByRole('button', { name: 'b, failed: show its steps' });
    await userEvent.click(pick);
    expect(inspect.traceItem).toHaveBeenCalledWith('e1', 'b');
    expect(pick).toHaveAttribute('aria-expanded', 'true');
    const steps = await screen.findByRole('table', { name: 'Trace of b' });
    expect(document.getElementById(pick.getAttribute('aria-controls')!)).toContainElement(steps);
    expect(screen.getByText('profile big.csv')).toBeInTheDocument();
    const rows = within(steps).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual([
      'Parse',
      'Model, turn 1',
      'Dispatch · profile',
      'Failure',
    ]);
    expect(rows[1]).toHaveTextContent('+30 ms50 msrulescalled profile');
    expect(rows[2]).toHaveTextContent('{"datasetId":"big.csv"}');
    expect(rows[3]).toHaveTextContent('in profile: stopped by SIGKILL');
    await userEvent.click(pick);
    expect(screen.queryByRole('table', { name: 'Trace of b' })).toBeNull();
  });
});

describe('the run panel’s "Run details" button', () => {
  it('opens and closes the details of the run it shows, asking the server when opened', async () => {
    const inspect = inspector();
    render(<RunPanel run={running} onCancel={vi.fn()} inspect={inspect} />);
    const button = screen.getByRole('button', { name: 'Run details' });
    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByRole('region', { name: 'Run details' })).toBeNull();
    await userEvent.click(button);
    const region = screen.getByRole('region', { name: 'Run details' });
    expect(button).toHaveAttribute('aria-controls', region.id);
    expect(inspect.refreshRun).toHaveBeenCalledWith('e1');
    await userEvent.click(button);
    expect(screen.queryByRole('region', { name: 'Run details' })).toBeNull();
  });

  it('is there for a single question too', async () => {
    const single: Run = { ...running, total: 1, order: ['a'], items: { a: running.items.a! } };
    render(<RunPanel run={single} onCancel={vi.fn()} inspect={inspector()} />);
    await userEvent.click(screen.getByRole('button', { name: 'Run details' }));
    expect(screen.getByRole('figure', { name: 'Execution graph' })).toBeInTheDocument();
  });
});

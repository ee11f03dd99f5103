import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { Answer } from '../src/components/Answer';
import { formatDuration } from '../src/components/format';
import { Markdown } from '../src/components/Markdown';
import { RunPanel } from '../src/components/RunPanel';
import type { Run } from '../src/state/chat';

const run: Run = {
  executionId: 'e1',
  sessionId: 's1',
  status: 'RUNNING',
  total: 4,
  completed: 3,
  failed: 1,
  order: ['a', 'b', 'c', 'd'],
  items: {
    a: {
      id: 'a',
      input: 'profile churn.csv',
      status: 'SUCCEEDED',
      durationMs: 1234,
      steps: [],
      output: { text: 'A done' },
    },
    b: { id: 'b', status: 'FAILED', durationMs: 80, error: 'No dataset named x.csv.', steps: [] },
    c: {
      id: 'c',
      status: 'RUNNING',
      steps: [
        { name: 'parse', status: 'succeeded' },
        { name: 'describe_dataset', status: 'started' },
      ],
    },
    d: { id: 'd', status: 'SUCCEEDED', durationMs: 20, steps: [] },
  },
};

describe('the run panel', () => {
  it('shows progress as a progressbar with done of total, the items running and the failed ones', () => {
    render(<RunPanel run={run} onCancel={vi.fn()} />);
    const bar = screen.getByRole('progressbar');
    expect(bar).toHaveAttribute('aria-valuenow', '3');
    expect(bar).toHaveAttribute('aria-valuemax', '4');
    expect(bar).toHaveAttribute('aria-valuetext', '3 of 4 done · 1 running · 1 failed · 75 %');
    expect(screen.getByText('3 of 4 done · 1 running · 1 failed · 75 %')).toBeInTheDocument();
  });

  it('shows items in progress from the start, before any has finished', () => {
    const starting: Run = {
      ...run,
      completed: 0,
      failed: 0,
      items: Object.fromEntries(run.order.map((id) => [id, { id, status: 'RUNNING' as const, steps: [] }])),
    };
    render(<RunPanel run={starting} onCancel={vi.fn()} />);
    expect(screen.getByText('0 of 4 done · 4 running · 0 %')).toBeInTheDocument();
    expect(document.querySelector('.progress-running')).toHaveStyle({ width: '100%' });
  });

  it('says "Cancelling…" at once, and a cancelled batch reads as cancelled, not as done', async () => {
    const onCancel = vi.fn();
    const { rerender } = render(<RunPanel run={run} onCancel={onCancel} />);
    const cancel = screen.getByRole('button', { name: 'Cancel run' });
    await userEvent.click(cancel);
    expect(screen.getByRole('button', { name: 'Cancelling…' })).toHaveAttribute('aria-disabled', 'true');
    await userEvent.click(screen.getByRole('button', { name: 'Cancelling…' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
    // The server settles the unfinished items: every item ended, yet the run was cancelled.
    rerender(<RunPanel run={{ ...run, status: 'ABORTED', completed: 4, failed: 2 }} onCancel={onCancel} />);
    expect(screen.getByText('Cancelled · 2 of 4 answered before it stopped')).toBeInTheDocument();
    expect(screen.queryByText(/100 %/)).toBeNull();
  });

  it("shows a single question's steps and time, without counts, a progress bar or the item's id", () => {
    const single: Run = {
      ...run,
      total: 1,
      completed: 1,
      failed: 0,
      status: 'SUCCEEDED',
      order: ['1'],
      items: {
        '1': {
          id: '1',
          status: 'SUCCEEDED',
          durationMs: 2_400,
          steps: [
            { name: 'parse', status: 'succeeded' },
            { name: 'profile', status: 'succeeded' },
          ],
        },
      },
    };
    render(<RunPanel run={single} onCancel={vi.fn()} />);
    const panel = screen.getByRole('region', { name: 'Run' });
    expect(within(panel).getByRole('list', { name: 'Steps' })).toHaveTextContent('parse');
    expect(panel).toHaveTextContent('2.4 s');
    expect(within(panel).queryByRole('progressbar')).toBeNull();
    expect(panel).not.toHaveTextContent('1 / 1');
    expect(panel).not.toHaveTextContent('100 %');
  });

  it('lists every item with its status, duration, error and steps', () => {
    render(<RunPanel run={run} onCancel={vi.fn()} />);
    const list = screen.getByRole('list', { name: 'Items' });
    const rows = within(list)
      .getAllByRole('listitem')
      .filter((li) => li.classList.contains('item'));
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual([
      'SUCCEEDED',
      'FAILED',
      'RUNNING',
      'SUCCEEDED',
    ]);
    expect(rows[0]).toHaveTextContent('1.2 s');
    expect(rows[1]).toHaveTextContent('No dataset named x.csv.');
    const steps = within(rows[2]!).getByRole('list', { name: 'Steps of c' });
    expect(steps).toHaveTextContent('parse');
    expect(steps).toHaveTextContent('describe dataset');
    expect(within(rows[0]!).getByText('Show answer')).toBeInTheDocument();
  });

  it('cancels a running run, and offers no cancel once it ended', async () => {
    const onCancel = vi.fn();
    const { rerender } = render(<RunPanel run={run} onCancel={onCancel} />);
    await userEvent.click(screen.getByRole('button', { name: 'Cancel run' }));
    expect(onCancel).toHaveBeenCalledWith('e1');
    rerender(<RunPanel run={{ ...run, status: 'ABORTED' }} onCancel={onCancel} />);
    expect(screen.queryByRole('button', { name: 'Cancel run' })).toBeNull();
    expect(screen.getByText('Cancelled')).toBeInTheDocument();
  });

  it('formats durations', () => {
    expect(formatDuration(undefined)).toBe('');
    expect(formatDuration(999)).toBe('999 ms');
    expect(formatDuration(61_000)).toBe('1 min 1 s');
  });
});

describe('answers', () => {
  it('renders markdown with tables', () => {
    render(
      <Markdown
        text={
          '**churn.csv** has 2 columns:\n\n| column | type |\n|---|---|\n| age | numeric |\n| churned | boolean |'
        }
      />,
    );
    expect(screen.getByText('churn.csv').tagName).toBe('STRONG');
    const table = screen.getByRole('table');
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['column', 'type']);
    expect(within(table).getAllByRole('row')).toHaveLength(3);
  });

  it('never injects raw HTML or script links from an answer', () => {
    const { container } = render(
      <Markdown
        text={'<img src=x onerror="alert(1)"> <script>alert(2)</script> [click](javascript:alert(3))'}
      />,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('a')?.getAttribute('href') ?? '').not.toContain('javascript');
  });

  it('shows a single answer once, with its structured tables', () => {
    const single: Run = {
      ...run,
      status: 'SUCCEEDED',
      total: 1,
      completed: 1,
      order: ['1'],
      items: {
        '1': {
          id: '1',
          status: 'SUCCEEDED',
          steps: [],
          output: { text: 'The answer.', tables: [{ title: 'Counts', columns: ['n'], rows: [[42]] }] },
        },
      },
    };
    render(<Answer content="The answer." run={single} />);
    expect(screen.getAllByText('The answer.')).toHaveLength(1);
    expect(screen.getByText('Counts')).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: '42' })).toBeInTheDocument();
  });
});

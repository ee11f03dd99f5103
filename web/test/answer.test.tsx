import { render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { Answer, LiveAnswer } from '../src/components/Answer';
import { RunPanel } from '../src/components/RunPanel';
import type { Run } from '../src/state/chat';

const answered = (overrides: Partial<Run> = {}): Run => ({
  executionId: 'e1',
  sessionId: 's1',
  status: 'SUCCEEDED',
  total: 1,
  completed: 1,
  failed: 0,
  order: ['1'],
  items: { '1': { id: '1', status: 'SUCCEEDED', steps: [], output: { text: 'The mean is 4.2.' } } },
  summary: 'The mean is 4.2.',
  ...overrides,
});

describe('the line under an answer', () => {
  it('names the offline planner, without token counts', () => {
    render(
      <Answer
        content="The mean is 4.2."
        run={answered({
          answeredBy: { provider: 'rules' },
          usage: { inputTokens: 0, outputTokens: 0, modelCalls: 0 },
        })}
      />,
    );
    const answer = screen.getByRole('article', { name: 'Answer' });
    expect(answer).toHaveTextContent(/Answered by the offline planner$/);
    expect(answer).not.toHaveTextContent('tokens');
  });

  it.each([
    {
      does: 'names the provider and model, with tokens in thousands, the cached share and the model calls',
      answeredBy: { provider: 'bedrock', model: 'amazon.nova-pro-v1:0' },
      usage: { inputTokens: 4_400, outputTokens: 90, modelCalls: 2, cacheReadTokens: 1_500 },
      footer:
        'Answered by bedrock · amazon.nova-pro-v1:0 · 4,400 tokens in (1,500 of them cached), 90 out · 2 model calls',
    },
    {
      does: 'says one model call, and leaves out the cache when none was read',
      answeredBy: { provider: 'openai', model: 'gpt-4o-mini' },
      usage: { inputTokens: 1_234_567, outputTokens: 1, modelCalls: 1, cacheReadTokens: 0 },
      footer: 'Answered by openai · gpt-4o-mini · 1,234,567 tokens in, 1 out · 1 model call',
    },
  ])('$does', ({ answeredBy, usage, footer }) => {
    render(<Answer content="The mean is 4.2." run={answered({ answeredBy, usage })} />);
    expect(screen.getByText(footer)).toBeInTheDocument();
  });

  it('names the dataset the answer came from, before who answered', () => {
    const run = answered({ answeredBy: { provider: 'rules' } });
    run.items['1'] = { ...run.items['1']!, datasets: ['churn.csv'] };
    render(<Answer content="The mean is 4.2." run={run} />);
    expect(screen.getByText('From churn.csv · Answered by the offline planner')).toBeInTheDocument();
  });

  it('names every dataset of an answer that read several', () => {
    const run = answered();
    run.items['1'] = { ...run.items['1']!, datasets: ['a.csv', 'b.csv', 'c.csv'] };
    render(<Answer content="The mean is 4.2." run={run} />);
    expect(screen.getByText('From a.csv, b.csv and c.csv')).toBeInTheDocument();
  });

  it('is absent for a run that does not say who answered (an older run)', () => {
    render(<Answer content="The mean is 4.2." run={answered()} />);
    expect(screen.queryByText(/Answered by/)).toBeNull();
  });
});

describe('an answer as the model writes it', () => {
  it('shows a single question’s text as markdown, marked as being written, in a polite live region', () => {
    const { container, rerender } = render(<LiveAnswer />);
    const region = container.querySelector('[aria-live="polite"]');
    expect(region).toBeEmptyDOMElement();
    rerender(<LiveAnswer text="Earnings **rose**" />);
    // The same region, now holding the text.
    expect(container.querySelector('[aria-live="polite"]')).toBe(region);
    const draft = screen.getByRole('article', { name: 'Answer being written' });
    expect(region).toContainElement(draft);
    expect(within(draft).getByText('rose').tagName).toBe('STRONG');
    expect(within(draft).getByText('Writing…')).toBeInTheDocument();
  });

  it('shows each running item’s text in its row of a batch, and the run’s tokens by the progress', () => {
    const batch: Run = {
      executionId: 'e1',
      sessionId: 's1',
      status: 'RUNNING',
      total: 2,
      completed: 1,
      failed: 0,
      order: ['a', 'b'],
      items: {
        a: { id: 'a', status: 'SUCCEEDED', steps: [], output: { text: 'A done' } },
        b: { id: 'b', status: 'RUNNING', steps: [], streamed: { turn: 2, text: 'The median is' } },
      },
      usage: { inputTokens: 12_000, outputTokens: 345, modelCalls: 3 },
    };
    render(<RunPanel run={batch} onCancel={vi.fn()} />);
    const [a, b] = within(screen.getByRole('list', { name: 'Items' }))
      .getAllByRole('listitem')
      .filter((li) => li.classList.contains('item'));
    const live = b!.querySelector('[aria-live="polite"]');
    expect(live).toHaveTextContent('The median is');
    expect(live).toHaveTextContent('Writing…');
    expect(a!.querySelector('[aria-live]')).toBeNull();
    expect(screen.getByText(/^1 of 2 done/)).toHaveTextContent(
      '1 of 2 done · 1 running · 50 % · 12,345 tokens',
    );
  });

  it('shows no streamed text once the run has ended', () => {
    const ended: Run = {
      executionId: 'e1',
      sessionId: 's1',
      status: 'ABORTED',
      total: 2,
      completed: 0,
      failed: 0,
      order: ['a', 'b'],
      items: {
        a: { id: 'a', status: 'PENDING', steps: [] },
        b: { id: 'b', status: 'RUNNING', steps: [], streamed: { turn: 1, text: 'Half a thought' } },
      },
    };
    render(<RunPanel run={ended} onCancel={vi.fn()} />);
    expect(screen.queryByText('Half a thought')).toBeNull();
    expect(screen.queryByText(/tokens/)).toBeNull();
  });
});

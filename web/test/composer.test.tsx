import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { Composer, type ComposerProps } from '../src/components/Composer';

function Harness(props: Partial<ComposerProps>) {
  const [draft, setDraft] = useState('');
  const [datasetId, setDatasetId] = useState('');
  return (
    <Composer
      datasets={[
        { id: 'churn.csv', name: 'churn.csv', sizeBytes: 100, sample: true },
        { id: 'mine.csv', name: 'mine.csv', sizeBytes: 100, sample: false },
      ]}
      datasetId={datasetId}
      onDatasetChange={setDatasetId}
      onSend={vi.fn(() => ({ ok: true as const }))}
      draft={draft}
      onDraftChange={setDraft}
      {...props}
    />
  );
}

describe('the composer', () => {
  it('sends on Enter, adds a line on Shift+Enter, and clears after sending', async () => {
    const onSend = vi.fn(() => ({ ok: true as const }));
    render(<Harness onSend={onSend} />);
    const user = userEvent.setup();
    const message = screen.getByRole('textbox', { name: 'Message' });
    await user.type(message, 'what columns{Shift>}{Enter}{/Shift}does churn.csv have?');
    expect(message).toHaveValue('what columns\ndoes churn.csv have?');
    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledWith({ content: 'what columns\ndoes churn.csv have?' });
    expect(message).toHaveValue('');
  });

  it('keeps the focus where the next question is written after Send is pressed', async () => {
    render(<Harness />);
    const user = userEvent.setup();
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'profile churn.csv');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveFocus();
    expect(document.activeElement).not.toBe(document.body);
  });

  it('sends the chosen dataset with the question', async () => {
    const onSend = vi.fn(() => ({ ok: true as const }));
    render(<Harness onSend={onSend} />);
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Dataset'), 'churn.csv');
    expect(screen.getByRole('option', { name: 'churn.csv (sample)' })).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'profile it');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(onSend).toHaveBeenCalledWith({ content: 'profile it', datasetId: 'churn.csv' });
  });

  it('in batch mode, points at the offending lines and sends nothing until they are fixed', async () => {
    const onSend = vi.fn(() => ({ ok: true as const }));
    render(<Harness onSend={onSend} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('switch', { name: 'Batch mode' }));
    const items = screen.getByRole('textbox', { name: 'Items' });
    await user.click(items);
    await user.paste('a: profile churn.csv\nb/2: bad id\na: again');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(onSend).not.toHaveBeenCalled();
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Line 2: an id may use only letters, digits');
    expect(alert).toHaveTextContent('Lines 1, 3 use the same id "a"');
    expect(items).toHaveAttribute('aria-invalid', 'true');

    await user.clear(items);
    await user.paste('a: profile churn.csv\nwhat columns does churn.csv have?');
    expect(screen.queryByRole('alert')).toBeNull();
    await user.keyboard('{Enter}');
    expect(onSend).toHaveBeenCalledWith({
      content: 'Batch of 2 items: profile churn.csv …',
      items: [
        { id: 'a', input: 'profile churn.csv' },
        { id: 'item-2', input: 'what columns does churn.csv have?' },
      ],
    });
  });

  it('shows why a message was refused before sending (e.g. over the 32 KB frame limit)', async () => {
    const onSend = vi.fn(() => ({
      ok: false as const,
      reason: 'This message is 40 KB; a WebSocket message may be at most 32 KB.',
    }));
    render(<Harness onSend={onSend} />);
    const user = userEvent.setup();
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'hello{Enter}');
    expect(screen.getByRole('alert')).toHaveTextContent('at most 32 KB');
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('hello');
  });

  it('gives back a question the server refused, with the reason, keeping what was typed since', async () => {
    const refused = {
      query: {
        messageId: 'm1',
        content: 'profile churn.csv',
        batch: false,
        items: [{ id: '1', input: 'profile churn.csv' }],
      },
      reason: 'You started 20 questions in the last minute, the most allowed; wait 12 s and ask again.',
    };
    const { rerender } = render(<Harness />);
    rerender(<Harness returned={refused} />);
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveValue('profile churn.csv');
    expect(screen.getByRole('alert')).toHaveTextContent(refused.reason);

    // Typed anew before the refusal came: the new text stays.
    const user = userEvent.setup();
    const message = screen.getByRole('textbox', { name: 'Message' });
    await user.clear(message);
    await user.type(message, 'something else');
    rerender(<Harness returned={{ ...refused, query: { ...refused.query, messageId: 'm2' } }} />);
    expect(message).toHaveValue('something else');
  });

  it('gives back a refused batch whole, in batch mode, ids as they were written', () => {
    const refused = {
      query: {
        messageId: 'b1',
        content: 'Batch of 2 items: profile churn.csv …',
        batch: true,
        items: [
          { id: 'item-1', input: 'profile churn.csv' },
          { id: 'q2', input: 'what columns does lalonde.csv have?' },
        ],
      },
      reason: 'A run is already in progress in this session; wait for it to end or cancel it.',
    };
    const { rerender } = render(<Harness />);
    rerender(<Harness returned={refused} />);
    expect(screen.getByRole('switch', { name: 'Batch mode' })).toBeChecked();
    expect(screen.getByRole('textbox', { name: 'Items' })).toHaveValue(
      'profile churn.csv\nq2: what columns does lalonde.csv have?',
    );
    expect(screen.getByRole('alert')).toHaveTextContent('A run is already in progress');
  });

  it('blocks sending while disconnected, says why, and says so again where Enter was pressed, keeping the text', async () => {
    const onSend = vi.fn(() => ({ ok: true as const }));
    render(
      <Harness
        onSend={onSend}
        blocked="Not connected to the server; your question can be sent once the connection is back."
      />,
    );
    const send = screen.getByRole('button', { name: 'Send' });
    expect(send).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByText(/^Not connected to the server/)).toBeInTheDocument();
    const user = userEvent.setup();
    const message = screen.getByRole('textbox', { name: 'Message' });
    await user.type(message, 'profile churn.csv{Enter}');
    expect(onSend).not.toHaveBeenCalled();
    expect(message).toHaveValue('profile churn.csv');
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Not sent: not connected to the server; your question can be sent once the connection is back. Your text is kept.',
    );
    await user.click(send);
    expect(onSend).not.toHaveBeenCalled();
    expect(send).toHaveFocus();
  });
});

import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { Sidebar, type SidebarProps } from '../src/components/Sidebar';

const props = (overrides: Partial<SidebarProps>): SidebarProps => ({
  email: 'ada@example.com',
  sessions: [
    {
      sessionId: '00000000-0000-4000-8000-000000000001',
      title: 'profile churn.csv',
      createdAt: '2026-11-22T09:00:00Z',
      updatedAt: '2026-11-22T09:00:00Z',
    },
  ],
  sessionsLoaded: true,
  moreSessions: false,
  loadingMoreSessions: false,
  onMoreSessions: vi.fn(),
  onOpen: vi.fn(),
  datasets: [],
  datasetsLoaded: true,
  datasetId: '',
  onPickDataset: vi.fn(),
  onUpload: vi.fn(),
  onSignOut: vi.fn(),
  ...overrides,
});

describe('the session list', () => {
  it('offers older sessions only when the server has more, and asks for them once while loading', async () => {
    const onMoreSessions = vi.fn();
    const { rerender } = render(<Sidebar {...props({ onMoreSessions })} />);
    expect(screen.queryByRole('button', { name: 'Show older sessions' })).toBeNull();

    rerender(<Sidebar {...props({ onMoreSessions, moreSessions: true })} />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Show older sessions' }));
    expect(onMoreSessions).toHaveBeenCalledTimes(1);

    rerender(<Sidebar {...props({ onMoreSessions, moreSessions: true, loadingMoreSessions: true })} />);
    expect(screen.getByRole('button', { name: 'Loading older sessions…' })).toBeDisabled();
  });
});

describe('uploading a dataset', () => {
  it('uploads a file named as people name files, says so in its own name and picks the id the server gave', async () => {
    const onUpload = vi.fn().mockResolvedValue('veracruz-2016.csv');
    const onPickDataset = vi.fn();
    render(<Sidebar {...props({ onUpload, onPickDataset })} />);
    const file = new File(['a,b\n1,2\n'], 'veracruz 2016.csv', { type: 'text/csv' });

    await userEvent.setup().upload(screen.getByLabelText('Upload CSV'), file);

    expect(onUpload).toHaveBeenCalledWith(file);
    expect(await screen.findByRole('status')).toHaveTextContent('Uploaded veracruz 2016.csv.');
    expect(onPickDataset).toHaveBeenCalledWith('veracruz-2016.csv');
  });
});

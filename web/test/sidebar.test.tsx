import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { Sidebar, type SidebarProps } from '../src/components/Sidebar';
import { checkDatasetFile, uploadAccept, uploadRefusal } from '../src/state/upload';

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
  onSignOutEverywhere: vi.fn(async () => undefined),
  ...overrides,
});

describe('signing out of all devices', () => {
  it('asks first, then signs out everywhere; Cancel does nothing', async () => {
    const onSignOutEverywhere = vi.fn(async () => undefined);
    render(<Sidebar {...props({ onSignOutEverywhere })} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Sign out of all devices' }));
    const group = screen.getByRole('group', { name: 'Sign out of all devices' });
    expect(group).toHaveTextContent('This ends your sign-in on every browser and terminal, this one too.');
    expect(screen.getByRole('button', { name: 'Sign out everywhere' })).toHaveFocus();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onSignOutEverywhere).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Sign out of all devices' }));
    await user.click(screen.getByRole('button', { name: 'Sign out everywhere' }));
    expect(onSignOutEverywhere).toHaveBeenCalledTimes(1);
  });

  it("shows the server's sentence when it cannot, and offers it again", async () => {
    const onSignOutEverywhere = vi.fn(async () => {
      throw new Error('Too many requests: wait a minute and try again.');
    });
    render(<Sidebar {...props({ onSignOutEverywhere })} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Sign out of all devices' }));
    await user.click(screen.getByRole('button', { name: 'Sign out everywhere' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Too many requests: wait a minute and try again.',
    );
    expect(screen.getByRole('button', { name: 'Sign out of all devices' })).toBeInTheDocument();
  });
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
    // aria-disabled, not disabled: a disabled button would drop the focus to the page.
    const loading = screen.getByRole('button', { name: 'Loading older sessions…' });
    expect(loading).toHaveAttribute('aria-disabled', 'true');
    expect(loading).toHaveFocus();
    await userEvent.setup().click(loading);
    expect(onMoreSessions).toHaveBeenCalledTimes(1);
  });

  it('hands the focus to the first older session when "Show older sessions" goes with the last page', async () => {
    const older = {
      sessionId: '00000000-0000-4000-8000-000000000002',
      title: 'an older session',
      createdAt: '2020-01-01T00:00:00Z',
      updatedAt: '2020-01-01T00:00:00Z',
    };
    const base = props({});
    const { rerender } = render(<Sidebar {...base} moreSessions />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Show older sessions' }));
    rerender(<Sidebar {...base} moreSessions loadingMoreSessions />);
    rerender(<Sidebar {...base} sessions={[...base.sessions, older]} />);

    expect(screen.queryByRole('button', { name: /older sessions/ })).toBeNull();
    expect(screen.getByRole('link', { name: /an older session/ })).toHaveFocus();
  });

  it('offers a Close button only when it is an open drawer', async () => {
    const onClose = vi.fn();
    const { rerender } = render(<Sidebar {...props({})} />);
    expect(screen.queryByRole('button', { name: 'Close menu' })).toBeNull();
    rerender(<Sidebar {...props({ onClose })} />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Close menu' }));
    expect(onClose).toHaveBeenCalledOnce();
  });
});

/** Bytes shaped as Parquet is for the checks: its marker, some data, a footer length and the marker again. */
const parquet = new Uint8Array([
  ...new TextEncoder().encode('PAR1'),
  ...new Array(40).fill(0x15),
  0x20,
  0,
  0,
  0,
  ...new TextEncoder().encode('PAR1'),
]);

describe('uploading a dataset', () => {
  it('uploads a file named as people name files, says so in its own name and picks the id the server gave', async () => {
    const onUpload = vi.fn().mockResolvedValue('veracruz-2016.csv');
    const onPickDataset = vi.fn();
    render(<Sidebar {...props({ onUpload, onPickDataset })} />);
    const file = new File(['a,b\n1,2\n'], 'veracruz 2016.csv', { type: 'text/csv' });

    await userEvent.setup().upload(screen.getByLabelText('Upload data'), file);

    expect(onUpload).toHaveBeenCalledWith(file);
    expect(await screen.findByRole('status')).toHaveTextContent('Uploaded veracruz 2016.csv.');
    expect(onPickDataset).toHaveBeenCalledWith('veracruz-2016.csv');
  });

  const upload = async (file: File, overrides: Partial<SidebarProps> = {}) => {
    const onUpload = vi.fn().mockResolvedValue('x.csv');
    render(<Sidebar {...props({ onUpload, ...overrides })} />);
    // applyAccept: false, as a person can pick "All files" in the dialog.
    await userEvent.setup({ applyAccept: false }).upload(screen.getByLabelText('Upload data'), file);
    return onUpload;
  };

  it('refuses an empty file, saying so, without sending anything', async () => {
    const onUpload = await upload(new File([], 'empty.csv'));
    expect(await screen.findByRole('alert')).toHaveTextContent('empty.csv is empty.');
    expect(onUpload).not.toHaveBeenCalled();
  });

  it('refuses binary data named .csv before it becomes a dataset', async () => {
    const onUpload = await upload(
      new File([new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0x14])], 'junk.csv'),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent('junk.csv holds binary data, not CSV text');
    expect(onUpload).not.toHaveBeenCalled();
  });

  it('refuses text that is not UTF-8, saying how to save it', async () => {
    const latin1 = new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x4a, 0x6f, 0x73, 0xe9, 0x0a]); // "name\nJosé" in Latin-1
    const onUpload = await upload(new File([latin1], 'people.csv'));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'people.csv is not UTF-8 text. Save it as "CSV UTF-8"',
    );
    expect(onUpload).not.toHaveBeenCalled();
  });

  it('refuses a file that is neither .csv nor .parquet', async () => {
    const onUpload = await upload(new File(['x'], 'report.xlsx'));
    expect(await screen.findByRole('alert')).toHaveTextContent('report.xlsx is not a .csv or .parquet file.');
    expect(onUpload).not.toHaveBeenCalled();
  });

  it('uploads a Parquet file, which is binary, as it is', async () => {
    const onUpload = vi.fn().mockResolvedValue('sales-2026.parquet');
    const onPickDataset = vi.fn();
    render(<Sidebar {...props({ onUpload, onPickDataset })} />);
    const file = new File([parquet], 'sales 2026.parquet');
    await userEvent.setup().upload(screen.getByLabelText('Upload data'), file);
    expect(onUpload).toHaveBeenCalledWith(file);
    expect(await screen.findByRole('status')).toHaveTextContent('Uploaded sales 2026.parquet.');
    expect(onPickDataset).toHaveBeenCalledWith('sales-2026.parquet');
  });

  it('refuses a file named .parquet that is not Parquet, saying what is wrong, without sending anything', async () => {
    const onUpload = await upload(new File(['region,amount\nnorth,10\n'], 'sales.parquet'));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'sales.parquet is not a Parquet file: it does not begin with Parquet\'s "PAR1" marker. Export it again as Parquet (or as CSV) and upload that.',
    );
    expect(onUpload).not.toHaveBeenCalled();
  });

  it('asks before replacing a file uploaded under the same name, and keeps it when told no', async () => {
    const earlier = { id: 'sales.csv', name: 'sales.csv', sizeBytes: 10, sample: false };
    const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false);
    const onUpload = await upload(new File(['a\n1\n'], 'sales.csv'), { datasets: [earlier] });
    expect(confirm).toHaveBeenCalledWith(
      'Replace sales.csv? The file you uploaded before under this name will be replaced.',
    );
    expect(onUpload).not.toHaveBeenCalled();
    expect(await screen.findByRole('status')).toHaveTextContent('Kept the sales.csv you uploaded before.');
    confirm.mockRestore();
  });
});

describe('the checks before an upload', () => {
  it('name the size limit in the sentence for a file over it', async () => {
    const big = new File(['a,b\n1,2\n'], 'big.csv');
    expect(await checkDatasetFile(big, 4)).toBe('big.csv is 8 B; the largest file Cascade takes is 4 B.');
    expect(await checkDatasetFile(new File(['a,b\n1,2\n'], 'ok.CSV'))).toBeUndefined();
  });

  it('take a Parquet file by the marker at its start and end, and refuse one cut short or empty', async () => {
    expect(await checkDatasetFile(new File([parquet], 'ok.PARQUET'))).toBeUndefined();
    expect(await checkDatasetFile(new File([parquet.subarray(0, 20)], 'cut.parquet'))).toBe(
      'cut.parquet is not a whole Parquet file: it does not end with Parquet\'s "PAR1" marker (cut short while copying?). Export it again as Parquet (or as CSV) and upload that.',
    );
    expect(await checkDatasetFile(new File([], 'empty.parquet'))).toBe('empty.parquet is empty.');
  });

  it('say a Parquet file named .csv is Parquet, and how to fix its name', async () => {
    expect(await checkDatasetFile(new File([parquet], 'sales.csv'))).toBe(
      'sales.csv is a Parquet file named .csv. Rename it to end in .parquet and upload it again.',
    );
  });

  it('offer CSV and Parquet files in the file picker', () => {
    expect(uploadAccept).toBe('.csv,text/csv,.parquet,application/vnd.apache.parquet');
  });

  it("turn the server's refusal of a name into a sentence about the file", () => {
    expect(
      uploadRefusal('a/b.csv', {
        code: 'BAD_REQUEST',
        message: 'Invalid payload.name: must not contain / or \\.',
        details: { field: 'payload.name' },
      }),
    ).toBe(
      'a/b.csv cannot be uploaded under that name: must not contain / or \\. Rename the file and try again.',
    );
    expect(uploadRefusal('x.csv', { code: 'PAYLOAD_TOO_LARGE', message: 'Files up to 100 MB.' })).toBe(
      'Files up to 100 MB.',
    );
  });
});

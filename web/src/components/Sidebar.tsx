import type { DatasetSummary, SessionSummary } from '@cascade/core/protocol';
import { type ChangeEvent, useEffect, useRef, useState } from 'react';
import { checkDatasetFile, formatBytes, uploadAccept } from '../state/upload';

export interface SidebarProps {
  email: string;
  sessions: SessionSummary[];
  sessionsLoaded: boolean;
  /** Older sessions exist beyond those listed. */
  moreSessions: boolean;
  loadingMoreSessions: boolean;
  onMoreSessions: () => void;
  activeSessionId?: string;
  onOpen: (sessionId?: string) => void;
  datasets: DatasetSummary[];
  datasetsLoaded: boolean;
  datasetId: string;
  onPickDataset: (id: string) => void;
  onUpload: (file: File) => Promise<string>;
  onSignOut: () => void;
  /** Ends the sign-in on every device (this one too); rejects with a sentence to show. */
  onSignOutEverywhere: () => Promise<void>;
  /** Set when the sidebar is an open drawer (on a phone): a Close button is shown. */
  onClose?: () => void;
}

export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

function Datasets(props: SidebarProps) {
  const [upload, setUpload] = useState<{ state: 'busy' | 'done' | 'failed'; text: string }>();
  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file || upload?.state === 'busy') return;
    const problem = await checkDatasetFile(file);
    if (problem) {
      setUpload({ state: 'failed', text: problem });
      return;
    }
    // The same name again replaces that upload: ask first.
    const earlier = props.datasets.find((d) => !d.sample && d.name === file.name);
    if (
      earlier &&
      !window.confirm(`Replace ${file.name}? The file you uploaded before under this name will be replaced.`)
    ) {
      setUpload({ state: 'done', text: `Kept the ${file.name} you uploaded before.` });
      return;
    }
    setUpload({ state: 'busy', text: `Uploading ${file.name}…` });
    try {
      // The server answers the dataset's id, derived from the name; the person sees their own name.
      const id = await props.onUpload(file);
      setUpload({ state: 'done', text: `Uploaded ${file.name}.` });
      props.onPickDataset(id);
    } catch (error) {
      setUpload({ state: 'failed', text: (error as Error).message });
    }
  };
  return (
    <section className="datasets">
      <div className="section-head">
        <h2>Datasets</h2>
        <label className="button ghost small upload">
          Upload data
          {/* aria-disabled, not disabled: the focus stays on it while the upload runs. */}
          <input
            type="file"
            accept={uploadAccept}
            onChange={onFile}
            aria-disabled={upload?.state === 'busy'}
          />
        </label>
      </div>
      {upload && (
        <p className={`upload-status ${upload.state}`} role={upload.state === 'failed' ? 'alert' : 'status'}>
          {upload.text}
        </p>
      )}
      <ul className="dataset-list">
        {props.datasetsLoaded && props.datasets.length === 0 && (
          <li className="muted small">No datasets yet.</li>
        )}
        {props.datasets.map((d) => (
          <li key={d.id}>
            <button
              type="button"
              className="dataset"
              aria-pressed={props.datasetId === d.id}
              onClick={() => props.onPickDataset(props.datasetId === d.id ? '' : d.id)}
            >
              <span className="dataset-name">{d.name}</span>
              {d.sample && <span className="tag">sample</span>}
              <span className="dataset-meta">
                {[
                  d.rows !== undefined && `${d.rows.toLocaleString('en-US')} rows`,
                  d.columns !== undefined && `${d.columns} cols`,
                  formatBytes(d.sizeBytes),
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Sessions (newest first), datasets, and the account. */
/**
 * Who is signed in, and signing out: here, or on every device at once (which asks first, since it
 * also ends the sign-in of every other browser and terminal).
 */
function Account(props: SidebarProps) {
  const [step, setStep] = useState<'idle' | 'confirm' | 'busy'>('idle');
  const [failure, setFailure] = useState<string>();
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (step === 'confirm') confirm.current?.focus();
  }, [step]);
  const everywhere = async () => {
    setStep('busy');
    setFailure(undefined);
    try {
      await props.onSignOutEverywhere();
    } catch (error) {
      setFailure((error as Error).message);
      setStep('idle');
    }
  };
  return (
    <footer className="account">
      <div className="account-row">
        <span className="email" title={props.email}>
          {props.email}
        </span>
        <button type="button" className="button ghost small" onClick={props.onSignOut}>
          Sign out
        </button>
      </div>
      {step === 'idle' ? (
        <button type="button" className="button ghost small" onClick={() => setStep('confirm')}>
          Sign out of all devices
        </button>
      ) : (
        <fieldset className="confirm-everywhere">
          <legend className="visually-hidden">Sign out of all devices</legend>
          <p>This ends your sign-in on every browser and terminal, this one too. API keys keep working.</p>
          <div className="account-row">
            <button
              ref={confirm}
              type="button"
              className="button small danger"
              onClick={() => void everywhere()}
              aria-disabled={step === 'busy'}
            >
              {step === 'busy' ? 'Signing out…' : 'Sign out everywhere'}
            </button>
            <button
              type="button"
              className="button ghost small"
              onClick={() => setStep('idle')}
              disabled={step === 'busy'}
            >
              Cancel
            </button>
          </div>
        </fieldset>
      )}
      {failure && (
        <p role="alert" className="account-failure">
          {failure}
        </p>
      )}
    </footer>
  );
}

export function Sidebar(props: SidebarProps) {
  const list = useRef<HTMLUListElement>(null);
  const moreButton = useRef<HTMLButtonElement>(null);
  /** How many sessions were listed when "Show older sessions" was pressed with the focus on it. */
  const listedBeforeMore = useRef<number | undefined>(undefined);
  const { moreSessions, loadingMoreSessions, sessions } = props;
  // The button goes when the oldest page is in: the focus moves to the first session it brought.
  useEffect(() => {
    if (loadingMoreSessions || listedBeforeMore.current === undefined) return;
    if (!moreSessions) {
      const links = list.current?.querySelectorAll('a');
      links?.[Math.min(listedBeforeMore.current, links.length - 1)]?.focus();
    }
    listedBeforeMore.current = undefined;
  }, [loadingMoreSessions, moreSessions]);
  return (
    <div className="sidebar-inner">
      <div className="brand">
        <span className="logo" aria-hidden="true" />
        Cascade
        {props.onClose && (
          <button
            type="button"
            className="button ghost small drawer-close"
            aria-label="Close menu"
            onClick={props.onClose}
          >
            Close
          </button>
        )}
      </div>
      <button type="button" className="button primary wide" onClick={() => props.onOpen(undefined)}>
        New session
      </button>
      <nav aria-label="Sessions" className="sessions">
        <h2>Sessions</h2>
        {props.sessionsLoaded && props.sessions.length === 0 && (
          <p className="muted small">No sessions yet. Ask a question to start one.</p>
        )}
        <ul ref={list}>
          {props.sessions.map((s) => (
            <li key={s.sessionId}>
              <a
                href={`#/session/${s.sessionId}`}
                aria-current={s.sessionId === props.activeSessionId ? 'page' : undefined}
                onClick={(event) => {
                  event.preventDefault();
                  props.onOpen(s.sessionId);
                }}
              >
                <span className="session-title">{s.title}</span>
                <span className="session-meta">
                  {s.lastExecutionStatus && (
                    <span className={`dot dot-${s.lastExecutionStatus.toLowerCase()}`} aria-hidden="true" />
                  )}
                  {relativeTime(s.updatedAt)}
                </span>
              </a>
            </li>
          ))}
        </ul>
        {props.moreSessions && (
          <button
            ref={moreButton}
            type="button"
            className="button ghost small more-sessions"
            onClick={() => {
              if (loadingMoreSessions) return;
              if (document.activeElement === moreButton.current) listedBeforeMore.current = sessions.length;
              props.onMoreSessions();
            }}
            aria-disabled={loadingMoreSessions}
          >
            {props.loadingMoreSessions ? 'Loading older sessions…' : 'Show older sessions'}
          </button>
        )}
      </nav>
      <Datasets {...props} />
      <Account {...props} />
    </div>
  );
}

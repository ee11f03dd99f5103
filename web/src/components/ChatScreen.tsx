import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ConnectionStatus } from '../net/connection';
import { latestRun, liveText, onlyItem, runEnded } from '../state/chat';
import { useChat } from '../state/useChat';
import { Answer, LiveAnswer } from './Answer';
import { Composer } from './Composer';
import { RunPanel } from './RunPanel';
import { Sidebar } from './Sidebar';

const examples = [
  'which datasets are there?',
  'what columns does churn.csv have?',
  'profile churn.csv',
  'what is the effect of treat on re78 in lalonde.csv adjusting for age and educ?',
];

function ConnectionBadge({ status }: { status: ConnectionStatus }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (status.state !== 'waiting') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [status]);
  const text =
    status.state === 'open'
      ? 'Connected'
      : status.state === 'waiting'
        ? `Offline · retrying in ${Math.max(0, Math.ceil((status.retryAt - now) / 1000))} s`
        : status.state === 'connecting'
          ? status.attempt > 0
            ? 'Reconnecting…'
            : 'Connecting…'
          : 'Disconnected';
  return (
    <span className={`connection connection-${status.state}`} role="status">
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

export interface ChatScreenProps {
  websocketUrl: string;
  email: string;
  token: () => Promise<string>;
  onSignOut: () => void;
}

/** The signed-in app: sessions and datasets on the side, the conversation, the run, the composer. */
export function ChatScreen({ websocketUrl, email, token, onSignOut }: ChatScreenProps) {
  const chat = useChat(websocketUrl, token);
  const { state, status } = chat;
  const [datasetId, setDatasetId] = useState('');
  const [draft, setDraft] = useState('');
  const [menuOpen, setMenuOpen] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const run = latestRun(state);
  const session = state.sessions.find((s) => s.sessionId === state.activeSessionId);
  const inFlight =
    (run && !runEnded(run.status)) ||
    Object.values(state.pending).some((q) => q.sessionId === state.activeSessionId);

  // Keep the newest content in view as the run progresses, unless the person scrolled up to read.
  const stuckToBottom = useRef(true);
  const progressKey = `${state.turns.length}:${run?.completed}:${run?.status}:${run ? Object.values(run.items).reduce((n, i) => n + i.steps.length + (i.streamed?.text.length ?? 0), 0) : 0}`;
  useEffect(() => {
    const element = scroller.current;
    if (element && progressKey && stuckToBottom.current) element.scrollTop = element.scrollHeight;
  }, [progressKey]);
  const onScroll = () => {
    const element = scroller.current;
    if (element)
      stuckToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 120;
  };

  // Earlier messages go in above what the person is reading; the view stays on it.
  const heightBeforeEarlier = useRef<number | undefined>(undefined);
  const loadEarlier = () => {
    heightBeforeEarlier.current = scroller.current?.scrollHeight;
    chat.loadEarlierMessages();
  };
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || heightBeforeEarlier.current === undefined || state.loadingEarlier) return;
    element.scrollTop += element.scrollHeight - heightBeforeEarlier.current;
    heightBeforeEarlier.current = undefined;
    // The earlier page's turns arrive in the same update that ends the loading.
  }, [state.loadingEarlier]);

  // Escape closes the menu on a phone, as the scrim does for a pointer.
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setMenuOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  const open = (sessionId?: string) => {
    chat.openSession(sessionId);
    setMenuOpen(false);
  };

  const blocked =
    status.state !== 'open'
      ? 'Not connected to the server; your question can be sent once the connection is back.'
      : inFlight
        ? 'A run is in progress in this session: wait for it, cancel it, or start a new session.'
        : undefined;

  const answerRuns = new Set(state.turns.filter((t) => t.role === 'assistant').map((t) => t.executionId));
  const single = run && onlyItem(run);
  const writing = run && single && !runEnded(run.status) && !answerRuns.has(run.executionId);
  return (
    <div className={`app${menuOpen ? ' menu-open' : ''}`}>
      <aside className="sidebar" id="sidebar">
        <Sidebar
          email={email}
          sessions={state.sessions}
          sessionsLoaded={state.sessionsLoaded}
          moreSessions={state.sessionsCursor !== undefined}
          loadingMoreSessions={state.loadingOlderSessions}
          onMoreSessions={chat.loadOlderSessions}
          activeSessionId={state.activeSessionId}
          onOpen={open}
          datasets={state.datasets}
          datasetsLoaded={state.datasetsLoaded}
          datasetId={datasetId}
          onPickDataset={setDatasetId}
          onUpload={chat.upload}
          onSignOut={onSignOut}
        />
      </aside>
      {menuOpen && (
        <button type="button" className="scrim" aria-label="Close menu" onClick={() => setMenuOpen(false)} />
      )}
      <main className="main">
        <header className="topbar">
          <button
            type="button"
            className="button ghost menu-button"
            aria-expanded={menuOpen}
            aria-controls="sidebar"
            onClick={() => setMenuOpen((v) => !v)}
          >
            Menu
          </button>
          <h1 className="session-heading">
            {session?.title ?? (state.activeSessionId ? 'Session' : 'New session')}
          </h1>
          <ConnectionBadge status={status} />
        </header>
        {state.notice && (
          <div className="notice" role="alert">
            <span>{state.notice}</span>
            <button type="button" className="button ghost small" onClick={chat.dismissNotice}>
              Dismiss
            </button>
          </div>
        )}
        <div className="scroller" ref={scroller} onScroll={onScroll}>
          <div className="column">
            {state.turns.length === 0 && !state.historyLoading && (
              <section className="welcome">
                <h2>What would you like to know?</h2>
                <p>
                  Ask about a dataset in plain words, or switch on <strong>Batch mode</strong> to send many
                  questions at once. Try one of these:
                </p>
                <ul className="examples">
                  {examples.map((example) => (
                    <li key={example}>
                      <button type="button" className="chip" onClick={() => setDraft(example)}>
                        {example}
                      </button>
                    </li>
                  ))}
                </ul>
              </section>
            )}
            {state.historyLoading && state.turns.length === 0 && (
              <p className="muted">Loading the conversation…</p>
            )}
            {state.historyCursor !== undefined && state.turns.length > 0 && (
              <button
                type="button"
                className="button ghost small earlier"
                onClick={loadEarlier}
                disabled={state.loadingEarlier}
              >
                {state.loadingEarlier ? 'Loading earlier messages…' : 'Load earlier messages'}
              </button>
            )}
            <div className="conversation" role="log" aria-label="Conversation">
              {state.turns.map((turn) =>
                turn.role === 'user' ? (
                  <article className="turn user" key={turn.key} aria-label="Question">
                    <div className="bubble">
                      <p className="user-text">{turn.content}</p>
                    </div>
                  </article>
                ) : (
                  <Answer
                    key={turn.key}
                    content={turn.content}
                    run={turn.executionId ? state.runs[turn.executionId] : undefined}
                  />
                ),
              )}
              {run?.summary && !answerRuns.has(run.executionId) && <Answer content={run.summary} run={run} />}
              {writing && <LiveAnswer text={liveText(run, single)} />}
            </div>
            {run && <RunPanel run={run} onCancel={chat.cancelRun} />}
          </div>
        </div>
        <Composer
          datasets={state.datasets}
          datasetId={datasetId}
          onDatasetChange={setDatasetId}
          onSend={chat.send}
          blocked={blocked}
          draft={draft}
          onDraftChange={setDraft}
          {...(state.returned && { returned: state.returned })}
        />
      </main>
    </div>
  );
}

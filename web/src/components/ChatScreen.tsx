import { type KeyboardEvent, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ConnectionStatus } from '../net/connection';
import { RunDetailsDisclosure } from '../run-details/RunDetails';
import { type Announced, runAnnouncement } from '../state/announce';
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
  // Not a live region: the countdown would be read out every second. Changes are announced once, elsewhere.
  return (
    <span className={`connection connection-${status.state}`}>
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

/** Whether the sidebar is a drawer (the phone layout in styles.css). */
function usePhoneLayout(): boolean {
  const query = '(max-width: 760px)';
  const [phone, setPhone] = useState(() => typeof matchMedia === 'function' && matchMedia(query).matches);
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const list = matchMedia(query);
    const onChange = () => setPhone(list.matches);
    list.addEventListener('change', onChange);
    return () => list.removeEventListener('change', onChange);
  }, []);
  return phone;
}

const focusable =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Tab and Shift+Tab stay inside `container`: it is a modal dialog. */
function containTab(event: KeyboardEvent, container: HTMLElement | null) {
  if (event.key !== 'Tab' || !container) return;
  const all = [...container.querySelectorAll<HTMLElement>(focusable)].filter((e) => e.offsetParent !== null);
  const first = all[0];
  const last = all[all.length - 1];
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

export interface ChatScreenProps {
  websocketUrl: string;
  email: string;
  token: (renew?: boolean) => Promise<string>;
  /** Signs out here; `reason` is shown on the sign-in screen. */
  onSignOut: (reason?: string) => void;
  /** Shown in place of the sign-in form, which had the focus: move it to the conversation's heading. */
  takeFocus?: boolean;
}

/** The signed-in app: sessions and datasets on the side, the conversation, the run, the composer. */
export function ChatScreen({ websocketUrl, email, token, onSignOut, takeFocus }: ChatScreenProps) {
  const chat = useChat(websocketUrl, token);
  const { state, status } = chat;
  const [datasetId, setDatasetId] = useState('');
  const [draft, setDraft] = useState('');
  const [menuOpen, setMenuOpen] = useState(false);
  const phone = usePhoneLayout();
  /** On a phone the open sidebar is a modal dialog; on a wide screen it is always there. */
  const drawer = phone && menuOpen;
  const scroller = useRef<HTMLElement>(null);
  const sidebar = useRef<HTMLElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
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
    if (state.loadingEarlier) return;
    heightBeforeEarlier.current = scroller.current?.scrollHeight;
    earlierHadFocus.current = document.activeElement === earlierButton.current;
    chat.loadEarlierMessages();
  };
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || heightBeforeEarlier.current === undefined || state.loadingEarlier) return;
    element.scrollTop += element.scrollHeight - heightBeforeEarlier.current;
    heightBeforeEarlier.current = undefined;
    // The earlier page's turns arrive in the same update that ends the loading.
  }, [state.loadingEarlier]);

  // Just signed in: the keyboard starts at the top of the conversation, not on the page's body.
  const focusOnArrival = useRef(takeFocus);
  useEffect(() => {
    if (focusOnArrival.current) heading.current?.focus({ preventScroll: true });
  }, []);

  // The drawer takes the focus when it opens and gives it back to the Menu button when it closes.
  const wasDrawer = useRef(false);
  useEffect(() => {
    if (drawer) sidebar.current?.querySelector<HTMLElement>('.drawer-close')?.focus();
    else if (wasDrawer.current) menuButton.current?.focus();
    wasDrawer.current = drawer;
  }, [drawer]);
  const closeMenu = () => setMenuOpen(false);
  const onDrawerKey = (event: KeyboardEvent<HTMLElement>) => {
    if (!drawer) return;
    if (event.key === 'Escape') {
      event.stopPropagation();
      closeMenu();
    } else containTab(event, sidebar.current);
  };

  // Run start, each quarter of a batch and the end are said once, politely; so is a lost connection.
  const [announcement, setAnnouncement] = useState({ text: '', n: 0 });
  const say = useCallback((text: string) => setAnnouncement((a) => ({ text, n: a.n + 1 })), []);
  const runAnnounced = useRef<Announced | undefined>(undefined);
  useEffect(() => {
    if (!run) return;
    const { text, announced } = runAnnouncement(runAnnounced.current, run);
    runAnnounced.current = announced;
    if (text) say(text);
  }, [run, say]);
  const connectionLost = useRef(false);
  useEffect(() => {
    if (status.state === 'waiting' && !connectionLost.current) say('Connection lost; retrying.');
    if (status.state === 'open' && connectionLost.current) say('Connected again.');
    if (status.state === 'waiting' || status.state === 'open')
      connectionLost.current = status.state === 'waiting';
  }, [status.state, say]);

  const open = (sessionId?: string) => {
    chat.openSession(sessionId);
    setMenuOpen(false);
  };

  // "Load earlier messages" goes once the first message is in: the focus moves to the conversation.
  const earlierButton = useRef<HTMLButtonElement>(null);
  const earlierHadFocus = useRef(false);
  const canLoadEarlier = state.historyCursor !== undefined && state.turns.length > 0;
  useEffect(() => {
    if (!canLoadEarlier && earlierHadFocus.current) scroller.current?.focus({ preventScroll: true });
    earlierHadFocus.current = false;
  }, [canLoadEarlier]);

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
      {/* A button, not a link: the hash is the session's address. */}
      <button type="button" className="skip-link" onClick={() => scroller.current?.focus()}>
        Skip to the conversation
      </button>
      <aside
        className="sidebar"
        id="sidebar"
        ref={sidebar}
        onKeyDown={onDrawerKey}
        {...(drawer && { role: 'dialog', 'aria-modal': true, 'aria-label': 'Menu' })}
      >
        <Sidebar
          {...(drawer && { onClose: closeMenu })}
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
          onSignOut={() => onSignOut()}
          onSignOutEverywhere={async () => {
            await chat.signOutEverywhere();
            onSignOut('You signed out of all devices. Sign in again to continue here.');
          }}
        />
      </aside>
      {/* For a pointer only: the keyboard has Escape and the drawer's own Close button. */}
      {menuOpen && <div className="scrim" aria-hidden="true" onClick={closeMenu} />}
      <main className="main" inert={drawer}>
        <header className="topbar">
          <button
            ref={menuButton}
            type="button"
            className="button ghost menu-button"
            aria-expanded={menuOpen}
            aria-controls="sidebar"
            onClick={() => setMenuOpen((v) => !v)}
          >
            Menu
          </button>
          <h1 className="session-heading" ref={heading} tabIndex={-1}>
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
        {/* Focusable, so the keyboard can scroll the conversation too. */}
        <section
          className="scroller"
          id="conversation"
          ref={scroller}
          onScroll={onScroll}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region takes the focus so the keyboard can scroll it
          tabIndex={0}
          aria-label="Conversation and run"
        >
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
            {canLoadEarlier && (
              <button
                ref={earlierButton}
                type="button"
                className="button ghost small earlier"
                onClick={loadEarlier}
                aria-disabled={state.loadingEarlier}
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
                    // The run in the panel below opens its details there.
                    runDetails={
                      turn.executionId &&
                      turn.executionId !== run?.executionId && (
                        <RunDetailsDisclosure
                          executionId={turn.executionId}
                          run={state.runs[turn.executionId]}
                          inspect={chat}
                        />
                      )
                    }
                  />
                ),
              )}
              {run?.summary && !answerRuns.has(run.executionId) && <Answer content={run.summary} run={run} />}
              {writing && <LiveAnswer text={liveText(run, single)} />}
            </div>
            {run && <RunPanel key={run.executionId} run={run} onCancel={chat.cancelRun} inspect={chat} />}
          </div>
        </section>
        <p className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
          {announcement.text && <span key={announcement.n}>{announcement.text}</span>}
        </p>
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

import { useRef, useState } from 'react';
import { RunDetailsDisclosure } from '../run-details/RunDetails';
import { latestRun, liveText, onlyItem, runEnded } from '../state/chat';
import { useChat } from '../state/useChat';
import { Answer, LiveAnswer } from './Answer';
import { Composer } from './Composer';
import { ConnectionBadge } from './ConnectionBadge';
import { RunPanel } from './RunPanel';
import { Sidebar } from './Sidebar';
import { useAnnouncements } from './useAnnouncements';
import { useEarlierMessages, useFocusOnArrival, useStickToBottom } from './useConversationScroll';
import { useDrawer } from './useDrawer';

const examples = [
  'which datasets are there?',
  'what columns does churn.csv have?',
  'profile churn.csv',
  'what is the effect of treat on re78 in lalonde.csv adjusting for age and educ?',
];

/** An empty session: what to ask, and examples that fill the composer. */
function Welcome({ onExample }: { onExample: (example: string) => void }) {
  return (
    <section className="welcome">
      <h2>What would you like to know?</h2>
      <p>
        Ask about a dataset in plain words, or switch on <strong>Batch mode</strong> to send many questions at
        once. Try one of these:
      </p>
      <ul className="examples">
        {examples.map((example) => (
          <li key={example}>
            <button type="button" className="chip" onClick={() => onExample(example)}>
              {example}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
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
  const { menuOpen, drawer, sidebar, menuButton, closeMenu, toggleMenu, onDrawerKey } = useDrawer();
  const scroller = useRef<HTMLElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const run = latestRun(state);
  const session = state.sessions.find((s) => s.sessionId === state.activeSessionId);
  const inFlight =
    (run && !runEnded(run.status)) ||
    Object.values(state.pending).some((q) => q.sessionId === state.activeSessionId);

  const onScroll = useStickToBottom(scroller, state.turns, run);
  const canLoadEarlier = state.historyCursor !== undefined && state.turns.length > 0;
  const { earlierButton, loadEarlier } = useEarlierMessages(scroller, {
    loading: state.loadingEarlier,
    available: canLoadEarlier,
    load: chat.loadEarlierMessages,
  });
  useFocusOnArrival(heading, takeFocus);
  const announcement = useAnnouncements(run, status);

  const open = (sessionId?: string) => {
    chat.openSession(sessionId);
    closeMenu();
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
            onClick={toggleMenu}
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
            {state.turns.length === 0 && !state.historyLoading && <Welcome onExample={setDraft} />}
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

import { type DatasetSummary, limits } from '@cascade/core/protocol';
import { type FormEvent, type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { SendResult } from '../net/connection';
import { batchContent, parseBatch, batchText as textOfBatch } from '../state/batch';
import type { PendingQuery } from '../state/chat';
import type { QueryInput } from '../state/useChat';

export interface ComposerProps {
  datasets: DatasetSummary[];
  datasetId: string;
  onDatasetChange: (id: string) => void;
  onSend: (query: QueryInput) => SendResult;
  /** Why sending is not possible now (disconnected, a run in progress), if it is not. */
  blocked?: string;
  draft: string;
  onDraftChange: (text: string) => void;
  /** A question the server refused: its text comes back here with the reason, unless something new was typed. */
  returned?: { query: PendingQuery; reason: string };
}

/** Where questions are written: one message, or a batch of items one per line. */
export function Composer(props: ComposerProps) {
  const [batch, setBatch] = useState(false);
  const [batchText, setBatchText] = useState('');
  /** A send found problems: they are shown, and follow the text, until it has none. */
  const [checking, setChecking] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  const hintId = useId();
  const problemsId = useId();
  const datasetSelectId = useId();
  const textarea = useRef<HTMLTextAreaElement>(null);
  const text = batch ? batchText : props.draft;
  const parsed = useMemo(() => (batch ? parseBatch(batchText) : undefined), [batch, batchText]);
  // Once the text has no problems, they are shown again only after another send.
  if (checking && !parsed?.problems.length) setChecking(false);
  const problems = checking && parsed ? parsed.problems : [];

  // A refused question comes back: its text (or its whole batch) and the reason, once per refusal.
  const { returned, draft, onDraftChange } = props;
  const returnedSeen = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!returned || returnedSeen.current === returned.query.messageId) return;
    returnedSeen.current = returned.query.messageId;
    setRefusal(returned.reason);
    if (returned.query.batch) {
      setBatch(true);
      setBatchText((current) => (current.trim() ? current : textOfBatch(returned.query.items)));
    } else if (!draft.trim()) {
      onDraftChange(returned.query.content);
    }
  }, [returned, draft, onDraftChange]);

  const setText = (value: string) => {
    setRefusal(undefined);
    if (batch) setBatchText(value);
    else props.onDraftChange(value);
  };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    // Said where the person is looking, not only in the hint: Enter must never do nothing.
    if (props.blocked)
      return setRefusal(
        `Not sent: ${props.blocked.replace(/^./, (c) => c.toLowerCase())} Your text is kept.`,
      );
    const datasetId = props.datasetId || undefined;
    let query: QueryInput;
    if (parsed) {
      setChecking(parsed.problems.length > 0);
      if (parsed.problems.length > 0) return;
      query = { content: batchContent(parsed.items), items: parsed.items, ...(datasetId && { datasetId }) };
    } else {
      const content = props.draft.trim();
      if (!content) return;
      if (content.length > limits.contentChars) {
        setRefusal(`The message is ${content.length} characters; the limit is ${limits.contentChars}.`);
        return;
      }
      query = { content, ...(datasetId && { datasetId }) };
    }
    const sent = props.onSend(query);
    if (!sent.ok) return setRefusal(sent.reason);
    setRefusal(undefined);
    if (batch) setBatchText('');
    else props.onDraftChange('');
    // Sent with the button: the next question is written where this one was.
    textarea.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  const describedBy = [hintId, problems.length > 0 || refusal ? problemsId : ''].filter(Boolean).join(' ');
  return (
    <form className="composer" onSubmit={submit}>
      <div className="composer-tools">
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            aria-checked={batch}
            checked={batch}
            onChange={(e) => {
              setBatch(e.target.checked);
              setChecking(false);
              setRefusal(undefined);
            }}
          />
          <span className="switch-track" aria-hidden="true" />
          Batch mode
        </label>
        <div className="dataset-picker">
          <label htmlFor={datasetSelectId}>Dataset</label>
          <select
            id={datasetSelectId}
            value={props.datasetId}
            onChange={(e) => props.onDatasetChange(e.target.value)}
          >
            <option value="">Any dataset</option>
            {props.datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
                {d.sample ? ' (sample)' : ''}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="composer-box">
        <textarea
          ref={textarea}
          aria-label={batch ? 'Items' : 'Message'}
          aria-describedby={describedBy}
          aria-invalid={problems.length > 0 || undefined}
          rows={batch ? 4 : 2}
          value={text}
          placeholder={
            batch
              ? 'One question per line, optionally named by an id:\nchurn: profile churn.csv\nwhat columns does lalonde.csv have?'
              : 'Ask about a dataset, e.g. “what columns does churn.csv have?”'
          }
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        {/* aria-disabled, not disabled: the button keeps the focus, and a press says why it cannot send. */}
        <button type="submit" className="button primary" aria-disabled={Boolean(props.blocked)}>
          Send
        </button>
      </div>
      <p id={hintId} className="composer-hint">
        {props.blocked ??
          (batch
            ? `${parsed?.items.length ?? 0} ${parsed?.items.length === 1 ? 'item' : 'items'} (at most ${limits.items}) · Enter sends · Shift+Enter for a new line`
            : 'Enter sends · Shift+Enter for a new line')}
      </p>
      {(problems.length > 0 || refusal) && (
        <div id={problemsId} className="problems" role="alert">
          {refusal && <p>{refusal}</p>}
          {problems.length > 0 && (
            <>
              <p>Fix these lines before sending:</p>
              <ul>
                {problems.map((problem) => (
                  <li key={problem.message} data-lines={problem.lines.join(',')}>
                    {problem.message}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </form>
  );
}

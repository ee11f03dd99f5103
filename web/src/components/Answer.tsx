import type { ItemOutput } from '@cascade/core/protocol';
import { lazy, type ReactNode, Suspense } from 'react';
import { onlyItem, type Run } from '../state/chat';
import { DataTable } from './DataTable';
import { Markdown } from './Markdown';
import { answeredByText, sourceText } from './usage';

/** Observable Plot is loaded with the first chart, not with the app. */
const Charts = lazy(() => import('../charts/Charts'));

/** The text, tables and charts of one item's answer. */
export function OutputView({ output, skipText = false }: { output: ItemOutput; skipText?: boolean }) {
  return (
    <>
      {!skipText && output.text && <Markdown text={output.text} />}
      {output.tables?.map((table, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: tables of one answer are positional
        <DataTable key={i} table={table} />
      ))}
      {output.charts && output.charts.length > 0 && (
        <Suspense fallback={<p className="muted">Drawing charts…</p>}>
          <Charts charts={output.charts} />
        </Suspense>
      )}
    </>
  );
}

/** Text the model is still writing, marked as such; the item's output will replace it. */
export function StreamedText({ text }: { text: string }) {
  return (
    <div className="streamed">
      <Markdown text={text} />
      <p className="writing muted small">Writing…</p>
    </div>
  );
}

/**
 * Where a single question's answer will appear, showing it as the model writes it. The live
 * region is there (empty) from the start of the run, so a screen reader hears the text arrive.
 */
export function LiveAnswer({ text }: { text?: string }) {
  return (
    <div className="live-answer" aria-live="polite">
      {text && (
        <article className="turn assistant" aria-label="Answer being written">
          <div className="avatar" aria-hidden="true">
            C
          </div>
          <div className="bubble">
            <StreamedText text={text} />
          </div>
        </article>
      )}
    </div>
  );
}

/**
 * An assistant message: the run's summary, and for a single question its tables and charts too;
 * `runDetails` goes last (the run's details, opened from the answer).
 */
export function Answer({ content, run, runDetails }: { content: string; run?: Run; runDetails?: ReactNode }) {
  const output = run && onlyItem(run)?.output;
  // Every answer says which data it is about, whatever was selected when it was asked.
  const source = run && sourceText(onlyItem(run)?.datasets);
  const text = content || run?.summary || '';
  return (
    <article className="turn assistant" aria-label="Answer">
      <div className="avatar" aria-hidden="true">
        C
      </div>
      <div className="bubble">
        {text && <Markdown text={text} />}
        {output && <OutputView output={output} skipText={output.text.trim() === text.trim()} />}
        {run?.outputsOmitted && (
          <p className="muted small">Some outputs were too large to send and are not shown.</p>
        )}
        {(source || run?.answeredBy) && (
          <p className="answered-by">
            {[source, run?.answeredBy && answeredByText(run.answeredBy, run.usage)]
              .filter(Boolean)
              .join(' · ')}
          </p>
        )}
        {runDetails}
      </div>
    </article>
  );
}

import { formatCount } from '@cascade/core/contract';
import type { ServerMessageOf, TraceStep } from '@cascade/core/protocol';
import { useEffect, useState } from 'react';
import { formatDuration } from '../components/format';
import { ScrollingTable } from '../components/ScrollingTable';
import { stepName } from './steps';

type ItemTraceMessage = ServerMessageOf<'trace'>;

/** What else a step says: who answered and the tokens, what a tool was asked, a task's wait. */
function stepFacts(step: TraceStep): string[] {
  const facts: string[] = [];
  if (step.node === 'Model') {
    const who = [step.provider, step.model].filter(Boolean).join(' · ');
    if (who) facts.push(who);
    if (step.inputTokens !== undefined)
      facts.push(`${formatCount(step.inputTokens)} in / ${formatCount(step.outputTokens ?? 0)} out tokens`);
  }
  if (step.queueMs !== undefined)
    facts.push(`waited ${formatDuration(step.queueMs)}, ran ${formatDuration(step.runMs ?? 0)}`);
  if (step.detail) facts.push(step.detail);
  return facts;
}

function StepRow({ step, origin }: { step: TraceStep; origin: number | undefined }) {
  const started = step.startedAt ? Date.parse(step.startedAt) : Number.NaN;
  const offset = origin !== undefined && !Number.isNaN(started) ? Math.max(0, started - origin) : undefined;
  return (
    <tr className={`trace-${step.outcome}`}>
      <th scope="row">{stepName(step)}</th>
      <td className="num">{offset === undefined ? '—' : `+${formatDuration(offset)}`}</td>
      <td className="num">
        {step.outcome === 'running'
          ? 'running…'
          : step.durationMs !== undefined
            ? formatDuration(step.durationMs)
            : '—'}
        {step.outcome === 'failed' && step.node !== 'Failure' && (
          <span className="trace-failed-mark"> · failed</span>
        )}
      </td>
      <td className="trace-detail">
        {step.input && <code>{step.input}</code>}
        {stepFacts(step).map((fact) => (
          <span key={fact} className="trace-fact">
            {fact}
          </span>
        ))}
      </td>
    </tr>
  );
}

const stepColumns = [
  { heading: 'Step' },
  { heading: 'Start', numeric: true },
  { heading: 'Time', numeric: true },
  { heading: 'Details' },
];

function StepsTable({ itemId, steps, origin }: { itemId: string; steps: TraceStep[]; origin?: number }) {
  return (
    <ScrollingTable
      label={`Trace of ${itemId}, scrollable`}
      className="trace-table"
      caption={<caption className="visually-hidden">{`Trace of ${itemId}`}</caption>}
      columns={stepColumns}
    >
      <tbody>
        {steps.map((step, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a step's place in its item is its identity
          <StepRow key={i} step={step} origin={origin} />
        ))}
      </tbody>
    </ScrollingTable>
  );
}

export interface ItemTraceProps {
  executionId: string;
  itemId: string;
  /** The run's start, which the steps' times are measured from. */
  runStartedAt?: string;
  /** Changes when the item moved on, so a running item's trace is asked for again. */
  version: string;
  load(executionId: string, itemId: string): Promise<ItemTraceMessage>;
}

/** One item's full trace (`execution.trace`): its question, and every step with what it was asked. */
export function ItemTrace({ executionId, itemId, runStartedAt, version, load }: ItemTraceProps) {
  const [trace, setTrace] = useState<ItemTraceMessage>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!version) return;
    let current = true;
    load(executionId, itemId).then(
      (answer) => {
        if (!current) return;
        setTrace(answer);
        setError(undefined);
      },
      (failure: unknown) => {
        if (current) setError(failure instanceof Error ? failure.message : String(failure));
      },
    );
    return () => {
      current = false;
    };
  }, [executionId, itemId, version, load]);
  const shown = trace?.itemId === itemId ? trace : undefined;
  const origin = runStartedAt ? Date.parse(runStartedAt) : undefined;
  return (
    <div className="item-trace">
      {!shown && !error && <p className="muted small">{`Loading the steps of ${itemId}…`}</p>}
      {error && <p className="item-error">{`The steps of ${itemId} could not be loaded: ${error}`}</p>}
      {shown && (
        <>
          <p className="trace-question">
            <span className="muted">{`${itemId} asked: `}</span>
            {shown.input}
          </p>
          {shown.error && <p className="item-error">{shown.error}</p>}
          {shown.steps.length > 0 ? (
            <StepsTable itemId={itemId} steps={shown.steps} origin={origin} />
          ) : (
            <p className="muted small">No steps yet: the item is waiting.</p>
          )}
        </>
      )}
    </div>
  );
}

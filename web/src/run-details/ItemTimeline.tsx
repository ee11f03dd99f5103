import type { ItemStatus } from '@cascade/core/protocol';
import { useId } from 'react';
import { formatDuration } from '../components/format';
import { useOverflows } from '../components/useOverflows';
import type { Run } from '../state/chat';
import { stepName } from './steps';
import { axisTicks, layoutTimeline, percentOf, type Segment } from './timeline';

const statusWords: Record<ItemStatus, string> = {
  PENDING: 'waiting',
  RUNNING: 'running',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
};

const tickLabel = (ms: number) => (ms === 0 ? '0' : formatDuration(ms));

/** What a segment is, in words: its title on hover and its text for a screen reader. */
function segmentText(segment: Segment, live: boolean): string {
  const name = stepName(segment);
  const start = tickLabel(segment.startMs);
  if (segment.mark)
    return `${name}${segment.outcome === 'failed' && segment.node !== 'Failure' ? ' failed' : ''} at ${start}`;
  const length = formatDuration(segment.endMs - segment.startMs);
  if (segment.outcome === 'running')
    return live ? `${name}, running for ${length} since ${start}` : `${name}, unfinished, from ${start}`;
  return `${name}, ${length}${segment.outcome === 'failed' ? ', failed' : ''}, from ${start}`;
}

const legend = [
  ['parse', 'Parse'],
  ['model', 'Model'],
  ['dispatch', 'Dispatch'],
  ['analysis', 'Analysis'],
  ['running', 'In progress'],
  ['failed', 'Failed'],
] as const;

export interface ItemTimelineProps {
  run: Run;
  live: boolean;
  now: number;
  /** The item whose full trace is shown, and how to show another's (or none). */
  picked?: string;
  onPick(itemId: string | undefined): void;
  /** The id of the trace shown under the timeline, which the item buttons control. */
  traceId: string;
}

/**
 * One bar per item on the run's time axis, its steps as segments: concurrency, waiting and the
 * slow items at a glance. An item's name opens its full trace.
 */
export function ItemTimeline({ run, live, now, picked, onPick, traceId }: ItemTimelineProps) {
  const titleId = useId();
  const [scroller, scrolls] = useOverflows<HTMLDivElement>('y');
  const timeline = layoutTimeline(run, now, live);
  const ticks = axisTicks(timeline.spanMs);
  return (
    <div className="details-part timeline">
      <h3 id={titleId} className="details-title">
        Timeline
      </h3>
      <ul className="timeline-legend" aria-label="Legend">
        {legend.map(([kind, text]) => (
          <li key={kind}>
            <span className={`swatch segment-${kind}`} aria-hidden="true" />
            {text}
          </li>
        ))}
      </ul>
      <div className="timeline-row timeline-axis" aria-hidden="true">
        <span />
        <span className="timeline-track">
          {ticks.map((tick) => (
            <span
              key={tick}
              className="timeline-tick"
              style={{ left: `${percentOf(tick, timeline.spanMs)}%` }}
            >
              {tickLabel(tick)}
            </span>
          ))}
        </span>
        <span />
      </div>
      <div
        ref={scroller}
        className="timeline-scroll"
        {...(scrolls && { tabIndex: 0, role: 'region', 'aria-label': 'Timeline, scrollable' })}
      >
        <ol className="timeline-bars" aria-labelledby={titleId}>
          {timeline.bars.map((bar) => {
            const item = run.items[bar.id];
            return (
              <li key={bar.id} className="timeline-row" data-item-id={bar.id} data-status={bar.status}>
                <button
                  type="button"
                  className={`timeline-label status-${bar.status.toLowerCase()}`}
                  // One name, starting with what it shows: "b2, failed: show its steps".
                  aria-label={`${bar.id}, ${statusWords[bar.status]}: show its steps`}
                  aria-expanded={picked === bar.id}
                  aria-controls={traceId}
                  onClick={() => onPick(picked === bar.id ? undefined : bar.id)}
                >
                  {bar.id}
                </button>
                <span className="timeline-track">
                  {bar.segments.map((segment, i) => {
                    const text = segmentText(segment, live);
                    const left = percentOf(segment.startMs, timeline.spanMs);
                    const width = percentOf(segment.endMs - segment.startMs, timeline.spanMs);
                    return (
                      <span
                        // biome-ignore lint/suspicious/noArrayIndexKey: a step's place in its item is its identity
                        key={i}
                        className={`segment segment-${segment.node.toLowerCase()} segment-${segment.outcome}${segment.mark ? ' segment-mark' : ''}${segment.outcome === 'running' && live ? ' segment-live' : ''}`}
                        style={{ left: `${left}%`, ...(!segment.mark && { width: `${width}%` }) }}
                        title={text}
                      >
                        <span className="visually-hidden">{`${text}; `}</span>
                      </span>
                    );
                  })}
                </span>
                <span className="timeline-duration">
                  {item?.durationMs !== undefined
                    ? formatDuration(item.durationMs)
                    : bar.status === 'PENDING'
                      ? 'waiting'
                      : live
                        ? '…'
                        : ''}
                </span>
              </li>
            );
          })}
        </ol>
      </div>
    </div>
  );
}

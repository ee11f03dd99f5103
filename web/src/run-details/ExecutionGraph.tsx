import { formatCount } from '@cascade/core/contract';
import { useId, useLayoutEffect, useRef, useState } from 'react';
import { formatDuration } from '../components/format';
import { edgeCount, type GraphCounts, type GraphNode, graphNodes, type NodeStats } from './graph';
import { type Box, type GraphLayout, type GraphShape, graphLayout, narrowBelowPx } from './graph-layout';

const plural = (count: number, one: string, many = `${one}s`) =>
  `${formatCount(count)} ${count === 1 ? one : many}`;
const time = (ms: number | undefined) => (ms === undefined ? '—' : formatDuration(ms));

/** "3 items", or "3 items · 5×" when some passed more than once. */
function passesText(stats: NodeStats): string {
  if (stats.passes === 0) return 'no items';
  const items = plural(stats.items, 'item');
  return stats.passes > stats.items ? `${items} · ${formatCount(stats.passes)}×` : items;
}

/** The graph's shape for the width it has: measured, so it follows the panel, not the window. */
function useShape() {
  const ref = useRef<HTMLDivElement>(null);
  const [shape, setShape] = useState<GraphShape>('wide');
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const width = element.clientWidth;
      // jsdom measures nothing: keep the wide shape.
      if (width > 0) setShape(width < narrowBelowPx ? 'narrow' : 'wide');
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, shape] as const;
}

function Pill({ x, y, text, kind }: { x: number; y: number; text: string; kind: 'running' | 'failed' }) {
  const width = text.length * 5.9 + 12;
  return (
    <g className={`graph-pill graph-pill-${kind}`}>
      <rect x={x - width / 2} y={y - 8} width={width} height={16} rx={8} />
      <text x={x} y={y + 3.5} textAnchor="middle">
        {text}
      </text>
    </g>
  );
}

function NodeBox({
  box,
  stats,
  shape,
  live,
}: {
  box: Box;
  stats: NodeStats;
  shape: GraphShape;
  live: boolean;
}) {
  const { node } = stats;
  const terminal = node === 'Finish' || node === 'Failure';
  const state =
    stats.passes === 0 ? 'idle' : node === 'Failure' ? 'failure' : node === 'Finish' ? 'finish' : 'visited';
  const timing = `total ${time(stats.totalMs)}`;
  const middle = `median ${time(stats.medianMs)}`;
  const running = stats.running > 0 && `${formatCount(stats.running)} ${live ? 'running' : 'unfinished'}`;
  const failed = stats.failed > 0 && `${formatCount(stats.failed)} failed`;
  const cx = box.x + box.w / 2;
  return (
    <g className={`graph-node graph-node-${state}`} data-node={node}>
      <rect x={box.x} y={box.y} width={box.w} height={box.h} rx={8} />
      {terminal ? (
        <>
          <text className="graph-name" x={cx} y={box.y + 19} textAnchor="middle">
            {node}
          </text>
          <text x={cx} y={box.y + 36} textAnchor="middle">
            {stats.passes === 0 ? 'no items' : plural(stats.items, 'item')}
          </text>
        </>
      ) : shape === 'wide' ? (
        <>
          <text className="graph-name" x={cx} y={box.y + 19} textAnchor="middle">
            {node}
          </text>
          <text x={cx} y={box.y + 36} textAnchor="middle">
            {passesText(stats)}
          </text>
          <text x={cx} y={box.y + 53} textAnchor="middle" className="graph-time">
            {timing}
          </text>
          <text x={cx} y={box.y + 69} textAnchor="middle" className="graph-time">
            {middle}
          </text>
        </>
      ) : (
        <>
          <text className="graph-name" x={box.x + 10} y={box.y + 22}>
            {node}
          </text>
          <text x={box.x + box.w - 10} y={box.y + 22} textAnchor="end">
            {passesText(stats)}
          </text>
          <text x={box.x + 10} y={box.y + 43} className="graph-time">
            {`${timing} · ${middle}`}
          </text>
        </>
      )}
      {shape === 'wide'
        ? [
            running && <Pill key="r" x={box.x + 30} y={box.y + box.h} text={running} kind="running" />,
            failed && <Pill key="f" x={box.x + box.w - 26} y={box.y + box.h} text={failed} kind="failed" />,
          ]
        : [
            running && <Pill key="r" x={box.x + box.w - 84} y={box.y} text={running} kind="running" />,
            failed && <Pill key="f" x={box.x + box.w - 30} y={box.y} text={failed} kind="failed" />,
          ]}
    </g>
  );
}

/** The picture: boxes, arrows with their counts, and the red ways to Failure that items took. */
function GraphPicture({ counts, layout, live }: { counts: GraphCounts; layout: GraphLayout; live: boolean }) {
  const marker = useId().replace(/:/g, '');
  const failing = graphNodes.filter((n) => n !== 'Failure' && counts.nodes[n].failed > 0);
  return (
    <svg
      className={`graph graph-${layout.shape}`}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      style={{ maxWidth: layout.width }}
      aria-hidden="true"
      focusable="false"
    >
      <defs>
        {(['taken', 'idle', 'failed'] as const).map((kind) => (
          <marker
            key={kind}
            id={`${marker}-${kind}`}
            className={`graph-arrowhead-${kind}`}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" />
          </marker>
        ))}
      </defs>
      {layout.arrows.map((arrow) => {
        const count = edgeCount(counts, arrow.from, arrow.to);
        const kind = count > 0 ? 'taken' : 'idle';
        return (
          <g key={`${arrow.from}-${arrow.to}`} className={`graph-edge graph-edge-${kind}`}>
            <path d={arrow.path} markerEnd={`url(#${marker}-${kind})`} />
            {arrow.label && count > 0 && (
              <text x={arrow.label.x} y={arrow.label.y} textAnchor="middle" className="graph-edge-count">
                {`${formatCount(count)}×`}
              </text>
            )}
          </g>
        );
      })}
      {failing.map((node) => (
        <g key={node} className="graph-edge graph-edge-failed">
          <path d={layout.toFailure(node)} markerEnd={`url(#${marker}-failed)`} />
        </g>
      ))}
      {graphNodes.map((node) => (
        <NodeBox
          key={node}
          box={layout.boxes[node]}
          stats={counts.nodes[node]}
          shape={layout.shape}
          live={live}
        />
      ))}
    </svg>
  );
}

/** The arrows a person may want counted, in words. */
const namedPaths: { from: GraphNode; to: GraphNode; text: string }[] = [
  { from: 'Dispatch', to: 'Analysis', text: 'Dispatch to Analysis (run as a task)' },
  { from: 'Dispatch', to: 'Append', text: 'Dispatch straight to Append (inline, or the final answer)' },
  { from: 'Append', to: 'Model', text: 'Append back to Model (another turn)' },
  { from: 'Append', to: 'Dispatch', text: 'Append back to Dispatch (the next call of one reply)' },
  { from: 'Append', to: 'Finish', text: 'Append to Finish (answered)' },
];

/**
 * The state machine with, on each node, how many items passed, how often, and the total and
 * median time there; failed paths in red. The picture is for the eyes; the same numbers are in
 * a table for screen readers.
 */
export function ExecutionGraph({ counts, live }: { counts: GraphCounts; live: boolean }) {
  const [holder, shape] = useShape();
  const titleId = useId();
  const layout = graphLayout(shape);
  return (
    <figure className="details-part execution-graph" aria-labelledby={titleId}>
      <figcaption>
        <h3 id={titleId} className="details-title">
          Execution graph
        </h3>
      </figcaption>
      <div ref={holder} className="graph-holder">
        <GraphPicture counts={counts} layout={layout} live={live} />
      </div>
      <p className="graph-key" aria-hidden="true">
        “3 items · 5×”: three items passed, five times in all (once per turn). Times are the total and median
        of the passes measured; — where a step records no time of its own.
      </p>
      <div className="visually-hidden">
        <table>
          <caption>Items, passes and time at each step</caption>
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Items</th>
              <th scope="col">Passes</th>
              <th scope="col">{live ? 'Running now' : 'Unfinished'}</th>
              <th scope="col">Failed here</th>
              <th scope="col">Total time</th>
              <th scope="col">Median time</th>
            </tr>
          </thead>
          <tbody>
            {graphNodes.map((node) => {
              const stats = counts.nodes[node];
              return (
                <tr key={node}>
                  <th scope="row">{node}</th>
                  <td>{formatCount(stats.items)}</td>
                  <td>{formatCount(stats.passes)}</td>
                  <td>{formatCount(stats.running)}</td>
                  <td>{formatCount(stats.failed)}</td>
                  <td>{time(stats.totalMs)}</td>
                  <td>{time(stats.medianMs)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <ul aria-label="Paths taken">
          {namedPaths.map(({ from, to, text }) => (
            <li key={`${from}-${to}`}>{`${text}: ${plural(edgeCount(counts, from, to), 'time')}`}</li>
          ))}
        </ul>
      </div>
    </figure>
  );
}

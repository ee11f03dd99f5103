import type { GraphNode } from './graph';

/**
 * Where the execution graph's boxes and arrows go: `wide`, the state machine left to right with
 * the loop over the top and Failure underneath; `narrow` (a phone), top to bottom with the loop
 * on the left and the way to Failure on the right. Coordinates are the svg's own units.
 */
export type GraphShape = 'wide' | 'narrow';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** An arrow of the state machine; `label` is where its count goes, when it has one. */
export interface Arrow {
  from: GraphNode;
  to: GraphNode;
  path: string;
  label?: { x: number; y: number };
}

export interface GraphLayout {
  shape: GraphShape;
  width: number;
  height: number;
  boxes: Record<GraphNode, Box>;
  arrows: Arrow[];
  /** The arrow from a node to Failure, drawn only when an item took it. */
  toFailure(from: GraphNode): string;
}

const row: GraphNode[] = ['Parse', 'Model', 'Dispatch', 'Analysis', 'Append', 'Finish'];

const right = (b: Box) => b.x + b.w;
const bottom = (b: Box) => b.y + b.h;
const centreX = (b: Box) => b.x + b.w / 2;
const middleY = (b: Box) => b.y + b.h / 2;

function wide(): GraphLayout {
  const w = 104;
  const h = 84;
  const top = 60;
  const boxes = Object.fromEntries(row.map((node, i) => [node, { x: 8 + i * 126, y: top, w, h }])) as Record<
    GraphNode,
    Box
  >;
  boxes.Failure = { x: 363, y: 200, w: 150, h: 44 };
  const b = boxes;
  const straight = (from: GraphNode, to: GraphNode): Arrow => ({
    from,
    to,
    path: `M ${right(b[from])} ${middleY(b[from])} H ${b[to].x}`,
  });
  // Arcs: a quadratic curve whose control point lies twice as far as its peak.
  const over = (from: GraphNode, to: GraphNode, fromX: number, toX: number, rise: number): Arrow => ({
    from,
    to,
    path: `M ${fromX} ${top} Q ${(fromX + toX) / 2} ${top - 2 * rise} ${toX} ${top}`,
    label: { x: (fromX + toX) / 2, y: top - rise - 4 },
  });
  const lower = top + h;
  const bypassPeak = 26;
  return {
    shape: 'wide',
    width: 750,
    height: 252,
    boxes,
    arrows: [
      straight('Parse', 'Model'),
      straight('Model', 'Dispatch'),
      straight('Dispatch', 'Analysis'),
      straight('Analysis', 'Append'),
      straight('Append', 'Finish'),
      {
        from: 'Dispatch',
        to: 'Append',
        path: `M ${centreX(b.Dispatch)} ${lower} Q ${centreX(b.Analysis)} ${lower + 2 * bypassPeak} ${centreX(b.Append)} ${lower}`,
        // Left of the middle, clear of the ways down to Failure.
        label: { x: centreX(b.Dispatch) + 46, y: lower + bypassPeak + 8 },
      },
      over('Append', 'Model', centreX(b.Append) + 14, centreX(b.Model), 44),
      over('Append', 'Dispatch', centreX(b.Append) - 12, centreX(b.Dispatch), 20),
    ],
    toFailure(from) {
      const source = b[from];
      const order = row.indexOf(from);
      const x = b.Failure.x + 14 + order * 24;
      const y0 = bottom(source);
      return `M ${centreX(source) + (from === 'Dispatch' || from === 'Append' ? -20 : 0)} ${y0} C ${centreX(source)} ${y0 + 40} ${x} ${b.Failure.y - 30} ${x} ${b.Failure.y}`;
    },
  };
}

function narrow(): GraphLayout {
  const x = 56;
  const w = 200;
  const h = 56;
  const column: GraphNode[] = ['Parse', 'Model', 'Dispatch', 'Analysis', 'Append'];
  const boxes = Object.fromEntries(column.map((node, i) => [node, { x, y: 16 + i * 80, w, h }])) as Record<
    GraphNode,
    Box
  >;
  boxes.Finish = { x, y: 416, w: 94, h };
  boxes.Failure = { x: 162, y: 416, w: 94, h };
  const b = boxes;
  const down = (from: GraphNode, to: GraphNode, atX = centreX(b[from])): Arrow => ({
    from,
    to,
    path: `M ${atX} ${bottom(b[from])} V ${b[to].y}`,
  });
  const bus = 326;
  return {
    shape: 'narrow',
    width: 340,
    height: 484,
    boxes,
    arrows: [
      down('Parse', 'Model'),
      down('Model', 'Dispatch'),
      down('Dispatch', 'Analysis'),
      down('Analysis', 'Append'),
      down('Append', 'Finish', centreX(b.Finish)),
      {
        from: 'Dispatch',
        to: 'Append',
        path: `M ${right(b.Dispatch)} ${middleY(b.Dispatch)} C 298 ${middleY(b.Dispatch)} 298 ${middleY(b.Append)} ${right(b.Append)} ${middleY(b.Append)}`,
        label: { x: 300, y: (middleY(b.Dispatch) + middleY(b.Append)) / 2 + 4 },
      },
      {
        from: 'Append',
        to: 'Model',
        path: `M ${x} ${middleY(b.Append) + 8} C 8 ${middleY(b.Append) + 8} 8 ${middleY(b.Model)} ${x} ${middleY(b.Model)}`,
        label: { x: 14, y: (middleY(b.Append) + middleY(b.Model)) / 2 },
      },
      {
        from: 'Append',
        to: 'Dispatch',
        path: `M ${x} ${middleY(b.Append) - 8} C 34 ${middleY(b.Append) - 8} 34 ${middleY(b.Dispatch)} ${x} ${middleY(b.Dispatch)}`,
        label: { x: 38, y: (middleY(b.Append) + middleY(b.Dispatch)) / 2 + 4 },
      },
    ],
    toFailure(from) {
      const y = from === 'Finish' ? middleY(b[from]) : b[from].y + 14;
      return `M ${right(b[from])} ${y} H ${bus} V ${middleY(b.Failure)} H ${right(b.Failure)}`;
    },
  };
}

export const graphLayout = (shape: GraphShape): GraphLayout => (shape === 'wide' ? wide() : narrow());

/** Below this width (px) the graph is drawn top to bottom. */
export const narrowBelowPx = 600;

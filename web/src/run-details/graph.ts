import type { ItemStatus, TraceNode, TraceStep } from '@cascade/core/protocol';

/**
 * A run's items counted on the agent's state machine (statemachines/agent.asl.json): Parse →
 * InvokeModel ("Model") → Dispatch → RunAnalysis ("Analysis", the task) → Append, back to Model
 * (or to Dispatch for the next call of the same reply), until the item is done ("Finish") or a
 * Catch sends it to RecordFailure ("Failure").
 *
 * Append and Finish record no step of their own, so their passes are derived: every tool run
 * (Dispatch or Analysis) goes on to Append, and a final answer passes Dispatch and Append without
 * a tool. Only recorded steps carry a time; derived passes have none.
 */
export type GraphNode = TraceNode | 'Append' | 'Finish';

/** In the order the graph and its table show them. */
export const graphNodes: readonly GraphNode[] = [
  'Parse',
  'Model',
  'Dispatch',
  'Analysis',
  'Append',
  'Finish',
  'Failure',
];

export type Outcome = TraceStep['outcome'];

/** One pass of an item through a node. */
export interface Visit {
  node: GraphNode;
  outcome: Outcome;
  durationMs?: number;
}

export interface NodeStats {
  node: GraphNode;
  /** Items that passed through it at least once. */
  items: number;
  /** Times it was passed (Model and Dispatch once per turn of an item). */
  passes: number;
  /** Passes still in it. */
  running: number;
  /** Items that went from it to Failure. */
  failed: number;
  /** Passes with a measured time, and their total and median; undefined when none was measured. */
  measured: number;
  totalMs?: number;
  medianMs?: number;
}

export interface GraphEdge {
  from: GraphNode;
  to: GraphNode;
  /** Items that took it, counted once per time. */
  count: number;
}

export interface GraphCounts {
  nodes: Record<GraphNode, NodeStats>;
  edges: GraphEdge[];
}

export interface TracedItem {
  status: ItemStatus;
  trace?: readonly TraceStep[];
}

/** The middle value (the mean of the two middle ones for an even count); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Where a failed item left for Failure: where its trace says (a failed Parse, a model call that
 * recorded nothing, a step stopped by the Catch), else Append, which fails an item whose step
 * budget is spent.
 */
function failedAt(item: TracedItem, steps: readonly TraceStep[]): GraphNode | undefined {
  if (item.status !== 'FAILED') return undefined;
  const failure = item.trace?.find((s) => s.node === 'Failure');
  if (failure?.tool === 'model') return 'Model';
  const last = steps.at(-1);
  if (last?.outcome === 'failed' && (last.node === 'Parse' || failure)) return last.node;
  return 'Append';
}

/** An item's path through the graph, pass by pass, from its trace. */
export function itemPath(item: TracedItem): Visit[] {
  const steps = (item.trace ?? []).filter((s) => s.node !== 'Failure');
  const failedIn = failedAt(item, steps);
  const path: Visit[] = [];
  const visit = (node: GraphNode, outcome: Outcome, durationMs?: number) =>
    path.push({ node, outcome, ...(durationMs !== undefined && { durationMs }) });
  steps.forEach((step, index) => {
    const stoppedHere = index === steps.length - 1 && failedIn === step.node && step.outcome === 'failed';
    if (step.node === 'Analysis') visit('Dispatch', 'ok');
    visit(step.node, step.outcome, step.durationMs);
    const toolRan = step.node === 'Dispatch' || step.node === 'Analysis';
    if (toolRan && step.outcome !== 'running' && !stoppedHere) visit('Append', 'ok');
  });
  const final = path.at(-1)?.node === 'Model' && path.at(-1)?.outcome === 'ok';
  if (item.status === 'SUCCEEDED') {
    if (final) {
      visit('Dispatch', 'ok');
      visit('Append', 'ok');
    }
    visit('Finish', 'ok');
  } else if (failedIn) {
    const last = path.at(-1);
    if (failedIn === 'Model') visit('Model', 'failed');
    else if (failedIn === 'Append') {
      if (last?.node === 'Append') last.outcome = 'failed';
      else {
        if (final) visit('Dispatch', 'ok');
        visit('Append', 'failed');
      }
    }
    visit('Failure', 'failed');
  }
  return path;
}

function emptyStats(node: GraphNode): NodeStats {
  return { node, items: 0, passes: 0, running: 0, failed: 0, measured: 0 };
}

/** Every item's path counted per node (items, passes, time) and per edge. */
export function countGraph(items: readonly TracedItem[]): GraphCounts {
  const nodes = Object.fromEntries(graphNodes.map((n) => [n, emptyStats(n)])) as Record<GraphNode, NodeStats>;
  const times = new Map<GraphNode, number[]>(graphNodes.map((n) => [n, []]));
  const edges = new Map<string, GraphEdge>();
  for (const item of items) {
    const path = itemPath(item);
    const reached = new Set<GraphNode>();
    path.forEach((visit, index) => {
      const stats = nodes[visit.node];
      stats.passes += 1;
      if (visit.outcome === 'running') stats.running += 1;
      if (visit.durationMs !== undefined) times.get(visit.node)!.push(visit.durationMs);
      reached.add(visit.node);
      const previous = path[index - 1];
      if (!previous) return;
      if (visit.node === 'Failure') nodes[previous.node].failed += 1;
      const key = `${previous.node}>${visit.node}`;
      const edge = edges.get(key) ?? { from: previous.node, to: visit.node, count: 0 };
      edge.count += 1;
      edges.set(key, edge);
    });
    for (const node of reached) nodes[node].items += 1;
  }
  for (const node of graphNodes) {
    const measured = times.get(node)!;
    const stats = nodes[node];
    stats.measured = measured.length;
    if (measured.length > 0) {
      stats.totalMs = measured.reduce((sum, ms) => sum + ms, 0);
      stats.medianMs = median(measured);
    }
  }
  return { nodes, edges: [...edges.values()] };
}

/** How many items took the edge from `from` to `to` (0 when none did). */
export function edgeCount(counts: GraphCounts, from: GraphNode, to: GraphNode): number {
  return counts.edges.find((e) => e.from === from && e.to === to)?.count ?? 0;
}

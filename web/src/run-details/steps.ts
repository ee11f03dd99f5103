import type { TraceStep } from '@cascade/core/protocol';

/** A step as the timeline and the trace name it: "Model, turn 2", "Analysis · profile". */
export function stepName(step: Pick<TraceStep, 'node' | 'turn' | 'tool'>): string {
  switch (step.node) {
    case 'Model':
      return step.turn === undefined ? 'Model' : `Model, turn ${step.turn + 1}`;
    case 'Dispatch':
    case 'Analysis':
      return step.tool ? `${step.node} · ${step.tool}` : step.node;
    case 'Failure':
      // A summary's Failure names the step it stopped in.
      return step.tool ? `Failure in ${step.tool}` : 'Failure';
    default:
      return step.node;
  }
}

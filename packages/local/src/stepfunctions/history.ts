/** Step Functions history events, built from aws-local-stepfunctions' event log. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

interface EngineEvent {
  type: string;
  timestamp: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  index?: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string };
}

const json = (value: unknown) => JSON.stringify(value ?? null);
const cause = (value: unknown) => (typeof value === 'string' ? value : json(value));

/** One engine event as the history event(s) AWS would record; events AWS has no name for are skipped. */
export function toHistory(
  event: EngineEvent,
): { type: string; details: Record<string, unknown> } | undefined {
  const state = event.state;
  switch (event.type) {
    case 'ExecutionStarted':
      return {
        type: 'ExecutionStarted',
        details: { executionStartedEventDetails: { input: json(event.input) } },
      };
    case 'ExecutionSucceeded':
      return {
        type: 'ExecutionSucceeded',
        details: { executionSucceededEventDetails: { output: json(event.output) } },
      };
    case 'ExecutionFailed':
      return {
        type: 'ExecutionFailed',
        details: { executionFailedEventDetails: { error: event.Error, cause: cause(event.Cause) } },
      };
    case 'ExecutionAborted':
      return { type: 'ExecutionAborted', details: { executionAbortedEventDetails: {} } };
    case 'ExecutionTimeout':
      return { type: 'ExecutionTimedOut', details: { executionTimedOutEventDetails: {} } };
    case 'StateEntered':
      return {
        type: `${state!.type}StateEntered`,
        details: { stateEnteredEventDetails: { name: state!.name, input: json(state!.input) } },
      };
    case 'StateExited':
      return {
        type: `${state!.type}StateExited`,
        details: { stateExitedEventDetails: { name: state!.name, output: json(state!.output) } },
      };
    case 'StateFailed':
      return state!.type === 'Task'
        ? {
            type: 'TaskFailed',
            details: {
              taskFailedEventDetails: {
                error: event.Error,
                cause: cause(event.Cause),
                resource: state!.name,
              },
            },
          }
        : undefined;
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const key = `${event.type[0]!.toLowerCase()}${event.type.slice(1)}EventDetails`;
      return { type: event.type, details: { [key]: { name: event.parentState?.name, index: event.index } } };
    }
    default:
      return undefined;
  }
}

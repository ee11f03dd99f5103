import type { ItemState } from '../steps/state';

/** Error names from Cascade's own code whose messages are written for people. */
const readableNames = new Set([
  'NotFoundError',
  'ValidationError',
  'ConflictError',
  // A model call that failed for good: the provider's sentence names the cause.
  'ModelRejectedError',
  'ModelUnavailableError',
  'NoAnswerError',
]);

/** Error names the analysis task reports through SendTaskFailure; their cause is a sentence. */
const taskErrorNames = /^[A-Z][A-Za-z]+$/;

/**
 * Turns what a Catch received into a sentence for the item's error. Lambda errors arrive as
 * JSON with errorType/errorMessage; task failures carry the task's own sentence; timeouts say
 * which limit was hit. Internal details never reach the user.
 */
export function readableError(state: Pick<ItemState, 'route' | 'error'>): string {
  const error = state.error;
  if (!error) return 'The item failed for an unknown reason.';
  if (error.Error === 'States.Timeout') {
    return state.route === 'task'
      ? 'The analysis took longer than its time limit and was stopped.'
      : 'A step took longer than its time limit.';
  }
  if (error.Error === 'States.HeartbeatTimeout')
    return 'The analysis task stopped responding and was given up.';
  let lambda: { errorType?: string; errorMessage?: string } | undefined;
  try {
    lambda = JSON.parse(error.Cause ?? '');
  } catch {
    lambda = undefined;
  }
  if (lambda && typeof lambda === 'object' && typeof lambda.errorMessage === 'string') {
    return readableNames.has(lambda.errorType ?? '')
      ? lambda.errorMessage
      : `An internal step failed (${lambda.errorType ?? error.Error}); please try again.`;
  }
  if (state.route === 'task' && error.Cause && taskErrorNames.test(error.Error)) return error.Cause;
  return `An internal step failed (${error.Error}); please try again.`;
}

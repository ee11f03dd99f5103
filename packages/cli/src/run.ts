import type { ServerMessageOf } from '@cascade/core/protocol';
import type { Connection, Outgoing, Received } from './connection';
import type { Context } from './context';
import { CliError, exitCodes } from './errors';
import { canPrompt, promptLine } from './io';
import type { ProgressView } from './progress';

/** How following a run ended. */
export type RunEnd =
  | { kind: 'answered'; response: Received<ServerMessageOf<'response'>> }
  /** Ctrl-C, and the person chose to leave the run going. */
  | { kind: 'left'; ack: ServerMessageOf<'ack'> }
  /** Ctrl-C, then yes: the run was cancelled; its state after the cancel. */
  | { kind: 'cancelled'; execution: Received<ServerMessageOf<'execution'>> };

/** Ctrl-C, as a promise; SIGINT by default (a test may give its own). */
export type InterruptSource = (listener: () => void) => () => void;

export const processInterrupts: InterruptSource = (listener) => {
  process.on('SIGINT', listener);
  return () => process.off('SIGINT', listener);
};

/**
 * Sends a `query` and follows its run to the `response`, showing progress on `view`. Ctrl-C asks
 * "Cancel the run?" at a terminal (yes sends execution.cancel); elsewhere it leaves the run going.
 */
export async function followRun(
  context: Context,
  connection: Connection,
  query: Outgoing<'query'>,
  view: ProgressView,
  interrupts: InterruptSource = processInterrupts,
): Promise<RunEnd> {
  // Events may come before the ack is read: keep them until the run's id is known.
  const early: Received[] = [];
  let executionId: string | undefined;
  let settle: (end: Received<ServerMessageOf<'response'>>) => void = () => {};
  let fail: (error: CliError) => void = () => {};
  const answered = new Promise<Received<ServerMessageOf<'response'>>>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // After Ctrl-C the view stays quiet, so the question and its answer are not drawn over.
  let quiet = false;
  const handle = (received: Received) => {
    const { message } = received;
    if (!('executionId' in message) || message.executionId !== executionId) return;
    if (message.action === 'step' && !quiet) view.step(message);
    else if (message.action === 'progress' && !quiet) view.progress(message);
    else if (message.action === 'response') settle(received as Received<ServerMessageOf<'response'>>);
  };
  const stopListening = connection.onMessage((received) => {
    if (executionId === undefined) early.push(received);
    else handle(received);
  });
  const stopWatchingClose = connection.onClose(() =>
    fail(
      new CliError(
        `Lost the connection to Cascade while execution ${executionId} ran: follow it with \`cascade status ${executionId}\`.`,
      ),
    ),
  );

  let interrupted: () => void = () => {};
  const interruption = new Promise<'interrupted'>((resolve) => {
    interrupted = () => resolve('interrupted');
  });
  let stopNow: (error: CliError) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    stopNow = reject;
  });
  stopped.catch(() => {});
  let interruptCount = 0;
  const stopInterrupts = interrupts(() => {
    interruptCount++;
    // A second Ctrl-C before the run's id is known stops at once.
    if (interruptCount > 1 && executionId === undefined)
      stopNow(new CliError('Stopped.', exitCodes.interrupted));
    interrupted();
  });

  try {
    const ack = (await Promise.race([connection.request(query), stopped])).message;
    executionId = ack.executionId;
    view.started(ack);
    for (const received of early.splice(0)) handle(received);
    answered.catch(() => {});
    const first = await Promise.race([answered, interruption]);
    if (first !== 'interrupted') {
      view.done();
      return { kind: 'answered', response: first };
    }
    quiet = true;
    view.done();
    if (canPrompt(context.io)) {
      const answer = await promptLine(context.io, 'Cancel the run? [y/N] ');
      if (/^y(es)?$/i.test(answer)) {
        const execution = await connection.request({
          action: 'execution.cancel',
          payload: { executionId: ack.executionId },
        });
        return { kind: 'cancelled', execution };
      }
    }
    return { kind: 'left', ack };
  } finally {
    view.done();
    stopListening();
    stopWatchingClose();
    stopInterrupts();
  }
}

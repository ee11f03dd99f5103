import { randomBytes } from 'node:crypto';

/** An error a task reported, or a limit it broke, with the names Step Functions uses. */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

interface Waiting {
  resolve(output: unknown): void;
  reject(error: Error): void;
  executionArn: string;
  heartbeatSeconds?: number;
  heartbeatTimer?: NodeJS.Timeout;
  timeoutTimer?: NodeJS.Timeout;
  /** Stops the work behind the token (kills the task process). */
  cancel?: () => void;
}

export interface TaskTokenOptions {
  executionArn: string;
  heartbeatSeconds?: number;
  timeoutSeconds?: number;
  cancel?: () => void;
}

export type TokenAnswer = 'ok' | 'TaskTimedOut' | 'InvalidToken';

/**
 * The `.waitForTaskToken` half of Step Functions: a token per waiting Task, settled by
 * SendTaskSuccess / SendTaskFailure, kept alive by SendTaskHeartbeat, and failed with
 * States.HeartbeatTimeout or States.Timeout when the task goes quiet or runs too long. Once a
 * token is settled (or its execution stopped), every call with it answers TaskTimedOut, which is
 * how a task learns it should stop.
 */
export class TaskTokens {
  private readonly waiting = new Map<string, Waiting>();
  private readonly settled = new Set<string>();

  /** Issues a token and the promise that settles with the task's answer. */
  issue(options: TaskTokenOptions): { token: string; result: Promise<unknown> } {
    const token = randomBytes(48).toString('base64url');
    const result = new Promise<unknown>((resolve, reject) => {
      const entry: Waiting = { resolve, reject, executionArn: options.executionArn };
      if (options.heartbeatSeconds !== undefined) entry.heartbeatSeconds = options.heartbeatSeconds;
      if (options.cancel) entry.cancel = options.cancel;
      if (options.timeoutSeconds !== undefined) {
        entry.timeoutTimer = setTimeout(
          () =>
            this.expire(
              token,
              new TaskError('States.Timeout', 'The task did not finish within its TimeoutSeconds.'),
            ),
          options.timeoutSeconds * 1000,
        );
      }
      this.waiting.set(token, entry);
      this.armHeartbeat(token);
    });
    return { token, result };
  }

  private armHeartbeat(token: string) {
    const entry = this.waiting.get(token);
    if (!entry?.heartbeatSeconds) return;
    clearTimeout(entry.heartbeatTimer);
    entry.heartbeatTimer = setTimeout(
      () =>
        this.expire(
          token,
          new TaskError('States.HeartbeatTimeout', 'The task sent no heartbeat within HeartbeatSeconds.'),
        ),
      entry.heartbeatSeconds * 1000,
    );
  }

  private take(token: string): Waiting | undefined {
    const entry = this.waiting.get(token);
    if (!entry) return undefined;
    this.waiting.delete(token);
    this.settled.add(token);
    clearTimeout(entry.heartbeatTimer);
    clearTimeout(entry.timeoutTimer);
    return entry;
  }

  private expire(token: string, error: TaskError) {
    const entry = this.take(token);
    if (!entry) return;
    entry.cancel?.();
    entry.reject(error);
  }

  private unknown(token: string): TokenAnswer {
    return this.settled.has(token) ? 'TaskTimedOut' : 'InvalidToken';
  }

  succeed(token: string, output: unknown): TokenAnswer {
    const entry = this.take(token);
    if (!entry) return this.unknown(token);
    entry.resolve(output);
    return 'ok';
  }

  fail(token: string, error: string, cause: string): TokenAnswer {
    const entry = this.take(token);
    if (!entry) return this.unknown(token);
    entry.reject(new TaskError(error, cause));
    return 'ok';
  }

  heartbeat(token: string): TokenAnswer {
    if (!this.waiting.has(token)) return this.unknown(token);
    this.armHeartbeat(token);
    return 'ok';
  }

  /** StopExecution: every task of that execution is cancelled and its token stops working. */
  stopExecution(executionArn: string) {
    for (const [token, entry] of [...this.waiting]) {
      if (entry.executionArn !== executionArn) continue;
      this.take(token);
      entry.cancel?.();
      entry.reject(new TaskError('States.Aborted', 'The execution was stopped.'));
    }
  }
}

/**
 * How model calls fail. A request the model's API rejected (a validation error, no access to the
 * model) fails the item at once with a sentence naming the cause: no retry can fix it. A busy or
 * flaky model (throttling, a model error, a timeout) is retried with jittered backoff within a
 * bounded total; if it is still failing, the state machine tries the step once more after a
 * pause, and then the item fails with the provider's own sentence.
 */

/** A request the model's API will never accept as sent. Its message is written for people. */
export class ModelRejectedError extends Error {
  override readonly name = 'ModelRejectedError';
}

/** A failure worth trying again: the model or its endpoint is busy, slow or briefly broken. */
export class ModelUnavailableError extends Error {
  override readonly name = 'ModelUnavailableError';
  constructor(
    message: string,
    /** The API's own name for it (ThrottlingException, ModelErrorException, HTTP 429 …). */
    readonly code: string,
    /** How long the API asked us to wait (Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The first backoff; each next one doubles, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** No attempt starts once this much time has passed since the first. */
  budgetMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** Inside InvokeModel's 300 s: four attempts, waiting at most 8 s each, never past 200 s in all. */
export const defaultRetryPolicy: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  budgetMs: 200_000,
};

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call`, trying again on a ModelUnavailableError while attempts and time remain. Any other
 * error, and the last unavailable one, is thrown as it is.
 */
export async function withRetries<T>(
  call: (attempt: number) => Promise<T>,
  policy: RetryPolicy = defaultRetryPolicy,
): Promise<T> {
  const sleep = policy.sleep ?? pause;
  const random = policy.random ?? Math.random;
  const now = policy.now ?? Date.now;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (!(error instanceof ModelUnavailableError) || attempt >= policy.attempts) throw error;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)) * random();
      const delay = Math.min(policy.maxDelayMs, Math.max(backoff, error.retryAfterMs ?? 0));
      if (now() - started + delay > policy.budgetMs) throw error;
      await sleep(delay);
    }
  }
}

/** The model replied with nothing usable (no text, no tool call), even when asked again. */
export class NoAnswerError extends Error {
  override readonly name = 'NoAnswerError';
}

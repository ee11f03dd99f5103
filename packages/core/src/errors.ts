import type { ErrorCode } from './protocol/codes';

/** A failure the caller can act on. Handlers turn it into a protocol `error`; nothing else leaks. */
export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    if (details) this.details = details;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'BAD_REQUEST';
}

export class UnauthorizedError extends DomainError {
  readonly code = 'UNAUTHORIZED';
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
}

export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';

  constructor(
    message: string,
    /** When trying again can succeed; sent to the client as `retryAfterSeconds`. */
    readonly retryAfterSeconds: number,
    details?: Record<string, unknown>,
  ) {
    super(message, details);
  }
}

export interface ProtocolErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  /** RATE_LIMITED only: seconds to wait before sending again. */
  retryAfterSeconds?: number;
}

/** AWS error names that mean "slow down", whichever service said them. */
const throttlingNames = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

/** The one place an error becomes what a client sees. Unknown errors say nothing about internals. */
export function toProtocolError(error: unknown): ProtocolErrorBody {
  if (error instanceof DomainError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.details && { details: error.details }),
      ...(error instanceof RateLimitedError && { retryAfterSeconds: error.retryAfterSeconds }),
    };
  }
  if (error instanceof Error && throttlingNames.has(error.name)) {
    return {
      code: 'RATE_LIMITED',
      message: 'The service is busy right now; try again in a few seconds.',
      retryAfterSeconds: 5,
    };
  }
  return { code: 'INTERNAL', message: 'Something went wrong on our side; please try again.' };
}

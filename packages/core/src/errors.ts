import type { ErrorCode } from './protocol/codes';

/**
 * A failure a person can act on: `code` says which kind, for programs; the message is one
 * sentence for the person. Core's domain errors and the analysis engine's are both built on it.
 */
export abstract class CodedError<Code extends string> extends Error {
  abstract readonly code: Code;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A failure the caller can act on. Handlers turn it into a protocol `error`; nothing else leaks. */
export abstract class DomainError extends CodedError<ErrorCode> {
  readonly details?: Record<string, unknown>;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    if (details) this.details = details;
  }
}

/** The base of the domain errors with one code: `class NotFoundError extends domainError('NOT_FOUND') {}`. */
const domainError = <Code extends ErrorCode>(code: Code) =>
  class extends DomainError {
    readonly code = code;
  };

export class ValidationError extends domainError('BAD_REQUEST') {}

export class UnauthorizedError extends domainError('UNAUTHORIZED') {}

export class NotFoundError extends domainError('NOT_FOUND') {}

export class ConflictError extends domainError('CONFLICT') {}

export class PayloadTooLargeError extends domainError('PAYLOAD_TOO_LARGE') {}

export class RateLimitedError extends domainError('RATE_LIMITED') {
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

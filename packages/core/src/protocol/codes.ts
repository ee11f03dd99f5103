import * as z from 'zod';

/** The closed set of error codes a client can receive. */
export const errorCodes = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'INTERNAL',
] as const;
export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const executionStatuses = [
  'RUNNING',
  'SUCCEEDED',
  'PARTIAL',
  'FAILED',
  'ABORTED',
  'TIMED_OUT',
] as const;
export const ExecutionStatus = z.enum(executionStatuses);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

/** The statuses a final `response` can carry. */
export const ResponseStatus = z.enum(['SUCCEEDED', 'PARTIAL', 'FAILED', 'ABORTED']);
export type ResponseStatus = z.infer<typeof ResponseStatus>;

export const itemStatuses = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const;
export const ItemStatus = z.enum(itemStatuses);
export type ItemStatus = z.infer<typeof ItemStatus>;

export const StepStatus = z.enum(['started', 'succeeded', 'failed']);
export type StepStatus = z.infer<typeof StepStatus>;

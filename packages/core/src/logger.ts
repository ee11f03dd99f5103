import { Logger } from '@aws-lambda-powertools/logger';

/** The service every log line, trace segment and metric names (the functions' observability uses it too). */
export const serviceName = 'cascade';

/**
 * The one logger. Each function's handler adds the Lambda context and its correlation keys
 * (connectionId, executionId, messageId) per invocation and resets them after
 * (packages/functions/src/observability.ts); nobody logs a token, a password or a raw event.
 */
export const logger = new Logger({ serviceName });

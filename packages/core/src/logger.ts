import { Logger } from '@aws-lambda-powertools/logger';

/** The service every log line, trace segment and metric names (the functions' observability uses it too). */
export const serviceName = 'cascade';

/**
 * The one logger. Each function's handler adds the Lambda context and its correlation keys
 * (connectionId, executionId, messageId) per invocation and resets them after
 * (packages/functions/src/observability.ts); nobody logs a token, a password or a raw event.
 */
export const logger = new Logger({ serviceName });

type LogLevel = Parameters<Logger['setLogLevel']>[0];
let hostLevel: LogLevel | undefined;

/**
 * The level for every handler this process runs, set by a host that runs them in its own process
 * (the local cloud keeps them at WARN in a terminal). Setting the logger's level once is not
 * enough: Powertools restores the level the logger was built with at each warm invocation, so
 * lambdaHandler applies this one after it, every time. Deployed, nothing sets it.
 */
export function setHostLogLevel(level: LogLevel): void {
  hostLevel = level;
  logger.setLogLevel(level);
}

/** The level setHostLogLevel chose, if any. */
export const hostLogLevel = (): LogLevel | undefined => hostLevel;

import { Logger } from '@aws-lambda-powertools/logger';

/** The service every log line and trace segment names (the functions' tracer uses it too). */
export const serviceName = 'cascade';

/**
 * The one logger. Handlers append correlation keys (connectionId, executionId, messageId) per
 * invocation and reset them after; nobody logs a token, a password or a raw event.
 */
export const logger = new Logger({ serviceName });

export type CorrelationKeys = Partial<
  Record<'connectionId' | 'executionId' | 'messageId' | 'itemId' | 'userId', string>
>;

/** Runs `work` with correlation keys on every log line it writes, then removes them. */
export async function withCorrelation<T>(keys: CorrelationKeys, work: () => Promise<T>): Promise<T> {
  const present = Object.fromEntries(Object.entries(keys).filter(([, value]) => value !== undefined));
  logger.appendKeys(present);
  try {
    return await work();
  } finally {
    logger.removeKeys(Object.keys(present));
  }
}

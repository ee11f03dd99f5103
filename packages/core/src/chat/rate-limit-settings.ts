import { integerSetting } from '../agent/providers/settings';

/**
 * What one person may ask of a deployment, so that one script (or one stuck browser tab) cannot
 * starve everyone else or run up the bill. Read from the environment of `npm start` and of
 * `sst deploy` (the RateLimits link carries them to the functions):
 * - CASCADE_LIMIT_QUERIES_PER_MINUTE: queries a user may start per minute (a batch is one query)
 * - CASCADE_LIMIT_CONCURRENT_RUNS: runs a user may have going at once
 * - CASCADE_LIMIT_MESSAGES_PER_MINUTE: messages of any kind per connection per minute
 * - CASCADE_LIMIT_CONNECTIONS: open connections per user (tabs, devices, scripts)
 */
export interface RateLimits {
  queriesPerMinute: number;
  concurrentRuns: number;
  messagesPerMinute: number;
  connectionsPerUser: number;
}

export const defaultRateLimits: RateLimits = {
  queriesPerMinute: 20,
  concurrentRuns: 5,
  messagesPerMinute: 120,
  connectionsPerUser: 20,
};

const variables: Record<keyof RateLimits, string> = {
  queriesPerMinute: 'CASCADE_LIMIT_QUERIES_PER_MINUTE',
  concurrentRuns: 'CASCADE_LIMIT_CONCURRENT_RUNS',
  messagesPerMinute: 'CASCADE_LIMIT_MESSAGES_PER_MINUTE',
  connectionsPerUser: 'CASCADE_LIMIT_CONNECTIONS',
};

/** The limits from `env`, each an integer from 1 to 100,000; a bad value stops start-up or deploy. */
export function rateLimitsFrom(env: Record<string, string | undefined>): RateLimits {
  return Object.fromEntries(
    Object.entries(variables).map(([key, name]) => [
      key,
      integerSetting(env, name, defaultRateLimits[key as keyof RateLimits], 1, 100_000),
    ]),
  ) as unknown as RateLimits;
}

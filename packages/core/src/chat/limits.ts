import { RateLimitedError } from '../errors';
import type { ConnectionsRepository } from '../repositories/connections';
import type { RateLimitsRepository } from '../repositories/rate-limits';
import { runPolicy } from './deps';
import type { RateLimits } from './rate-limit-settings';

const minute = 60;

/** Each check throws RateLimitedError (how long to wait, which limit) when its limit is reached. */
export interface RateLimiter {
  /** Counts a message on its connection; RATE_LIMITED when the connection sent too many this minute. */
  message(connectionId: string): Promise<void>;
  /** Counts a query by its user; RATE_LIMITED when they started too many this minute. */
  query(userId: string): Promise<void>;
  /** Takes one of the user's concurrent runs for an execution; RATE_LIMITED when all are taken. */
  claimRun(userId: string, executionId: string): Promise<void>;
  releaseRun(userId: string, executionId: string): Promise<void>;
  /** RATE_LIMITED when the user already has `open` connections, as many as allowed. */
  connection(open: number): void;
}

/**
 * The limits, enforced with the repositories' counters. Each is built on first use: a route that
 * counts messages needs only its Connections table, the steps that only release a run
 * read no limits, and `$connect` touches no counter.
 */
export function createRateLimiter(input: {
  connections: () => ConnectionsRepository;
  counters: () => RateLimitsRepository;
  limits: () => RateLimits;
}): RateLimiter {
  const { counters, limits } = input;
  return {
    async message(connectionId) {
      const { messagesPerMinute } = limits();
      const verdict = await input.connections().countMessage(connectionId, messagesPerMinute, minute);
      if (!verdict.allowed)
        throw new RateLimitedError(
          `This connection sent more than ${messagesPerMinute} messages in a minute; wait ${verdict.retryAfterSeconds} s and send again.`,
          verdict.retryAfterSeconds,
          { limit: 'messagesPerMinute', max: messagesPerMinute },
        );
    },
    async query(userId) {
      const { queriesPerMinute } = limits();
      const verdict = await counters().countQuery(userId, queriesPerMinute, minute);
      if (!verdict.allowed)
        throw new RateLimitedError(
          `You started ${queriesPerMinute} questions in the last minute, the most allowed; wait ${verdict.retryAfterSeconds} s and ask again.`,
          verdict.retryAfterSeconds,
          { limit: 'queriesPerMinute', max: queriesPerMinute },
        );
    },
    async claimRun(userId, executionId) {
      const { concurrentRuns } = limits();
      const claim = await counters().claimRun(
        userId,
        executionId,
        concurrentRuns,
        runPolicy.sessionLockSeconds,
      );
      if (!claim.allowed)
        throw new RateLimitedError(
          `You have ${claim.running.length} runs in progress, the most at once; wait for one to finish or cancel one, then ask again.`,
          // When a run ends is not known; a client that waits this long and asks again is not a burden.
          15,
          { limit: 'concurrentRuns', max: concurrentRuns, executionIds: claim.running },
        );
    },
    releaseRun: (userId, executionId) => counters().releaseRun(userId, executionId),
    connection(open) {
      const { connectionsPerUser } = limits();
      if (open >= connectionsPerUser)
        throw new RateLimitedError(
          `You have ${open} connections open, the most allowed; close a tab or a script and connect again.`,
          30,
          { limit: 'connectionsPerUser', max: connectionsPerUser },
        );
    },
  };
}

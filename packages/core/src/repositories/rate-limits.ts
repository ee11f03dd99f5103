import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds, sendIfConditionHolds, type TableContext, writeOrFind } from './dynamo';

/**
 * The counters behind the rate limits, kept where the requests already write: a connection's
 * message count on its Connections row (ConnectionsRepository), a user's query count and running
 * executions here, in the Locks table (`queries#<userId>`, `runs#<userId>`, expired by its TTL).
 * Every decision is a conditional write, so two Lambdas counting at once can never both take the
 * last place.
 */
export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number; count: number };

/** A user's claim on one of the runs they may have going at once. */
export type RunClaim = { allowed: true } | { allowed: false; running: string[] };

/** A fixed-window counter on one item of a table. */
export interface WindowCounter {
  ctx: TableContext;
  key: Record<string, string>;
  /** Attribute names of the window's start (epoch seconds) and its count. */
  windowAttribute: string;
  countAttribute: string;
  /** Creates the item when missing (a user's counter); otherwise the item must exist (a connection). */
  create: boolean;
}

const allowed: Verdict = { allowed: true };

/**
 * A fixed window: the first write of a window resets the count, later ones add to it while it
 * is below the limit. A write that loses a race to a new window tries once more.
 */
export async function countInWindow(
  counter: WindowCounter,
  limit: number,
  windowSeconds: number,
): Promise<Verdict> {
  const now = epochSeconds((counter.ctx.now ?? Date.now)());
  const window = now - (now % windowSeconds);
  const { ctx, key } = counter;
  const names = { '#window': counter.windowAttribute, '#count': counter.countAttribute };
  const sameWindow = () =>
    new UpdateCommand({
      TableName: ctx.tableName,
      Key: key,
      UpdateExpression: 'ADD #count :one',
      ConditionExpression: '#window = :window AND #count < :limit',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':one': 1, ':window': window, ':limit': limit },
    });
  const newWindow = () => {
    const [keyName] = Object.keys(key);
    return sendIfConditionHolds(
      ctx,
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: key,
        UpdateExpression: `SET #window = :window, #count = :one${counter.create ? ', expiresAt = :expires' : ''}`,
        ConditionExpression: counter.create
          ? 'attribute_not_exists(#window) OR #window < :window'
          : 'attribute_exists(#key) AND (attribute_not_exists(#window) OR #window < :window)',
        ExpressionAttributeNames: { ...names, ...(!counter.create && { '#key': keyName! }) },
        ExpressionAttributeValues: {
          ':one': 1,
          ':window': window,
          ...(counter.create && { ':expires': window + 2 * windowSeconds }),
        },
      }),
    );
  };
  if ((await sendIfConditionHolds(ctx, sameWindow())) || (await newWindow())) return allowed;
  // The last try, when it fails, returns what stopped it: the full window's count.
  const last = await writeOrFind(ctx, sameWindow(), key);
  // A connection API Gateway never told us about (no row) is not ours to count.
  if (last.written || !last.found) return allowed;
  const count = Number(last.found[counter.countAttribute] ?? 0);
  return { allowed: false, retryAfterSeconds: Math.max(1, window + windowSeconds - now), count };
}

export class RateLimitsRepository {
  constructor(private readonly locks: TableContext) {}

  private nowMs(): number {
    return (this.locks.now ?? Date.now)();
  }

  /** One more query by a user, unless `limit` were already started in this window. */
  countQuery(userId: string, limit: number, windowSeconds: number): Promise<Verdict> {
    return countInWindow(
      {
        ctx: this.locks,
        key: { lockName: `queries#${userId}` },
        windowAttribute: 'window',
        countAttribute: 'count',
        create: true,
      },
      limit,
      windowSeconds,
    );
  }

  /**
   * Claims one of a user's `limit` concurrent runs for an execution (again, if it already holds
   * one). Claims expire after `ttlSeconds` unless extended, so a run that vanished frees its place.
   */
  async claimRun(userId: string, executionId: string, limit: number, ttlSeconds: number): Promise<RunClaim> {
    const key = { lockName: runsKey(userId) };
    for (let attempt = 1; attempt <= claimAttempts; attempt++) {
      // Claims that raced each other spread out before reading again.
      if (attempt > 1) await new Promise((done) => setTimeout(done, Math.random() * 20 * attempt));
      const now = epochSeconds(this.nowMs());
      const out = await this.locks.client.send(
        new GetCommand({ TableName: this.locks.tableName, Key: key, ConsistentRead: true }),
      );
      const version = Number(out.Item?.version ?? 0);
      const runs = (out.Item?.runs ?? {}) as Record<string, number>;
      const live = Object.fromEntries(Object.entries(runs).filter(([, expires]) => expires > now));
      if (executionId in live) return { allowed: true };
      if (Object.keys(live).length >= limit) return { allowed: false, running: Object.keys(live) };
      const written = await sendIfConditionHolds(
        this.locks,
        new PutCommand({
          TableName: this.locks.tableName,
          Item: {
            ...key,
            runs: { ...live, [executionId]: now + ttlSeconds },
            version: version + 1,
            // Every claim expires by now + ttl at the latest: so does the item.
            expiresAt: now + ttlSeconds,
          },
          ConditionExpression: out.Item ? '#version = :version' : 'attribute_not_exists(lockName)',
          ...(out.Item && {
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': version },
          }),
        }),
      );
      if (written) return { allowed: true };
    }
    throw new Error(`The runs of ${userId} kept changing; giving up after ${claimAttempts} attempts`);
  }

  /** Gives a run's place back. Idempotent. */
  async releaseRun(userId: string, executionId: string): Promise<void> {
    await sendIfConditionHolds(
      this.locks,
      new UpdateCommand({
        TableName: this.locks.tableName,
        Key: { lockName: runsKey(userId) },
        UpdateExpression: 'REMOVE runs.#run ADD #version :one',
        ConditionExpression: 'attribute_exists(runs.#run)',
        ExpressionAttributeNames: { '#run': executionId, '#version': 'version' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }
}

const runsKey = (userId: string) => `runs#${userId}`;

/** Enough for the queries one person can send at once (each read-and-write takes a few ms). */
const claimAttempts = 12;

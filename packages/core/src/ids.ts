import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';

/** Cascade's UUIDv5 namespace: ids derived from (user, messageId) are stable across retries. */
const namespace = 'c84f484b-304b-4098-bd60-3a91af908c4e';

/** The execution a user's message starts. Per user, so two users' messageIds never collide. */
export function executionIdFor(userId: string, messageId: string): string {
  return uuidv5(`execution:${userId}:${messageId}`, namespace);
}

/** The session a message without sessionId opens, the same one however often it is retried. */
export function newSessionIdFor(userId: string, messageId: string): string {
  return uuidv5(`session:${userId}:${messageId}`, namespace);
}

/** The assistant message that records an execution's final response. */
export function responseMessageIdFor(executionId: string): string {
  return uuidv5(`response:${executionId}`, namespace);
}

export function sessionLockName(sessionId: string): string {
  return `session#${sessionId}`;
}

/** A fingerprint of a request's meaning, to tell a retry from a reused messageId. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url');
}

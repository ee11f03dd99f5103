import { mintApiKey } from '../auth/access';
import { ConflictError, NotFoundError, UnauthorizedError } from '../errors';
import { sessionLockName } from '../ids';
import { logger } from '../logger';
import { limits } from '../protocol/limits';
import type { ApiKeySummary, ConnectionSummary, ServerMessage, ServerMessageOf } from '../protocol/server';
import type { ApiKeyRecord } from '../repositories/api-keys';
import type { ConnectionRecord } from '../repositories/connections';
import type { Caller, ChatDeps } from './deps';

/**
 * What a signed-in person manages about their own access: personal API keys, their open
 * connections (devices), the sessions their runs hold, and signing out everywhere at once.
 */

const echo = (messageId: string | undefined) => (messageId !== undefined ? { messageId } : {});

const dayMs = 24 * 60 * 60 * 1000;

export function apiKeySummary(record: ApiKeyRecord): ApiKeySummary {
  return {
    keyId: record.keyId,
    name: record.name,
    prefix: record.prefix,
    createdAt: record.createdAt,
    ...(record.expiresAt && { expiresAt: record.expiresAt }),
    ...(record.lastUsedAt && { lastUsedAt: record.lastUsedAt }),
    ...(record.revokedAt && { revokedAt: record.revokedAt }),
  };
}

/** A key can do what its owner does with data, but not make more keys or end its owner's sign-ins. */
function requirePasswordSignIn(caller: Caller, what: string): void {
  if (caller.via === 'apiKey')
    throw new UnauthorizedError(
      `A connection opened with an API key cannot ${what}; sign in with your password to do it.`,
    );
}

const inUse = (record: ApiKeyRecord, now: number) =>
  !record.revokedAt && !(record.expiresAt && Date.parse(record.expiresAt) <= now);

/** Makes a personal API key; the answer carries the key itself, which is never shown again. */
export async function createApiKey(
  deps: Pick<ChatDeps, 'apiKeys'>,
  caller: Caller,
  payload: { name?: string; expiresInDays?: number },
  messageId?: string,
  now: () => number = Date.now,
): Promise<ServerMessageOf<'key'>> {
  requirePasswordSignIn(caller, 'create API keys');
  const at = now();
  const held = (await deps.apiKeys.listByUser(caller.userId)).filter((k) => inUse(k, at)).length;
  if (held >= limits.apiKeys.perUser)
    throw new ConflictError(
      `You have ${held} API keys in use, the most one may hold; revoke one first (cascade keys revoke KEY_ID).`,
    );
  const createdAt = new Date(at).toISOString();
  const days = payload.expiresInDays ?? limits.apiKeys.defaultDays;
  // A key id is 64 random bits: a clash is all but impossible, and a second draw settles it.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const minted = mintApiKey();
    const record: ApiKeyRecord = {
      keyId: minted.keyId,
      userId: caller.userId,
      tenantId: caller.tenantId,
      email: caller.email ?? '',
      name: payload.name?.trim() ?? `API key of ${createdAt.slice(0, 10)}`,
      prefix: minted.prefix,
      hash: minted.hash,
      createdAt,
      expiresAt: new Date(at + days * dayMs).toISOString(),
    };
    if (await deps.apiKeys.put(record)) {
      logger.info('API key created', { keyId: record.keyId, expiresAt: record.expiresAt });
      return { action: 'key', ...echo(messageId), key: apiKeySummary(record), secret: minted.key };
    }
  }
  throw new Error('Three random key ids were all taken');
}

export async function listApiKeys(
  deps: Pick<ChatDeps, 'apiKeys'>,
  caller: Caller,
  messageId?: string,
): Promise<ServerMessageOf<'keys'>> {
  const keys = await deps.apiKeys.listByUser(caller.userId);
  return { action: 'keys', ...echo(messageId), keys: keys.map(apiKeySummary) };
}

/**
 * Revokes a key at once: `$connect` refuses it from now on and the connections it opened close.
 * With an owner, only that user's key (another user's is reported like a missing one).
 */
export async function revokeKey(
  deps: Pick<ChatDeps, 'apiKeys' | 'connections' | 'notifier'>,
  keyId: string,
  owner?: string,
): Promise<ApiKeyRecord> {
  const record = await deps.apiKeys.revoke(keyId, owner);
  if (!record)
    throw new NotFoundError(owner ? `You have no API key ${keyId}.` : `There is no API key ${keyId}.`);
  logger.info('API key revoked', { keyId });
  const opened = (await deps.connections.listByUser(record.userId)).filter((c) => c.keyId === keyId);
  await closeAll(deps, opened);
  return record;
}

export async function revokeApiKey(
  deps: Pick<ChatDeps, 'apiKeys' | 'connections' | 'notifier'>,
  caller: Caller,
  keyId: string,
  messageId?: string,
): Promise<ServerMessageOf<'key'>> {
  const record = await revokeKey(deps, keyId, caller.userId);
  return { action: 'key', ...echo(messageId), key: apiKeySummary(record) };
}

/** A person's name for what is at the other end of a connection, from its User-Agent. */
export function clientName(userAgent: string | undefined): string {
  const agent = userAgent ?? '';
  const cli = /cascade-cli\/(\S+)/.exec(agent);
  if (cli) return `cascade CLI ${cli[1]}`;
  const browser = [
    ['Edg/', 'Edge'],
    ['OPR/', 'Opera'],
    ['Firefox/', 'Firefox'],
    ['Chrome/', 'Chrome'],
    ['Safari/', 'Safari'],
  ].find(([token]) => agent.includes(token!))?.[1];
  const system = [
    ['Android', 'Android'],
    ['iPhone', 'iOS'],
    ['iPad', 'iPadOS'],
    ['Mac OS X', 'macOS'],
    ['Windows', 'Windows'],
    ['Linux', 'Linux'],
  ].find(([token]) => agent.includes(token!))?.[1];
  if (browser) return system ? `${browser} on ${system}` : browser;
  if (agent === '') return 'unknown client';
  return agent.length <= 60 ? agent : `${agent.slice(0, 59)}…`;
}

function connectionSummary(record: ConnectionRecord, current: string): ConnectionSummary {
  return {
    connectionId: record.connectionId,
    connectedAt: record.connectedAt,
    ...(record.sourceIp && { sourceIp: record.sourceIp }),
    client: clientName(record.userAgent),
    via: record.via ?? 'token',
    ...(record.keyId && { keyId: record.keyId }),
    current: record.connectionId === current,
  };
}

/** The caller's open connections, newest first, this one marked. */
export async function listConnections(
  deps: Pick<ChatDeps, 'connections'>,
  caller: Caller,
  connectionId: string,
  messageId?: string,
): Promise<ServerMessageOf<'connections'>> {
  const records = await deps.connections.listByUser(caller.userId);
  records.sort((a, b) => b.connectedAt.localeCompare(a.connectedAt));
  return {
    action: 'connections',
    ...echo(messageId),
    connections: records.map((r) => connectionSummary(r, connectionId)),
  };
}

/** The caller's sessions a run holds locked, with the run and when the lock lapses. */
export async function listLocks(
  deps: Pick<ChatDeps, 'sessions' | 'locks'>,
  caller: Caller,
  messageId?: string,
  now: () => number = Date.now,
): Promise<ServerMessageOf<'locks'>> {
  const sessions = await deps.sessions.listRunning(caller.userId);
  const held = await Promise.all(
    sessions.map(async (session) => ({
      session,
      lock: await deps.locks.get(sessionLockName(session.sessionId)),
    })),
  );
  const nowSeconds = now() / 1000;
  return {
    action: 'locks',
    ...echo(messageId),
    locks: held.flatMap(({ session, lock }) =>
      lock && lock.expiresAt > nowSeconds
        ? [
            {
              sessionId: session.sessionId,
              title: session.title,
              executionId: lock.owner,
              acquiredAt: lock.acquiredAt,
              expiresAt: new Date(lock.expiresAt * 1000).toISOString(),
            },
          ]
        : [],
    ),
  };
}

/**
 * Ends every sign-in of the caller's at once: Cognito's refresh tokens first (no new ID token can
 * be had), then the revocation record (ID tokens issued until now are refused at `$connect`),
 * then the answer, then every connection opened with a sign-in closes, this one too. Connections
 * opened with an API key stay: a key ends only when it is revoked.
 */
export async function signOutEverywhere(
  deps: Pick<ChatDeps, 'directory' | 'revocations' | 'connections' | 'notifier'>,
  caller: Caller,
  reply: (message: ServerMessage) => Promise<unknown>,
  messageId?: string,
): Promise<undefined> {
  requirePasswordSignIn(caller, 'sign you out everywhere');
  await deps.directory.signOut(caller.userId);
  const revocation = await deps.revocations.revokeTokens(caller.userId);
  const signedIn = (await deps.connections.listByUser(caller.userId)).filter((c) => c.via !== 'apiKey');
  await reply({
    action: 'signedOut',
    ...echo(messageId),
    revokedBefore: new Date((revocation.revokedBefore ?? 0) * 1000).toISOString(),
    connections: signedIn.length,
  });
  await closeAll(deps, signedIn);
  return undefined;
}

/** Closes connections, each on its own: one that fails to close is logged, not left to stop the rest. */
export async function closeAll(
  deps: Pick<ChatDeps, 'notifier'>,
  connections: Pick<ConnectionRecord, 'connectionId'>[],
): Promise<number> {
  const outcomes = await Promise.allSettled(connections.map((c) => deps.notifier.disconnect(c.connectionId)));
  outcomes.forEach((outcome, index) => {
    if (outcome.status === 'rejected')
      logger.error('could not close a connection', {
        connectionId: connections[index]!.connectionId,
        error: outcome.reason,
      });
  });
  return outcomes.filter((o) => o.status === 'fulfilled').length;
}

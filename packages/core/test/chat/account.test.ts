import { createHash, randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  administer,
  type Caller,
  ConflictError,
  clientName,
  createApiKey,
  LocksRepository,
  listApiKeys,
  listConnections,
  listLocks,
  NotFoundError,
  parseAdminRequest,
  revokeApiKey,
  type ServerMessage,
  signOutEverywhere,
  startQuery,
  UnauthorizedError,
  ValidationError,
} from '../../src';
import { alice, bob, useChatHarness } from '../fixtures/chat';

const h = useChatHarness();

/** A caller of its own for each test, so keys and connections never mix between tests. */
const someone = (): Caller => {
  const userId = `user-${randomUUID().slice(0, 8)}`;
  return { userId, tenantId: 'acme', email: `${userId}@example.com`, via: 'token' };
};

const connect = (caller: Caller, connectionId: string, extra: object = {}) =>
  h.deps.connections.put({ connectionId, userId: caller.userId, tenantId: caller.tenantId, ...extra });

describe('personal API keys', () => {
  it('makes a key shown once, keeping only its SHA-256 hash, expiring in 90 days by default', async () => {
    const caller = someone();
    const now = Date.parse('2026-12-06T12:00:00Z');
    const answer = await createApiKey(h.deps, caller, { name: 'nightly CI' }, 'm1', () => now);
    expect(answer).toMatchObject({ action: 'key', messageId: 'm1', key: { name: 'nightly CI' } });
    expect(answer.secret).toMatch(/^csk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(answer.secret!.startsWith(`${answer.key.prefix}_`)).toBe(true);
    expect(answer.key.expiresAt).toBe('2027-03-06T12:00:00.000Z');
    const stored = (await h.deps.apiKeys.get(answer.key.keyId))!;
    expect(stored.hash).toBe(createHash('sha256').update(answer.secret!).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(answer.secret!.slice(22));
    expect(stored).toMatchObject({ userId: caller.userId, tenantId: 'acme', email: caller.email });
  });

  it("lists only the caller's keys, newest first, and never a key itself", async () => {
    const caller = someone();
    let t = Date.parse('2026-12-01T00:00:00Z');
    for (const name of ['first', 'second'])
      await createApiKey(h.deps, caller, { name }, undefined, () => (t += 1000));
    await createApiKey(h.deps, someone(), { name: 'not theirs' });
    const { keys } = await listApiKeys(h.deps, caller);
    expect(keys.map((k) => k.name)).toEqual(['second', 'first']);
    expect(JSON.stringify(keys)).not.toMatch(/csk_[0-9a-f]{16}_/);
  });

  it('holds at most ten keys in use; a revoked or expired one frees its place', async () => {
    const caller = someone();
    let t = Date.now();
    const make = (days?: number) =>
      createApiKey(h.deps, caller, days ? { expiresInDays: days } : {}, undefined, () => (t += 1));
    const made = [await make(1)];
    for (let i = 0; i < 9; i++) made.push(await make());
    await expect(make()).rejects.toThrow(/10 API keys in use/);
    await revokeApiKey(h.deps, caller, made[1]!.key.keyId);
    await make();
    await expect(make()).rejects.toThrow(ConflictError);
    // A day and a bit later the first has expired.
    t += 25 * 3600 * 1000;
    await make();
  });

  it('lets no connection opened with a key make keys, nor end sign-ins', async () => {
    const caller = { ...someone(), via: 'apiKey' as const };
    await expect(createApiKey(h.deps, caller, {})).rejects.toThrow(UnauthorizedError);
    await expect(signOutEverywhere(h.deps, caller, async () => undefined)).rejects.toThrow(/API key/);
    expect(h.signedOut).not.toContain(caller.userId);
  });

  it('revokes a key at once and closes the connections it opened, not the others', async () => {
    const caller = someone();
    const { key } = await createApiKey(h.deps, caller, {});
    await connect(caller, `${caller.userId}-key`, { via: 'apiKey', keyId: key.keyId });
    await connect(caller, `${caller.userId}-browser`, { via: 'token' });
    const answer = await revokeApiKey(h.deps, caller, key.keyId, 'r1');
    expect(answer.key.revokedAt).toBeDefined();
    expect(h.closed).toContain(`${caller.userId}-key`);
    expect(h.closed).not.toContain(`${caller.userId}-browser`);
    // Revoking again keeps the first revocation's time.
    expect((await revokeApiKey(h.deps, caller, key.keyId)).key.revokedAt).toBe(answer.key.revokedAt);
  });

  it("reports another user's key, or none, as not found", async () => {
    const { key } = await createApiKey(h.deps, alice, {});
    await expect(revokeApiKey(h.deps, bob, key.keyId)).rejects.toThrow(NotFoundError);
    await expect(revokeApiKey(h.deps, bob, '0123456789abcdef')).rejects.toThrow(NotFoundError);
    expect((await h.deps.apiKeys.get(key.keyId))!.revokedAt).toBeUndefined();
  });
});

describe('devices and locks', () => {
  it("lists the caller's open connections, newest first, naming each client and marking this one", async () => {
    const caller = someone();
    await connect(caller, 'c-browser', {
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
      sourceIp: '203.0.113.9',
    });
    await connect(caller, 'c-cli', {
      userAgent: 'cascade-cli/0.1.0 node/20.20.0',
      via: 'apiKey',
      keyId: 'ab',
    });
    const { connections: listed } = await listConnections(h.deps, caller, 'c-cli');
    expect(listed).toHaveLength(2);
    expect(listed.find((c) => c.connectionId === 'c-browser')).toMatchObject({
      client: 'Chrome on Linux',
      sourceIp: '203.0.113.9',
      via: 'token',
      current: false,
    });
    expect(listed.find((c) => c.connectionId === 'c-cli')).toMatchObject({
      client: 'cascade CLI 0.1.0',
      via: 'apiKey',
      keyId: 'ab',
      current: true,
    });
  });

  it.each([
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 Version/17.1 Safari/605.1.15',
      'Safari on macOS',
    ],
    ['Mozilla/5.0 (Windows NT 10.0; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Windows'],
    ['Mozilla/5.0 (Windows NT 10.0) Chrome/131.0 Safari/537.36 Edg/131.0', 'Edge on Windows'],
    ['curl/8.5.0', 'curl/8.5.0'],
    [undefined, 'unknown client'],
  ])('names the client of %s as %s', (agent, name) => {
    expect(clientName(agent)).toBe(name);
  });

  it("lists the caller's sessions a run holds, with the run and the lock's expiry; a lapsed lock is not listed", async () => {
    const caller = someone();
    const ask = (content: string) =>
      startQuery(
        h.deps,
        caller,
        { action: 'query', messageId: randomUUID(), payload: { content } },
        async () => undefined,
      );
    const running = await ask('describe lalonde.csv');
    const lapsed = await ask('profile lalonde.csv');
    const executions = await Promise.all([running, lapsed].map((id) => h.deps.executions.get(id)));
    // The second run's lock lapsed (a crash the conclusion never followed).
    const lapsedSession = executions[1]!.sessionId;
    await new LocksRepository({
      client: h.dynamo.client,
      tableName: h.dynamo.tableNames.locks,
      now: () => Date.now() - 2 * 3600 * 1000,
    }).acquire(`session#${lapsedSession}`, lapsed, 60);
    const { locks } = await listLocks(h.deps, caller, 'l1');
    expect(locks).toEqual([
      {
        sessionId: executions[0]!.sessionId,
        title: expect.any(String),
        executionId: running,
        acquiredAt: expect.any(String),
        expiresAt: expect.any(String),
      },
    ]);
    expect(Date.parse(locks[0]!.expiresAt)).toBeGreaterThan(Date.now() + 60 * 60 * 1000);
    expect((await listLocks(h.deps, someone())).locks).toEqual([]);
  });
});

describe('signing out everywhere', () => {
  it('ends refresh tokens, revokes issued tokens, answers, then closes every signed-in connection', async () => {
    const caller = someone();
    await connect(caller, `${caller.userId}-a`, { via: 'token' });
    await connect(caller, `${caller.userId}-b`);
    await connect(caller, `${caller.userId}-key`, { via: 'apiKey', keyId: 'k' });
    const order: string[] = [];
    const closedBefore = h.closed.length;
    const reply = async (message: ServerMessage) => {
      order.push(`${message.action}:${h.closed.length - closedBefore}`);
    };
    const started = Date.now();
    await signOutEverywhere(h.deps, caller, reply, 's1');
    expect(h.signedOut).toContain(caller.userId);
    const record = (await h.deps.revocations.get(caller.userId))!;
    expect(record.revokedBefore! * 1000).toBeGreaterThan(started);
    expect(record.disabled).toBeUndefined();
    expect(order).toEqual(['signedOut:0']);
    expect(h.closed.slice(closedBefore).sort()).toEqual([`${caller.userId}-a`, `${caller.userId}-b`]);
    expect((await h.deps.connections.listByUser(caller.userId)).map((c) => c.connectionId)).toEqual([
      `${caller.userId}-key`,
    ]);
  });

  it('revokes nothing when Cognito cannot end the refresh tokens', async () => {
    const caller = someone();
    const signOut = vi.spyOn(h.deps.directory, 'signOut').mockRejectedValueOnce(new Error('TooManyRequests'));
    const reply = vi.fn();
    await expect(signOutEverywhere(h.deps, caller, reply)).rejects.toThrow('TooManyRequests');
    expect(await h.deps.revocations.get(caller.userId)).toBeUndefined();
    expect(reply).not.toHaveBeenCalled();
    signOut.mockRestore();
  });

  it('closes the other connections when one of them fails to close', async () => {
    const caller = someone();
    for (const id of ['x', 'y', 'z']) await connect(caller, `${caller.userId}-${id}`);
    const disconnect = h.deps.notifier.disconnect.bind(h.deps.notifier);
    const spy = vi
      .spyOn(h.deps.notifier, 'disconnect')
      .mockImplementation((id) =>
        id.endsWith('-y') ? Promise.reject(new Error('API Gateway 500')) : disconnect(id),
      );
    await signOutEverywhere(h.deps, caller, async () => undefined);
    expect((await h.deps.connections.listByUser(caller.userId)).map((c) => c.connectionId)).toEqual([
      `${caller.userId}-y`,
    ]);
    spy.mockRestore();
  });
});

describe('administration', () => {
  beforeEach(() => {
    h.users.set('carol@example.com', {
      userId: 'carol-sub',
      email: 'carol@example.com',
      tenantId: 'acme',
      enabled: true,
    });
  });

  it('disables a user at once: record, Cognito sign-out, every connection closed', async () => {
    const carol: Caller = { userId: 'carol-sub', tenantId: 'acme' };
    await connect(carol, 'carol-browser');
    await connect(carol, 'carol-key', { via: 'apiKey', keyId: 'k' });
    const result = await administer(h.deps, { action: 'disableUser', email: 'carol@example.com' });
    expect(result).toMatchObject({ action: 'disableUser', userId: 'carol-sub', closedConnections: 2 });
    expect(await h.deps.revocations.get('carol-sub')).toMatchObject({ disabled: true });
    expect(h.signedOut).toContain('carol-sub');
    expect(await h.deps.connections.listByUser('carol-sub')).toEqual([]);
    await administer(h.deps, { action: 'enableUser', email: 'carol@example.com' });
    const record = (await h.deps.revocations.get('carol-sub'))!;
    expect(record.disabled).toBeUndefined();
    expect(record.revokedBefore).toBeDefined();
  });

  it("lists and revokes anyone's keys", async () => {
    const carol: Caller = { userId: 'carol-sub', tenantId: 'acme', email: 'carol@example.com' };
    const { key } = await createApiKey(h.deps, carol, { name: 'carol ci' });
    const listed = await administer(h.deps, { action: 'listKeys', email: 'carol@example.com' });
    expect(listed).toMatchObject({
      action: 'listKeys',
      keys: [expect.objectContaining({ keyId: key.keyId })],
    });
    const revoked = await administer(h.deps, { action: 'revokeKey', keyId: key.keyId });
    expect(revoked).toMatchObject({ action: 'revokeKey', userId: 'carol-sub', key: { keyId: key.keyId } });
    await expect(administer(h.deps, { action: 'revokeKey', keyId: 'ffffffffffffffff' })).rejects.toThrow(
      'There is no API key ffffffffffffffff.',
    );
  });

  it('reports an unknown user, and refuses a request of the wrong shape with a sentence', async () => {
    await expect(administer(h.deps, { action: 'disableUser', email: 'nobody@example.com' })).rejects.toThrow(
      NotFoundError,
    );
    expect(() => parseAdminRequest({ action: 'dropTables' })).toThrow(ValidationError);
    expect(() => parseAdminRequest({ action: 'revokeKey', keyId: 'xyz' })).toThrow(/keyId must be a key id/);
    expect(parseAdminRequest({ action: 'enableUser', email: 'carol@example.com' })).toEqual({
      action: 'enableUser',
      email: 'carol@example.com',
    });
  });
});

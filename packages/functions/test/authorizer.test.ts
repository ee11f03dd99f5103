import {
  type ApiKeyRecord,
  ApiKeysRepository,
  logger,
  mintApiKey,
  RevocationsRepository,
} from '@cascade/core';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { handler } from '../src/ws/authorizer';
import { authorizerEvent, loadedWith, useHandlerHarness } from './harness';

const h = useHandlerHarness();

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the $connect authorizer', () => {
  it('lets a valid ID token in with the caller as context on an Allow policy', async () => {
    const token = await h.issuer.idToken('user-7', { email: 'seven@example.com', 'custom:tenantId': 'acme' });
    const event = authorizerEvent(token);
    expect(await handler(event)).toEqual({
      principalId: 'user-7',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
      },
      context: { userId: 'user-7', email: 'seven@example.com', tenantId: 'acme', via: 'token' },
    });
  });

  it('answers "Unauthorized" (HTTP 401) when there is no token', async () => {
    await expect(handler(authorizerEvent())).rejects.toThrow(/^Unauthorized$/);
    await expect(handler(authorizerEvent(''))).rejects.toThrow(/^Unauthorized$/);
  });

  it.each([
    ['expired', () => h.issuer.idToken('u', { exp: Math.floor(Date.now() / 1000) - 1 })],
    ['not yet valid', () => h.issuer.idToken('u', { nbf: Math.floor(Date.now() / 1000) + 3600 })],
    ['for another client', () => h.issuer.idToken('u', { aud: 'other' })],
    ['from another issuer', () => h.issuer.idToken('u', { iss: 'https://evil.example.com/pool' })],
    ['an access token', () => h.issuer.idToken('u', { token_use: 'access' })],
    [
      'unsigned',
      async () =>
        `${b64({ alg: 'none' })}.${b64({ sub: 'u', token_use: 'id', aud: h.issuer.clientId, iss: h.issuer.issuer, exp: 9e9 })}.`,
    ],
    ['signed by a stranger', () => h.issuer.foreignToken('u')],
    ['naming an unknown key', () => h.issuer.idToken('u', {}, { kid: 'nope' })],
    ['garbage', async () => 'Bearer abc'],
  ])('denies a token that is %s (HTTP 403)', async (_name, make) => {
    const result = await handler(authorizerEvent(await make()));
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(result).not.toHaveProperty('context');
  });

  it('never writes the token to the log, whether it is accepted or refused', async () => {
    const { modules, written } = await loadedWith(
      { POWERTOOLS_LOG_LEVEL: 'DEBUG' },
      () => import('../src/ws/authorizer'),
    );
    const good = await h.issuer.idToken('logged-user');
    const bad = await h.issuer.idToken('logged-user', { aud: 'x' });
    await modules.handler(authorizerEvent(good));
    await modules.handler(authorizerEvent(bad));
    await modules.handler(authorizerEvent()).catch(() => undefined);
    const output = written.join('');
    expect(output).toContain('connection refused');
    for (const token of [good, bad]) {
      for (const part of token.split('.')) expect(output).not.toContain(part);
    }
  });
});

describe('the $connect authorizer and revocation', () => {
  const table = (key: 'revocations' | 'apiKeys') => ({
    client: h.dynamo.client,
    tableName: h.dynamo.tableNames[key],
  });
  const revocations = () => new RevocationsRepository(table('revocations'));
  const apiKeys = () => new ApiKeysRepository(table('apiKeys'));
  const effect = (result: APIGatewayAuthorizerResult) => result.policyDocument.Statement[0]!.Effect;
  const seconds = () => Math.floor(Date.now() / 1000);

  async function keyOf(userId: string, fields: Partial<ApiKeyRecord> = {}) {
    const minted = mintApiKey();
    await apiKeys().put({
      keyId: minted.keyId,
      userId,
      tenantId: 'acme',
      email: `${userId}@example.com`,
      name: 'ci',
      prefix: minted.prefix,
      hash: minted.hash,
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      ...fields,
    });
    return minted;
  }

  it('refuses an ID token issued before the user signed out everywhere, and lets a later one in', async () => {
    const before = await h.issuer.idToken('rev-1', { iat: seconds() - 30 });
    expect(effect(await handler(authorizerEvent(before)))).toBe('Allow');
    await revocations().revokeTokens('rev-1');
    expect(effect(await handler(authorizerEvent(before)))).toBe('Deny');
    const after = await h.issuer.idToken('rev-1', { iat: seconds() + 2 });
    expect(effect(await handler(authorizerEvent(after)))).toBe('Allow');
    // Someone else's sign-ins are untouched.
    expect(
      effect(await handler(authorizerEvent(await h.issuer.idToken('rev-other', { iat: seconds() - 30 })))),
    ).toBe('Allow');
  });

  it('refuses every token and key of a disabled user until enabled; sign-ins from before stay ended', async () => {
    const old = await h.issuer.idToken('rev-2', { iat: seconds() - 30 });
    const { key } = await keyOf('rev-2');
    await revocations().disable('rev-2');
    const fresh = await h.issuer.idToken('rev-2', { iat: seconds() + 2 });
    for (const event of [
      authorizerEvent(old),
      authorizerEvent(fresh),
      authorizerEvent(undefined, { apiKey: key }),
    ])
      expect(effect(await handler(event))).toBe('Deny');
    await revocations().restore('rev-2');
    expect(effect(await handler(authorizerEvent(fresh)))).toBe('Allow');
    expect(effect(await handler(authorizerEvent(undefined, { apiKey: key })))).toBe('Allow');
    expect(effect(await handler(authorizerEvent(old)))).toBe('Deny');
  });

  it('lets a personal API key in as its owner, and records its use at most once a minute', async () => {
    const { key, keyId } = await keyOf('key-user');
    const result = await handler(authorizerEvent(undefined, { apiKey: key }));
    expect(result).toMatchObject({
      principalId: 'key-user',
      policyDocument: { Statement: [{ Effect: 'Allow' }] },
      context: { userId: 'key-user', tenantId: 'acme', email: 'key-user@example.com', via: 'apiKey', keyId },
    });
    const firstUse = (await apiKeys().get(keyId))!.lastUsedAt;
    expect(firstUse).toBeDefined();
    await handler(authorizerEvent(undefined, { apiKey: key }));
    expect((await apiKeys().get(keyId))!.lastUsedAt).toBe(firstUse);
  });

  it.each([
    ['malformed', async () => 'csk_not-a-key'],
    ['unknown', async () => mintApiKey().key],
    ['with the right id but another secret', async () => `${(await keyOf('k-3')).key.slice(0, -4)}AAAA`],
    [
      'revoked',
      async () => {
        const minted = await keyOf('k-4');
        await apiKeys().revoke(minted.keyId);
        return minted.key;
      },
    ],
    [
      'expired',
      async () => (await keyOf('k-5', { expiresAt: new Date(Date.now() - 1000).toISOString() })).key,
    ],
  ])('denies an API key that is %s', async (_name, make) => {
    const result = await handler(authorizerEvent(undefined, { apiKey: await make() }));
    expect(effect(result)).toBe('Deny');
    expect(result).not.toHaveProperty('context');
  });

  it('denies a handshake that brings both a token and an API key', async () => {
    const { key } = await keyOf('both');
    const token = await h.issuer.idToken('both');
    expect(effect(await handler(authorizerEvent(token, { apiKey: key })))).toBe('Deny');
  });

  it('denies, and logs an error, when the revocation record cannot be read (fails closed)', async () => {
    const read = vi
      .spyOn(RevocationsRepository.prototype, 'get')
      .mockRejectedValue(new Error('DynamoDB is down'));
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      expect(effect(await handler(authorizerEvent(await h.issuer.idToken('outage'))))).toBe('Deny');
      expect(error).toHaveBeenCalledWith(
        'connection refused: could not check the credentials',
        expect.anything(),
      );
    } finally {
      read.mockRestore();
      error.mockRestore();
    }
  });
});

import { logger } from '@cascade/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../src/ws/authorizer';
import { authorizerEvent, startHandlerHarness } from './harness';

let h: Awaited<ReturnType<typeof startHandlerHarness>>;
beforeAll(async () => {
  h = await startHandlerHarness();
});
afterAll(() => h.close());

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
      context: { userId: 'user-7', email: 'seven@example.com', tenantId: 'acme' },
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
    logger.setLogLevel('DEBUG');
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      const good = await h.issuer.idToken('logged-user');
      const bad = await h.issuer.idToken('logged-user', { aud: 'x' });
      await handler(authorizerEvent(good));
      await handler(authorizerEvent(bad));
      await handler(authorizerEvent()).catch(() => undefined);
      const output = lines.join('');
      expect(output).toContain('connection refused');
      for (const token of [good, bad]) {
        for (const part of token.split('.')) expect(output).not.toContain(part);
      }
    } finally {
      logger.setLogLevel('SILENT');
    }
  });
});

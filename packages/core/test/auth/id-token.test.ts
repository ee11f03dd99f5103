import { createPublicKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIssuer, type TestIssuer } from '../../../../test/support/tokens';
import { createIdTokenVerifier, type IdTokenVerifier, UnauthorizedError } from '../../src';

let issuer: TestIssuer;
let verifier: IdTokenVerifier;

beforeAll(async () => {
  issuer = await startIssuer();
  verifier = createIdTokenVerifier({ issuer: issuer.issuer, clientId: issuer.clientId });
});
afterAll(() => issuer.close());

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function refusalOf(token: string) {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthorizedError);
  return error as UnauthorizedError;
}

/** A token with the pool's issuer, audience and key id, signed with a key of the test's choosing. */
function forged(alg: string, key: Parameters<SignJWT['sign']>[0], header: Record<string, unknown> = {}) {
  return new SignJWT({ token_use: 'id', sub: 'u' })
    .setProtectedHeader({ alg, kid: 'test-key', ...header })
    .setIssuer(issuer.issuer)
    .setAudience(issuer.clientId)
    .setExpirationTime('1h')
    .sign(key);
}

describe('ID token verification', () => {
  it('accepts a valid ID token and reads who the caller is', async () => {
    const identity = await verifier.verify(await issuer.idToken('user-1', { 'custom:tenantId': 'acme' }));
    expect(identity).toEqual({
      userId: 'user-1',
      email: 'user-1@example.com',
      tenantId: 'acme',
      issuedAt: expect.any(Number),
    });
  });

  it('uses the user as their own tenant when the pool has no tenant attribute', async () => {
    expect((await verifier.verify(await issuer.idToken('solo'))).tenantId).toBe('solo');
  });

  it('fetches the JWKS once and serves later verifications from the cache', async () => {
    const before = issuer.jwksFetches();
    for (let i = 0; i < 5; i++) await verifier.verify(await issuer.idToken(`u${i}`));
    expect(issuer.jwksFetches()).toBe(before === 0 ? 1 : before);
    expect(issuer.jwksFetches()).toBe(1);
  });

  it('accepts an issuer configured with a trailing slash', async () => {
    const slashed = createIdTokenVerifier({ issuer: `${issuer.issuer}/`, clientId: issuer.clientId });
    expect((await slashed.verify(await issuer.idToken('u'))).userId).toBe('u');
  });

  describe('refuses', () => {
    it('an expired token', async () => {
      const token = await issuer.idToken('u', { exp: Math.floor(Date.now() / 1000) - 10 });
      expect((await refusalOf(token)).details?.reason).toBe('expired');
    });

    it('a token that is not yet valid', async () => {
      const token = await issuer.idToken('u', { nbf: Math.floor(Date.now() / 1000) + 600 });
      expect((await refusalOf(token)).details?.reason).toMatch(/nbf/);
    });

    it('a token issued a day in the future, but not one a minute ahead (clock skew)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const future = await issuer.idToken('u', { iat: now + 86_400, exp: now + 90_000 });
      expect((await refusalOf(future)).details?.reason).toBe('issued in the future');
      const skewed = await issuer.idToken('u', { iat: now + 60 });
      expect((await verifier.verify(skewed)).userId).toBe('u');
    });

    it('a token with an empty subject', async () => {
      const token = await issuer.idToken('');
      expect((await refusalOf(token)).details?.reason).toMatch(/sub/);
      const blank = await issuer.idToken('   ');
      expect((await refusalOf(blank)).details?.reason).toBe('sub is empty');
    });

    it('a token for another app client', async () => {
      const token = await issuer.idToken('u', { aud: 'someone-elses-client' });
      expect((await refusalOf(token)).details?.reason).toMatch(/aud/);
    });

    it('a token from another issuer', async () => {
      const token = await issuer.idToken('u', { iss: 'https://cognito-idp.us-east-1.amazonaws.com/other' });
      expect((await refusalOf(token)).details?.reason).toMatch(/iss/);
    });

    it('an access token instead of an ID token', async () => {
      const token = await issuer.idToken('u', { token_use: 'access', aud: issuer.clientId });
      expect((await refusalOf(token)).details?.reason).toBe('token_use is not id');
    });

    it('an access token shaped like Cognito’s, with client_id and no aud', async () => {
      const valid = await issuer.idToken('u');
      const [header, , signature] = valid.split('.');
      const payload = {
        sub: 'u',
        token_use: 'access',
        client_id: issuer.clientId,
        iss: issuer.issuer,
        exp: 9e9,
      };
      await refusalOf(`${header}.${b64(payload)}.${signature}`);
    });

    it('an unsigned token (alg none)', async () => {
      const payload = { sub: 'u', token_use: 'id', aud: issuer.clientId, iss: issuer.issuer, exp: 9e9 };
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
      await refusalOf(token);
    });

    it('an HS256 token signed with the public key as the secret', async () => {
      const publicPem = createPublicKey({ key: issuer.publicJwk, format: 'jwk' }).export({
        type: 'spki',
        format: 'pem',
      });
      const token = await forged('HS256', new TextEncoder().encode(publicPem as string));
      expect((await refusalOf(token)).details?.reason).toBe('algorithm not allowed');
    });

    it('a token whose payload was changed after signing', async () => {
      const [header, payload, signature] = (await issuer.idToken('victim')).split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const tampered = `${header}.${b64({ ...claims, sub: 'attacker' })}.${signature}`;
      expect((await refusalOf(tampered)).details?.reason).toBe('bad signature');
    });

    it('a token signed by a key the pool does not publish', async () => {
      expect((await refusalOf(await issuer.foreignToken('u'))).details?.reason).toBe('bad signature');
    });

    it('a token naming an unknown key id', async () => {
      const token = await issuer.idToken('u', {}, { kid: 'not-in-the-jwks' });
      expect((await refusalOf(token)).details?.reason).toBe('no matching key');
    });

    it('a token with its signature stripped', async () => {
      const [header, payload] = (await issuer.idToken('u')).split('.');
      expect((await refusalOf(`${header}.${payload}.`)).details?.reason).toBeTypeOf('string');
      await refusalOf(`${header}.${payload}`);
    });

    it('an HS256 token signed with a guessed secret', async () => {
      const token = await forged('HS256', new TextEncoder().encode('secret'));
      expect((await refusalOf(token)).details?.reason).toBe('algorithm not allowed');
    });

    it.each(['RS512', 'PS256', 'ES256'])('a token signed in %s, with a key of its own', async (alg) => {
      const { generateKeyPair } = await import('jose');
      const { privateKey } = await generateKeyPair(alg);
      expect((await refusalOf(await forged(alg, privateKey))).details?.reason).toBe('algorithm not allowed');
    });

    it('a token carrying its own key in the header (jwk), or a URL to one (jku)', async () => {
      const { generateKeyPair, exportJWK } = await import('jose');
      const attacker = await generateKeyPair('RS256', { extractable: true });
      const jwk = await exportJWK(attacker.publicKey);
      const forge = (header: Record<string, unknown>) => forged('RS256', attacker.privateKey, header);
      expect((await refusalOf(await forge({ jwk }))).details?.reason).toBe('bad signature');
      expect(
        (await refusalOf(await forge({ jku: 'http://127.0.0.1:1/evil/jwks.json' }))).details?.reason,
      ).toBe('bad signature');
    });

    it('a token with no expiry, or an expiry that is not a number', async () => {
      expect((await refusalOf(await issuer.idToken('u', { exp: undefined }))).details?.reason).toMatch(/exp/);
      await refusalOf(await issuer.idToken('u', { exp: 'tomorrow' as never }));
    });

    it('a token that does not say what it is for (no token_use)', async () => {
      expect((await refusalOf(await issuer.idToken('u', { token_use: undefined }))).details?.reason).toBe(
        'token_use is not id',
      );
    });

    it('a token whose audience lists only other clients', async () => {
      const token = await issuer.idToken('u', { aud: ['other-client', 'third-client'] });
      expect((await refusalOf(token)).details?.reason).toMatch(/aud/);
    });

    it('a token from another user pool on the same host', async () => {
      const token = await issuer.idToken('u', { iss: issuer.issuer.replace(/pool_1$/, 'pool_2') });
      expect((await refusalOf(token)).details?.reason).toMatch(/iss/);
    });

    it('a refresh token (opaque and encrypted, five parts)', async () => {
      const part = () => Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url');
      const refresh = `${b64({ cty: 'JWT', enc: 'A256GCM', alg: 'RSA-OAEP' })}.${part()}.${part()}.${part()}.${part()}`;
      await refusalOf(refresh);
    });

    it('a token whose header demands an extension it does not understand (crit)', async () => {
      const [, payload, signature] = (await issuer.idToken('u')).split('.');
      const header = b64({ alg: 'RS256', kid: 'test-key', crit: ['x-cascade'], 'x-cascade': true });
      await refusalOf(`${header}.${payload}.${signature}`);
    });

    it('garbage', async () => {
      expect((await refusalOf('not.a.jwt')).details?.reason).toBeTypeOf('string');
      await refusalOf('');
    });
  });

  it('never puts the token in what it reports', async () => {
    const token = await issuer.idToken('u', { aud: 'wrong' });
    const error = await refusalOf(token);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(
      token.split('.')[2],
    );
  });
});

import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CredentialStore,
  credentialsPath,
  jwtClaims,
  needsRefresh,
  type Tokens,
  tokenExpiry,
} from '../src/credentials';

const jwt = (claims: Record<string, unknown>) =>
  `header.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.signature`;

const tokens = (email: string, expiresAt = 1_000_000): Tokens => ({
  email,
  idToken: jwt({ email }),
  accessToken: 'access',
  refreshToken: `refresh-${email}`,
  expiresAt,
});

async function store() {
  const directory = await mkdtemp(join(tmpdir(), 'cascade-cli-'));
  return new CredentialStore(join(directory, 'cascade', 'credentials.json'));
}

describe('credentialsPath', () => {
  it('uses $XDG_CONFIG_HOME when it is absolute, else ~/.config', () => {
    expect(credentialsPath({ XDG_CONFIG_HOME: '/x/config' }, '/home/a')).toBe(
      '/x/config/cascade/credentials.json',
    );
    expect(credentialsPath({}, '/home/a')).toBe('/home/a/.config/cascade/credentials.json');
    expect(credentialsPath({ XDG_CONFIG_HOME: 'relative' }, '/home/a')).toBe(
      '/home/a/.config/cascade/credentials.json',
    );
  });
});

describe('CredentialStore', () => {
  it('writes a file only its owner can read, in a directory only its owner can enter', async () => {
    const credentials = await store();
    await credentials.put('pool/client', tokens('a@example.com'));
    expect((await stat(credentials.path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(credentials.path, '..'))).mode & 0o777).toBe(0o700);
  });

  it('keeps tokens per target and forgets one without touching the other', async () => {
    const credentials = await store();
    await credentials.put('poolA/client', tokens('a@example.com'));
    await credentials.put('poolB/client', tokens('b@example.com'));
    expect((await credentials.get('poolA/client'))?.email).toBe('a@example.com');
    expect((await credentials.get('poolB/client'))?.email).toBe('b@example.com');

    await credentials.remove('poolA/client');
    expect(await credentials.get('poolA/client')).toBeUndefined();
    expect((await credentials.get('poolB/client'))?.email).toBe('b@example.com');
  });

  it('stores the tokens and nothing else: no password field exists', async () => {
    const credentials = await store();
    await credentials.put('pool/client', tokens('a@example.com'));
    const file = JSON.parse(await readFile(credentials.path, 'utf8'));
    expect(Object.keys(file.targets['pool/client']).sort()).toEqual([
      'accessToken',
      'email',
      'expiresAt',
      'idToken',
      'refreshToken',
    ]);
  });

  it('treats a missing or damaged file as nobody logged in, and rewrites it on the next login', async () => {
    const credentials = await store();
    expect(await credentials.get('pool/client')).toBeUndefined();
    await credentials.put('pool/client', tokens('a@example.com'));
    await writeFile(credentials.path, '{ not json');
    expect(await credentials.get('pool/client')).toBeUndefined();
    await credentials.put('pool/client', tokens('b@example.com'));
    expect((await credentials.get('pool/client'))?.email).toBe('b@example.com');
  });
});

describe('refresh decision', () => {
  const now = 1_700_000_000_000;

  it('refreshes an expired token and one that expires within a minute, not one with longer to live', () => {
    expect(needsRefresh({ expiresAt: now - 1 }, now)).toBe(true);
    expect(needsRefresh({ expiresAt: now + 59_000 }, now)).toBe(true);
    expect(needsRefresh({ expiresAt: now + 60_000 }, now)).toBe(true);
    expect(needsRefresh({ expiresAt: now + 61_000 }, now)).toBe(false);
  });

  it("reads the expiry from the ID token's exp claim, else assumes Cognito's hour", () => {
    expect(tokenExpiry(jwt({ exp: 1_700_000_600 }), now)).toBe(1_700_000_600_000);
    expect(tokenExpiry('not-a-jwt', now)).toBe(now + 3_600_000);
  });

  it('reads claims without verifying, and nothing from a malformed token', () => {
    expect(jwtClaims(jwt({ sub: 'u1', 'custom:tenantId': 't1' }))).toEqual({
      sub: 'u1',
      'custom:tenantId': 't1',
    });
    expect(jwtClaims('a.%%%.c')).toEqual({});
    expect(jwtClaims('')).toEqual({});
  });
});

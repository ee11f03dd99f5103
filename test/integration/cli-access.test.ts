import { randomUUID } from 'node:crypto';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { cliSuite } from './cli-runner';
import { Client, cognitoAt, testPassword } from './harness';

/**
 * Access from a terminal, end to end: personal API keys, devices, locks, signing out everywhere,
 * and an administrator cutting someone off — each through the real `cascade` bin against a local
 * cloud, and checked at the WebSocket handshake itself.
 */
const suite = cliSuite({ withoutAwsCredentials: true });
const { cascade } = suite;
const email = `${randomUUID()}@example.com`;

const login = () => cascade(['login', email, '--password-stdin'], testPassword);

/** The tokens `cascade login` stored for the local cloud. */
async function storedTokens() {
  const tokens = await suite.storedTokens();
  if (!tokens) throw new Error('nobody is logged in');
  return tokens;
}

const withToken = (idToken: string) =>
  `${suite.cloud().endpoints.websocketUrl}?token=${encodeURIComponent(idToken)}`;
const withKey = (key: string) => `${suite.cloud().endpoints.websocketUrl}?apiKey=${encodeURIComponent(key)}`;

/** The handshake's status when refused, or 101 when let in. */
async function handshake(url: string): Promise<number> {
  try {
    (await Client.connect(url)).close();
    return 101;
  } catch (error) {
    return (error as { status?: number }).status ?? 0;
  }
}

/** Waits (bounded) until the server has closed the client's connection. */
async function closedBy(client: Client, timeoutMs = 10_000): Promise<boolean> {
  await expect.poll(() => client.closed !== undefined, { timeout: timeoutMs, interval: 50 }).toBe(true);
  return true;
}

/** A token's `iat` is whole seconds: a sign-in in the second of a revocation counts as before it. */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100 - (Date.now() % 1000)));

describe('cascade keys, devices and locks', () => {
  let key = '';
  let keyId = '';

  it('makes a personal API key, shown once, and lists it without the key', async () => {
    expect(await cascade(['admin', 'add-user', email, '--password-stdin'], testPassword)).toMatchObject({
      code: 0,
    });
    expect(await login()).toMatchObject({ code: 0, stderr: '' });
    const made = await cascade(['keys', 'create', '--name', 'nightly', '--expires', '30', '--json']);
    expect(made).toMatchObject({ code: 0, stderr: '' });
    const answer = JSON.parse(made.stdout) as {
      action: string;
      secret: string;
      key: { keyId: string; name: string; expiresAt: string };
    };
    expect(answer).toMatchObject({ action: 'key', key: { name: 'nightly' } });
    ({ secret: key } = answer);
    keyId = answer.key.keyId;
    expect(key).toMatch(/^csk_[0-9a-f]{16}_/);
    expect(Date.parse(answer.key.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const text = await cascade(['keys', 'list']);
    expect(text.stdout).toMatch(/Id\s+Name\s+Prefix\s+Created\s+Last used\s+Expires\s+State/);
    expect(text.stdout).toMatch(new RegExp(`${keyId}\\s+nightly\\s+csk_${keyId}.*never.*active`));
    expect(text.stdout).not.toContain(key);
  });

  it('works as a login with --api-key-stdin and CASCADE_API_KEY, and records its use', async () => {
    const viaStdin = await cascade(['sessions', '--json', '--api-key-stdin'], `${key}\n`);
    expect(viaStdin).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(viaStdin.stdout)).toMatchObject({ action: 'sessions' });
    const asked = await cascade(['ask', 'how many rows does lalonde.csv have?', '--json'], undefined, {
      CASCADE_API_KEY: key,
    });
    expect(asked).toMatchObject({ code: 0, stderr: '' });
    const listed = JSON.parse((await cascade(['keys', 'list', '--json'])).stdout) as {
      keys: { keyId: string; lastUsedAt?: string }[];
    };
    expect(listed.keys.find((k) => k.keyId === keyId)?.lastUsedAt).toBeDefined();
  });

  it('does not let a key make keys', async () => {
    const refused = await cascade(['keys', 'create'], undefined, { CASCADE_API_KEY: key });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'A connection opened with an API key cannot create API keys; sign in with your password to do it.\n',
    );
  });

  it('lists open connections, naming the client and where it connects from', async () => {
    const tokens = await storedTokens();
    const browser = await Client.connect(withToken(tokens.idToken));
    try {
      const devices = await cascade(['devices', '--json']);
      expect(devices).toMatchObject({ code: 0, stderr: '' });
      const { connections } = JSON.parse(devices.stdout) as {
        connections: { client: string; current: boolean; sourceIp?: string; via: string }[];
      };
      expect(connections).toHaveLength(2);
      expect(connections.find((c) => c.current)).toMatchObject({
        client: expect.stringMatching(/^cascade CLI /),
        via: 'token',
      });
      expect(connections.find((c) => !c.current)?.sourceIp).toMatch(/127\.0\.0\.1/);
      const text = await cascade(['devices']);
      expect(text.stdout).toMatch(/Connected\s+Client\s+From\s+Signed in with/);
      expect(text.stdout).toContain('(this one)');
    } finally {
      browser.close();
    }
  });

  it('lists the sessions a run holds locked, or says none is', async () => {
    const none = await cascade(['locks']);
    expect(none).toMatchObject({ code: 0, stdout: 'None of your sessions is locked by a run.\n' });
    const json = JSON.parse((await cascade(['locks', '--json'])).stdout);
    expect(json).toEqual({ action: 'locks', messageId: expect.any(String), locks: [] });
  });

  it('revokes a key at once: a connection it opened closes, and the handshake refuses it', async () => {
    const scripted = await Client.connect(withKey(key));
    expect(await cascade(['keys', 'revoke', keyId])).toMatchObject({
      code: 0,
      stdout: `Revoked API key ${keyId} ("nightly").\n`,
    });
    expect(await closedBy(scripted)).toBe(true);
    expect(await handshake(withKey(key))).toBe(403);
    const refused = await cascade(['sessions'], undefined, { CASCADE_API_KEY: key });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Cascade refused the API key \(HTTP 403\)/);
    expect(await cascade(['keys', 'revoke', 'ffffffffffffffff'])).toMatchObject({
      code: 1,
      stderr: 'You have no API key ffffffffffffffff.\n',
    });
  });
});

describe('ending access at once', () => {
  it('logout --everywhere: other sessions close, old tokens and refresh tokens stop working', async () => {
    await nextSecond();
    expect(await login()).toMatchObject({ code: 0 });
    const before = await storedTokens();
    const elsewhere = await Client.connect(withToken(before.idToken));
    const out = await cascade(['logout', '--everywhere', '--json']);
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(out.stdout)).toMatchObject({ action: 'signedOut', connections: 2, loggedOut: true });
    expect(await closedBy(elsewhere)).toBe(true);
    expect(await handshake(withToken(before.idToken))).toBe(403);
    const cognito = cognitoAt(suite.cloud().endpoints.edgeUrl);
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          ClientId: suite.cloud().endpoints.userPoolClientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: before.refreshToken },
        }),
      ),
    ).rejects.toThrow('Refresh Token has been revoked');
    cognito.destroy();
    expect((await cascade(['whoami'])).code).toBe(1);
    // A new sign-in works.
    await nextSecond();
    expect(await login()).toMatchObject({ code: 0 });
    expect(await cascade(['sessions'])).toMatchObject({ code: 0 });
  });

  it("an administrator's disable cuts the user off at the handshake within seconds, keys included", async () => {
    await nextSecond();
    expect(await login()).toMatchObject({ code: 0 });
    const made = JSON.parse((await cascade(['keys', 'create', '--json'])).stdout) as { secret: string };
    const tokens = await storedTokens();
    const live = await Client.connect(withToken(tokens.idToken));
    const disabled = await cascade(['admin', 'disable-user', email]);
    expect(disabled).toMatchObject({ code: 0, stderr: '' });
    expect(disabled.stdout).toBe(
      `Disabled ${email}: signed out everywhere, 1 connection closed, API keys refused.\n`,
    );
    expect(await closedBy(live)).toBe(true);
    expect(await handshake(withToken(tokens.idToken))).toBe(403);
    expect(await handshake(withKey(made.secret))).toBe(403);
    const refused = await cascade(['sessions']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Cascade refused your sign-in \(HTTP 403\)/);
    expect((await login()).stderr).toBe('This account is disabled: ask an administrator to enable it.\n');

    expect(await cascade(['admin', 'enable-user', email])).toMatchObject({ code: 0, stderr: '' });
    expect(await handshake(withToken(tokens.idToken))).toBe(403);
    expect(await handshake(withKey(made.secret))).toBe(101);
    await nextSecond();
    expect(await login()).toMatchObject({ code: 0 });
    expect(await cascade(['sessions'])).toMatchObject({ code: 0 });
  });

  it("lists and revokes a user's keys as an administrator", async () => {
    const keys = await cascade(['admin', 'keys', email, '--json']);
    expect(keys).toMatchObject({ code: 0, stderr: '' });
    const listed = JSON.parse(keys.stdout) as { keys: { keyId: string; revokedAt?: string }[] };
    const active = listed.keys.find((k) => !k.revokedAt)!;
    expect(await cascade(['admin', 'revoke-key', active.keyId])).toMatchObject({
      code: 0,
      stdout: `Revoked API key ${active.keyId}.\n`,
    });
    expect(await cascade(['admin', 'revoke-key', 'nope'])).toMatchObject({ code: 2 });
    expect((await cascade(['admin', 'keys', `${randomUUID()}@example.com`])).stderr).toMatch(
      /^There is no user /,
    );
  });
});

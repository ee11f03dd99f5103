import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cognitoRequest, createEdge, type GlobalSignOuts, type IssuedToken } from '../src/edge/router';
import { type Clock, readAccessToken, readRefreshToken, SignOutRecord } from '../src/emulators/cognito';

const pool = 'us-east-1_Pool1';
const issuer = `http://127.0.0.1:4566/${pool}`;

/** A JWT signed with `key` (RS256 unless the header says otherwise). */
function jwt(claims: Record<string, unknown>, key: KeyObject, header: Record<string, unknown> = {}) {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${part({ alg: 'RS256', kid: 'CognitoLocal', ...header })}.${part(claims)}`;
  return `${signed}.${sign('RSA-SHA256', Buffer.from(signed), key).toString('base64url')}`;
}

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const emulatorKey = pair();
const otherKey = pair();
const jwks = [{ ...emulatorKey.publicKey.export({ format: 'jwk' }), kid: 'CognitoLocal' }];
const now = 1_800_000_000;
const accessClaims = {
  sub: 'sub-1',
  username: 'user-1',
  token_use: 'access',
  iss: issuer,
  iat: now - 60,
  exp: now + 3600,
};

describe('readAccessToken: the checks cognito-local skips', () => {
  it('names the pool, the user and the issue time of an access token the pool signed', () => {
    expect(readAccessToken(jwt(accessClaims, emulatorKey.privateKey), jwks, now)).toEqual({
      user: { userPoolId: pool, username: 'user-1' },
      issuedAt: now - 60,
    });
  });

  it('calls an access token past its exp expired', () => {
    expect(readAccessToken(jwt({ ...accessClaims, exp: now }, emulatorKey.privateKey), jwks, now)).toBe(
      'expired',
    );
  });

  it.each([
    ['signed by another key', jwt(accessClaims, otherKey.privateKey)],
    ['an ID token', jwt({ ...accessClaims, token_use: 'id' }, emulatorKey.privateKey)],
    [
      'unsigned (alg none)',
      `${jwt(accessClaims, emulatorKey.privateKey, { alg: 'none' }).split('.').slice(0, 2).join('.')}.`,
    ],
    ['with an unknown key id', jwt(accessClaims, emulatorKey.privateKey, { kid: 'other' })],
    ['without a username', jwt({ ...accessClaims, username: undefined }, emulatorKey.privateKey)],
    ['not a JWT', 'not-a-token'],
  ])('refuses a token %s as invalid', (_case, token) => {
    expect(readAccessToken(token, jwks, now)).toBe('invalid');
  });

  it('refuses a token whose claims were changed after signing', () => {
    const [head, , signature] = jwt(accessClaims, emulatorKey.privateKey).split('.');
    const forged = Buffer.from(JSON.stringify({ ...accessClaims, username: 'admin' })).toString('base64url');
    expect(readAccessToken(`${head}.${forged}.${signature}`, jwks, now)).toBe('invalid');
  });
});

describe('readRefreshToken', () => {
  it("names the user and issue time of cognito-local's refresh token, and nothing for another string", () => {
    const token = jwt({ 'cognito:username': 'user-1', iat: now, iss: issuer }, emulatorKey.privateKey);
    expect(readRefreshToken(token)).toEqual({
      user: { userPoolId: pool, username: 'user-1' },
      issuedAt: now,
    });
    expect(readRefreshToken('opaque-refresh-token')).toBeUndefined();
  });
});

/** A clock that stands still until something sleeps, and records the sleeps. */
function fakeClock(startMs: number): Clock & { slept: number[] } {
  let time = startMs;
  const slept: number[] = [];
  return {
    slept,
    now: () => time,
    sleep: async (ms) => {
      slept.push(ms);
      time += ms;
    },
  };
}

const user = (username: string, userPoolId = pool) => ({ userPoolId, username });
const issuedAt = (username: string, at: number, userPoolId = pool): IssuedToken => ({
  user: user(username, userPoolId),
  issuedAt: at,
});

describe('SignOutRecord', () => {
  const recordFile = async () => join(await mkdtemp(join(tmpdir(), 'sign-outs-')), 'sign-outs.json');

  it("revokes the user's tokens issued up to the sign-out's second, and resolves only once the next second has begun", async () => {
    const clock = fakeClock(1_000_400);
    const record = new SignOutRecord(await recordFile(), clock);

    await record.signOut(user('user-1'));

    expect(clock.slept).toEqual([600]);
    expect(await record.isRevoked(issuedAt('user-1', 1_000))).toBe(true);
    expect(await record.isRevoked(issuedAt('user-1', 1_001))).toBe(false);
    expect(await record.isRevoked(issuedAt('user-2', 1_000))).toBe(false);
    expect(await record.isRevoked(issuedAt('user-1', 1_000, 'us-east-1_Other'))).toBe(false);
  });

  it('is kept on disk: a new record on the same file agrees, and no temporary file is left', async () => {
    const file = await recordFile();
    await new SignOutRecord(file, fakeClock(2_000_000)).signOut(user('user-1'));

    const reopened = new SignOutRecord(file);
    expect(await reopened.isRevoked(issuedAt('user-1', 2_000))).toBe(true);
    expect(await reopened.isRevoked(issuedAt('user-1', 2_001))).toBe(false);
    expect(await readdir(join(file, '..'))).toEqual(['sign-outs.json']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ [`${pool}/user-1`]: 2_001 });
  });

  it('keeps every one of several sign-outs made at once', async () => {
    const file = await recordFile();
    const record = new SignOutRecord(file, fakeClock(3_000_000));
    const names = ['a', 'b', 'c', 'd', 'e'];

    await Promise.all(names.map((name) => record.signOut(user(name))));

    const reopened = new SignOutRecord(file);
    for (const name of names) expect(await reopened.isRevoked(issuedAt(name, 3_000))).toBe(true);
  });

  it('never moves a sign-out back in time', async () => {
    const file = await recordFile();
    await new SignOutRecord(file, fakeClock(5_000_000)).signOut(user('user-1'));
    await new SignOutRecord(file, fakeClock(4_000_000)).signOut(user('user-1'));
    expect(await new SignOutRecord(file).isRevoked(issuedAt('user-1', 4_500))).toBe(true);
  });
});

// --- The edge's Cognito front, with a stand-in for cognito-local ---

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    ),
  );
});

async function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** cognito-local as the edge sees it: answers per operation, and every request it got. */
async function emulator(answers: Record<string, (input: Record<string, unknown>) => [number, unknown]>) {
  const received: { operation: string; input: Record<string, unknown> }[] = [];
  const url = await listen(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const operation = String(request.headers['x-amz-target']).split('.')[1] ?? '';
    const input = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
    received.push({ operation, input });
    const [status, body] = answers[operation]?.(input) ?? [200, { passedOn: operation }];
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return { url, received };
}

/** Sign-outs as the edge's port sees them: user-1 signed out everywhere at second 80. */
function signOutsDouble(): GlobalSignOuts & { signOut: ReturnType<typeof vi.fn> } {
  const tokens: Record<string, IssuedToken> = {
    'access-current': issuedAt('user-1', 100),
    'access-before-sign-out': issuedAt('user-1', 50),
    'refresh-current': issuedAt('user-1', 100),
    'refresh-before-sign-out': issuedAt('user-1', 50),
  };
  return {
    readAccessToken: async (token) =>
      token === 'access-expired'
        ? 'expired'
        : token.startsWith('access-')
          ? (tokens[token] ?? 'invalid')
          : 'invalid',
    readRefreshToken: (token) => tokens[token],
    isRevoked: async (token) => token.user.username === 'user-1' && token.issuedAt < 80,
    signOut: vi.fn(async () => undefined),
  };
}

async function edgeWith(
  answers: Parameters<typeof emulator>[0] = {},
  signOuts: GlobalSignOuts | null = signOutsDouble(),
) {
  const cognito = await emulator(answers);
  const url = await listen(
    createEdge({
      cognito: { url: cognito.url, resendCode: async () => 'unknown', ...(signOuts && { signOuts }) },
      gateway: {} as never,
      backend: {} as never,
      allowedOrigins: [],
    }),
  );
  /** One Cognito operation through the edge: status, error type header and body. */
  const call = async (operation: string, input: Record<string, unknown>) => {
    const answer = await cognitoRequest(url, operation, input);
    return {
      status: answer.status,
      errorType: answer.headers.get('x-amzn-errortype'),
      body: await answer.json(),
    };
  };
  return { call, received: cognito.received };
}

const refused = (type: string, message: string) => ({
  status: 400,
  errorType: type,
  body: { __type: type, message },
});

describe('GlobalSignOut at the edge', () => {
  it("signs out the user cognito-local's GetUser names for the token, and answers {}", async () => {
    const signOuts = signOutsDouble();
    const { call, received } = await edgeWith({ GetUser: () => [200, { Username: 'user-1' }] }, signOuts);

    expect(await call('GlobalSignOut', { AccessToken: 'access-current' })).toEqual({
      status: 200,
      errorType: null,
      body: {},
    });
    expect(received).toEqual([{ operation: 'GetUser', input: { AccessToken: 'access-current' } }]);
    expect(signOuts.signOut).toHaveBeenCalledWith({ userPoolId: pool, username: 'user-1' });
  });

  it.each([
    ['access-expired', 'Access Token has expired'],
    ['garbage', 'Invalid Access Token'],
    ['access-before-sign-out', 'Access Token has been revoked'],
  ])('refuses %s with NotAuthorizedException "%s" and signs no one out', async (token, message) => {
    const signOuts = signOutsDouble();
    const { call, received } = await edgeWith({}, signOuts);
    expect(await call('GlobalSignOut', { AccessToken: token })).toEqual(
      refused('NotAuthorizedException', message),
    );
    expect(received).toEqual([]);
    expect(signOuts.signOut).not.toHaveBeenCalled();
  });

  it('passes on what cognito-local says when the user is gone', async () => {
    const signOuts = signOutsDouble();
    const { call } = await edgeWith(
      { GetUser: () => [400, { __type: 'UserNotFoundException', message: 'User not found.' }] },
      signOuts,
    );
    expect(await call('GlobalSignOut', { AccessToken: 'access-current' })).toEqual(
      refused('UserNotFoundException', 'User not found.'),
    );
    expect(signOuts.signOut).not.toHaveBeenCalled();
  });

  it('asks for the access token when there is none', async () => {
    const { call } = await edgeWith();
    expect(await call('GlobalSignOut', {})).toMatchObject({
      status: 400,
      errorType: 'InvalidParameterException',
      body: { message: expect.stringContaining("'accessToken'") },
    });
  });

  it('goes to cognito-local as it came when the edge has no sign-out record', async () => {
    const { call, received } = await edgeWith({}, null);
    expect((await call('GlobalSignOut', { AccessToken: 'x' })).body).toEqual({ passedOn: 'GlobalSignOut' });
    expect(received).toHaveLength(1);
  });
});

describe('access tokens at the edge', () => {
  it('refuses a signed-out access token before cognito-local sees it, and passes a current one on', async () => {
    const { call, received } = await edgeWith();
    expect(await call('GetUser', { AccessToken: 'access-before-sign-out' })).toEqual(
      refused('NotAuthorizedException', 'Access Token has been revoked'),
    );
    expect(received).toEqual([]);
    expect((await call('GetUser', { AccessToken: 'access-current' })).body).toEqual({ passedOn: 'GetUser' });
  });

  it('refuses a revoked token on ChangePassword before it looks at the new password', async () => {
    const { call } = await edgeWith();
    expect(
      await call('ChangePassword', {
        AccessToken: 'access-before-sign-out',
        PreviousPassword: 'x',
        ProposedPassword: 'weak',
      }),
    ).toEqual(refused('NotAuthorizedException', 'Access Token has been revoked'));
  });
});

describe('refresh tokens at the edge', () => {
  it.each(['InitiateAuth', 'AdminInitiateAuth'])(
    '%s refuses a refresh token issued before the sign-out, and passes a later one on',
    async (operation) => {
      const { call, received } = await edgeWith();
      const refresh = (token: string) =>
        call(operation, { AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token } });

      expect(await refresh('refresh-before-sign-out')).toEqual(
        refused('NotAuthorizedException', 'Refresh Token has been revoked'),
      );
      expect(received).toEqual([]);
      expect((await refresh('refresh-current')).body).toEqual({ passedOn: operation });
    },
  );
});

describe('AdminUserGlobalSignOut at the edge', () => {
  it("signs out the user cognito-local's AdminGetUser finds, by whatever name it was given", async () => {
    const signOuts = signOutsDouble();
    const { call, received } = await edgeWith(
      { AdminGetUser: () => [200, { Username: 'user-1' }] },
      signOuts,
    );

    expect(await call('AdminUserGlobalSignOut', { UserPoolId: pool, Username: 'sub-1' })).toEqual({
      status: 200,
      errorType: null,
      body: {},
    });
    expect(received).toEqual([{ operation: 'AdminGetUser', input: { UserPoolId: pool, Username: 'sub-1' } }]);
    expect(signOuts.signOut).toHaveBeenCalledWith({ userPoolId: pool, username: 'user-1' });
  });

  it('answers an unknown user as Cognito does, and signs no one out', async () => {
    const signOuts = signOutsDouble();
    const { call } = await edgeWith(
      { AdminGetUser: () => [400, { __type: 'UserNotFoundException', message: 'User does not exist.' }] },
      signOuts,
    );
    expect(await call('AdminUserGlobalSignOut', { UserPoolId: pool, Username: 'nobody' })).toEqual(
      refused('UserNotFoundException', 'User does not exist.'),
    );
    expect(signOuts.signOut).not.toHaveBeenCalled();
  });

  it("answers an unknown pool in Cognito's words, not cognito-local's", async () => {
    const { call } = await edgeWith({
      AdminGetUser: (input) => [
        400,
        { __type: 'ResourceNotFoundException', message: `User Pool ${input.UserPoolId} not found` },
      ],
    });
    expect(await call('AdminUserGlobalSignOut', { UserPoolId: 'us-east-1_Nope', Username: 'x' })).toEqual(
      refused('ResourceNotFoundException', 'User pool us-east-1_Nope does not exist.'),
    );
  });

  it.each([
    [{ Username: 'x' }, 'userPoolId'],
    [{ UserPoolId: pool }, 'username'],
  ])('asks for a missing field (%j)', async (input, field) => {
    const { call, received } = await edgeWith();
    expect(await call('AdminUserGlobalSignOut', input)).toMatchObject({
      status: 400,
      errorType: 'InvalidParameterException',
      body: { message: expect.stringContaining(`'${field}'`) },
    });
    expect(received).toEqual([]);
  });
});

describe('a failing sign-out record', () => {
  it('answers 500 InternalErrorException and the edge keeps serving', async () => {
    const signOuts = signOutsDouble();
    signOuts.isRevoked = async () => {
      throw new Error('disk gone');
    };
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { call } = await edgeWith({}, signOuts);

    expect(await call('GetUser', { AccessToken: 'access-current' })).toMatchObject({
      status: 500,
      body: { __type: 'InternalErrorException' },
    });
    expect(error).toHaveBeenCalled();
    expect((await call('ListUsers', {})).body).toEqual({ passedOn: 'ListUsers' });
  });
});

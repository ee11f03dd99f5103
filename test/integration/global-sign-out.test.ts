import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminInitiateAuthCommand,
  AdminUserGlobalSignOutCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { LocalCloud } from '@cascade/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cognitoAt, signUp, startTestCloud, testPassword } from './harness';

/**
 * Global sign-out as Cognito does it (cognito-local answers both operations "Unsupported"): the
 * edge revokes every refresh and access token the user holds, through the real cognito-local, and
 * remembers it across a restart of the local cloud.
 */
let dataDirectory: string;
let cloud: LocalCloud;
let cognito: CognitoIdentityProviderClient;
beforeAll(async () => {
  dataDirectory = await mkdtemp(join(tmpdir(), 'cascade-sign-out-'));
  cloud = await startTestCloud({ dataDirectory });
  cognito = cognitoAt(cloud.endpoints.edgeUrl);
}, 60_000);
afterAll(async () => {
  cognito?.destroy();
  await cloud?.stop();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error) => ({ name: error.name, message: error.message }),
  );
const revoked = (token: 'Refresh' | 'Access') => ({
  name: 'NotAuthorizedException',
  message: `${token} Token has been revoked`,
});

async function newUser() {
  const email = `${randomUUID()}@example.com`;
  await signUp(cloud.endpoints, email);
  return email;
}

async function signIn(
  email: string,
): Promise<Required<Pick<AuthenticationResultType, 'AccessToken' | 'RefreshToken'>>> {
  const auth = await cognito.send(
    new InitiateAuthCommand({
      ClientId: cloud.endpoints.userPoolClientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: testPassword },
    }),
  );
  return {
    AccessToken: auth.AuthenticationResult!.AccessToken!,
    RefreshToken: auth.AuthenticationResult!.RefreshToken!,
  };
}

const refresh = (refreshToken: string) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: cloud.endpoints.userPoolClientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );

const adminRefresh = (refreshToken: string) =>
  cognito.send(
    new AdminInitiateAuthCommand({
      UserPoolId: cloud.endpoints.userPoolId,
      ClientId: cloud.endpoints.userPoolClientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );

const adminSignOut = (Username: string, UserPoolId = cloud.endpoints.userPoolId) =>
  cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId, Username }));

/** A later sign-in works as before: its refresh token refreshes and its access token is taken. */
async function expectFreshSignInWorks(email: string) {
  const later = await signIn(email);
  expect((await refresh(later.RefreshToken)).AuthenticationResult?.IdToken).toMatch(/^ey/);
  expect((await cognito.send(new GetUserCommand({ AccessToken: later.AccessToken }))).Username).toBeTruthy();
}

describe('GlobalSignOut', () => {
  it('with one access token revokes every refresh and access token the user holds; a new sign-in works', async () => {
    const email = await newUser();
    const phone = await signIn(email);
    const laptop = await signIn(email);
    expect((await refresh(laptop.RefreshToken)).AuthenticationResult?.IdToken).toMatch(/^ey/);

    expect(
      (await cognito.send(new GlobalSignOutCommand({ AccessToken: phone.AccessToken }))).$metadata
        .httpStatusCode,
    ).toBe(200);

    expect(await failure(refresh(phone.RefreshToken))).toEqual(revoked('Refresh'));
    expect(await failure(refresh(laptop.RefreshToken))).toEqual(revoked('Refresh'));
    expect(await failure(adminRefresh(laptop.RefreshToken))).toEqual(revoked('Refresh'));
    expect(await failure(cognito.send(new GetUserCommand({ AccessToken: laptop.AccessToken })))).toEqual(
      revoked('Access'),
    );
    expect(await failure(cognito.send(new GlobalSignOutCommand({ AccessToken: phone.AccessToken })))).toEqual(
      revoked('Access'),
    );
    await expectFreshSignInWorks(email);
  });

  it("refuses a token that is not the pool's access token, as Cognito does", async () => {
    expect(await failure(cognito.send(new GlobalSignOutCommand({ AccessToken: 'not-a-token' })))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Invalid Access Token',
    });
  });
});

describe('AdminUserGlobalSignOut', () => {
  it("signs out a user named by their sub; other users' tokens keep working", async () => {
    const email = await newUser();
    const bystander = await newUser();
    const session = await signIn(email);
    const other = await signIn(bystander);
    const attributes = (await cognito.send(new GetUserCommand({ AccessToken: session.AccessToken })))
      .UserAttributes;
    const sub = attributes?.find((a) => a.Name === 'sub')?.Value;
    expect(sub).toMatch(/^[0-9a-f-]{36}$/);

    await adminSignOut(sub!);

    expect(await failure(refresh(session.RefreshToken))).toEqual(revoked('Refresh'));
    expect((await refresh(other.RefreshToken)).AuthenticationResult?.IdToken).toMatch(/^ey/);
    await expectFreshSignInWorks(email);
  });

  it('signs out a user named by their email', async () => {
    const email = await newUser();
    const session = await signIn(email);

    await adminSignOut(email);

    expect(await failure(adminRefresh(session.RefreshToken))).toEqual(revoked('Refresh'));
    await expectFreshSignInWorks(email);
  });

  it('answers an unknown user and an unknown pool as Cognito does', async () => {
    const notFound = { name: 'UserNotFoundException', message: 'User does not exist.' };
    expect(await failure(adminSignOut(`${randomUUID()}@example.com`))).toEqual(notFound);
    expect(await failure(adminSignOut(randomUUID()))).toEqual(notFound);
    expect(await failure(adminSignOut('someone@example.com', 'us-east-1_Nope'))).toEqual({
      name: 'ResourceNotFoundException',
      message: 'User pool us-east-1_Nope does not exist.',
    });
  });
});

describe('across a restart', () => {
  it('a revoked refresh token stays revoked when the local cloud starts again on the same directory', async () => {
    const email = await newUser();
    const before = await signIn(email);
    await adminSignOut(email);
    const after = await signIn(email);

    cognito.destroy();
    await cloud.stop();
    cloud = await startTestCloud({ dataDirectory });
    cognito = cognitoAt(cloud.endpoints.edgeUrl);

    expect(await failure(refresh(before.RefreshToken))).toEqual(revoked('Refresh'));
    expect(await failure(cognito.send(new GetUserCommand({ AccessToken: before.AccessToken })))).toEqual(
      revoked('Access'),
    );
    expect((await refresh(after.RefreshToken)).AuthenticationResult?.IdToken).toMatch(/^ey/);
  }, 60_000);
});

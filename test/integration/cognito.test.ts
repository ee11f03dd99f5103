import { randomUUID } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { LocalCloud } from '@cascade/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cognitoAt, signIn, startTestCloud, testPassword } from './harness';

/**
 * Sign-up as the deployed pool behaves: its password policy (cognito-local enforces none),
 * "Send a new code" (cognito-local lacks ResendConfirmationCode) and the sign-up policy
 * (CASCADE_SIGNUP: an admin-only pool, or the pre-sign-up trigger's domains), answered by the edge.
 */
let cloud: LocalCloud;
let cognito: CognitoIdentityProviderClient;
const printed: string[] = [];
beforeAll(async () => {
  cloud = await startTestCloud({ log: (line) => printed.push(line) });
  cognito = cognitoAt(cloud.endpoints.edgeUrl);
}, 60_000);
afterAll(async () => {
  cognito?.destroy();
  await cloud?.stop();
});

const ClientId = () => cloud.endpoints.userPoolClientId;
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error) => ({ name: error.name, message: error.message }),
  );

describe('the password policy', () => {
  it.each([
    ['Short-1a', 'Password not long enough'],
    ['all-lower-case-1', 'Password must have uppercase characters'],
    ['ALL-UPPER-CASE-1', 'Password must have lowercase characters'],
    ['No-Numbers-Here', 'Password must have numeric characters'],
  ])('refuses %s at sign-up, as Cognito says it', async (password, problem) => {
    const email = `${randomUUID()}@example.com`;
    expect(
      await failure(
        cognito.send(new SignUpCommand({ ClientId: ClientId(), Username: email, Password: password })),
      ),
    ).toEqual({
      name: 'InvalidPasswordException',
      message: `Password did not conform with policy: ${problem}`,
    });
  });

  it('refuses a weak new password when resetting one too', async () => {
    const error = await failure(
      cognito.send(
        new ConfirmForgotPasswordCommand({
          ClientId: ClientId(),
          Username: 'someone@example.com',
          ConfirmationCode: '123456',
          Password: 'weak',
        }),
      ),
    );
    expect(error).toMatchObject({ name: 'InvalidPasswordException' });
  });
});

describe('"Send a new code"', () => {
  it('delivers the pending code again; it confirms the account; then there is nothing to resend', async () => {
    const email = `${randomUUID()}@example.com`;
    await cognito.send(new SignUpCommand({ ClientId: ClientId(), Username: email, Password: testPassword }));
    const first = await cloud.confirmationCode(email);
    const before = printed.filter((line) => line.includes(email)).length;

    const resent = await cognito.send(
      new ResendConfirmationCodeCommand({ ClientId: ClientId(), Username: email }),
    );
    expect(resent.CodeDeliveryDetails).toEqual({
      Destination: expect.stringMatching(/^.\*\*\*@.\*\*\*$/),
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    expect(printed.filter((line) => line.includes(email))).toHaveLength(before + 1);
    expect(printed.at(-1)).toBe(`✉  Confirmation code for ${email}: ${first}`);

    await cognito.send(
      new ConfirmSignUpCommand({ ClientId: ClientId(), Username: email, ConfirmationCode: first }),
    );
    expect(
      await failure(
        cognito.send(new ResendConfirmationCodeCommand({ ClientId: ClientId(), Username: email })),
      ),
    ).toEqual({
      name: 'InvalidParameterException',
      message: 'User is already confirmed.',
    });
  });

  it('answers for an address with no account exactly as for one with an account', async () => {
    const resent = await cognito.send(
      new ResendConfirmationCodeCommand({ ClientId: ClientId(), Username: `${randomUUID()}@example.com` }),
    );
    expect(resent.CodeDeliveryDetails).toMatchObject({ DeliveryMedium: 'EMAIL', AttributeName: 'email' });
  });
});

describe('sign-up open to anyone (the local default)', () => {
  it('takes an address at any domain', async () => {
    const email = `${randomUUID()}@gmail.com`;
    await cognito.send(new SignUpCommand({ ClientId: ClientId(), Username: email, Password: testPassword }));
    expect(await cloud.confirmationCode(email)).toMatch(/^\d+$/);
  });
});

/** A local cloud of its own under a sign-up policy, and Cognito through its edge. */
function cloudWith(signUp: NonNullable<Parameters<typeof startTestCloud>[0]>['signUp']) {
  const own: { cloud?: LocalCloud; cognito?: CognitoIdentityProviderClient } = {};
  beforeAll(async () => {
    own.cloud = await startTestCloud({ signUp });
    own.cognito = cognitoAt(own.cloud.endpoints.edgeUrl);
  }, 60_000);
  afterAll(async () => {
    own.cognito?.destroy();
    await own.cloud?.stop();
  });
  return own as Required<typeof own>;
}

/** An administrator's account: created without an email, given a permanent password. */
async function adminCreates(
  own: { cloud: LocalCloud; cognito: CognitoIdentityProviderClient },
  email: string,
) {
  const UserPoolId = own.cloud.endpoints.userPoolId;
  await own.cognito.send(
    new AdminCreateUserCommand({
      UserPoolId,
      Username: email,
      UserAttributes: [{ Name: 'email', Value: email }],
      MessageAction: 'SUPPRESS',
    }),
  );
  await own.cognito.send(
    new AdminSetUserPasswordCommand({ UserPoolId, Username: email, Password: testPassword, Permanent: true }),
  );
}

describe('CASCADE_SIGNUP=invite', () => {
  const own = cloudWith({ mode: 'invite' });

  it('refuses SignUp as an admin-only pool does, before it looks at the password', async () => {
    for (const Password of [testPassword, 'weak'])
      expect(
        await failure(
          own.cognito.send(
            new SignUpCommand({
              ClientId: own.cloud.endpoints.userPoolClientId,
              Username: `${randomUUID()}@example.com`,
              Password,
            }),
          ),
        ),
      ).toEqual({ name: 'NotAuthorizedException', message: 'SignUp is not permitted for this user pool' });
  });

  it('lets an administrator create an account, which then signs in', async () => {
    const email = `${randomUUID()}@example.com`;
    await adminCreates(own, email);
    expect((await signIn(own.cloud.endpoints, email)).idToken).toMatch(/^ey/);
  });
});

describe('CASCADE_SIGNUP=domains:example.com,b.org', () => {
  const own = cloudWith({ mode: 'domains', domains: ['example.com', 'b.org'] });
  const signUp = (Username: string, extra: Partial<{ email: string; Password: string }> = {}) =>
    own.cognito.send(
      new SignUpCommand({
        ClientId: own.cloud.endpoints.userPoolClientId,
        Username,
        Password: extra.Password ?? testPassword,
        UserAttributes: [{ Name: 'email', Value: extra.email ?? Username }],
      }),
    );
  const refused = {
    name: 'UserLambdaValidationException',
    message:
      'PreSignUp failed with error Sign-up is open to email addresses at example.com or b.org only; ask an administrator if you need an account.',
  };

  it('takes an address at a listed domain, whatever its case', async () => {
    const email = `${randomUUID()}@Example.COM`;
    await signUp(email);
    expect(await own.cloud.confirmationCode(email)).toMatch(/^\d+$/);
  });

  it.each(['gmail.com', 'eu.example.com', 'example.com.evil.net'])(
    'refuses an address at %s as the trigger refuses it through Cognito',
    async (domain) => {
      expect(await failure(signUp(`${randomUUID()}@${domain}`))).toEqual(refused);
    },
  );

  it('refuses an email attribute outside the domains, whatever the username says', async () => {
    expect(await failure(signUp(`${randomUUID()}@example.com`, { email: 'eve@gmail.com' }))).toEqual(refused);
  });

  // Which of the two AWS checks first is not documented; the edge reports the password first.
  it('reports a weak password before the domain', async () => {
    expect(await failure(signUp(`${randomUUID()}@gmail.com`, { Password: 'weak' }))).toMatchObject({
      name: 'InvalidPasswordException',
    });
  });

  it('lets an administrator create an account at any domain', async () => {
    const email = `${randomUUID()}@gmail.com`;
    await adminCreates(own, email);
    expect((await signIn(own.cloud.endpoints, email)).idToken).toMatch(/^ey/);
  });
});

describe('a disabled user (cognito-local records AdminDisableUser but still signs the user in)', () => {
  it('is refused sign-in and refresh as Cognito refuses them, and signs in again once enabled', async () => {
    const own = { cloud, cognito };
    const email = `${randomUUID()}@example.com`;
    await adminCreates(own, email);
    const auth = await cognito.send(
      new InitiateAuthCommand({
        ClientId: ClientId(),
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: testPassword },
      }),
    );
    const refreshToken = auth.AuthenticationResult!.RefreshToken!;
    const UserPoolId = cloud.endpoints.userPoolId;
    await cognito.send(new AdminDisableUserCommand({ UserPoolId, Username: email }));

    const refused = { name: 'NotAuthorizedException', message: 'User is disabled.' };
    expect(await failure(signIn(cloud.endpoints, email))).toEqual(refused);
    expect(
      await failure(
        cognito.send(
          new InitiateAuthCommand({
            ClientId: ClientId(),
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: refreshToken },
          }),
        ),
      ),
    ).toEqual(refused);

    await cognito.send(new AdminEnableUserCommand({ UserPoolId, Username: email }));
    expect((await signIn(cloud.endpoints, email)).idToken).toMatch(/^ey/);
  });
});

import { randomUUID } from 'node:crypto';
import {
  type CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../packages/local/src';
import { cognitoAt, startTestCloud, testPassword } from './harness';

/**
 * Sign-up as the deployed pool behaves: its password policy (cognito-local enforces none) and
 * "Send a new code" (cognito-local lacks ResendConfirmationCode), answered by the edge.
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

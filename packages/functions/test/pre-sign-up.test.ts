import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../src/cognito/pre-sign-up';
import type { Links } from '../src/resources';
import { preSignUpEvent } from './harness';

beforeAll(() => {
  // Its one link, as SST gives it to the function; `sst/resource` reads the variables once.
  const signUp: Links['SignUp'] = { domains: ['example.com', 'b.org'] };
  vi.stubEnv('SST_RESOURCE_App', JSON.stringify({ name: 'cascade', stage: 'test' }));
  vi.stubEnv('SST_RESOURCE_SignUp', JSON.stringify(signUp));
});
afterAll(() => vi.unstubAllEnvs());

const refusal =
  'Sign-up is open to email addresses at example.com or b.org only; ask an administrator if you need an account';

describe('the pre-sign-up trigger', () => {
  it.each(['ada@example.com', 'Ada@EXAMPLE.COM', 'bo@b.org'])(
    'lets %s sign up, answering Cognito with its own event',
    async (email) => {
      const event = preSignUpEvent(email);
      expect(await handler(event)).toBe(event);
      expect(event.response).toEqual({
        autoConfirmUser: false,
        autoVerifyEmail: false,
        autoVerifyPhone: false,
      });
    },
  );

  it.each(['eve@gmail.com', 'eve@eu.example.com', 'eve@example.com.evil.net', 'example.com'])(
    'refuses %s with the sentence Cognito shows after "PreSignUp failed with error"',
    async (email) => {
      await expect(handler(preSignUpEvent(email))).rejects.toThrow(new Error(refusal));
    },
  );

  it('refuses a sign-up without an email, and one through an identity provider outside the domains', async () => {
    await expect(handler(preSignUpEvent(undefined))).rejects.toThrow(refusal);
    await expect(handler(preSignUpEvent('eve@gmail.com', 'PreSignUp_ExternalProvider'))).rejects.toThrow(
      refusal,
    );
  });

  it('lets an administrator create an account at any domain', async () => {
    const event = preSignUpEvent('contractor@gmail.com', 'PreSignUp_AdminCreateUser');
    expect(await handler(event)).toBe(event);
  });
});

import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../src/agent/providers/settings';
import {
  emailDomainAllowed,
  emailDomainOf,
  preSignUpFailure,
  signUpPolicyFrom,
  signUpRefusal,
} from '../../src/auth/sign-up-policy';

describe('CASCADE_SIGNUP', () => {
  it('falls back to what the stage asks for when unset or empty', () => {
    expect(signUpPolicyFrom({}, 'open')).toEqual({ mode: 'open' });
    expect(signUpPolicyFrom({ CASCADE_SIGNUP: '' }, 'invite')).toEqual({ mode: 'invite' });
  });

  it('reads open and invite whatever the fallback', () => {
    expect(signUpPolicyFrom({ CASCADE_SIGNUP: 'open' }, 'invite')).toEqual({ mode: 'open' });
    expect(signUpPolicyFrom({ CASCADE_SIGNUP: 'invite' }, 'open')).toEqual({ mode: 'invite' });
  });

  it('reads a domain list lower-cased, trimmed and without repeats', () => {
    expect(signUpPolicyFrom({ CASCADE_SIGNUP: 'domains: Example.COM , b.org,example.com,' }, 'open')).toEqual(
      {
        mode: 'domains',
        domains: ['example.com', 'b.org'],
      },
    );
  });

  it.each([
    ['closed', 'CASCADE_SIGNUP must be open, invite or domains:<domain,…>'],
    ['domains:', 'needs at least one email domain'],
    ['domains: , ', 'needs at least one email domain'],
    ['domains:@example.com', '"@example.com", which is not an email domain'],
    ['domains:*.example.com', 'no wildcard'],
    ['domains:localhost', '"localhost", which is not an email domain'],
    ['domains:example.com.', '"example.com.", which is not an email domain'],
  ])('refuses %s with one sentence naming the setting', (value, message) => {
    const read = () => signUpPolicyFrom({ CASCADE_SIGNUP: value }, 'open');
    expect(read).toThrow(SettingsError);
    expect(read).toThrow(message);
  });
});

describe('the domain check', () => {
  it('matches the domain after the last @, case-insensitively and exactly', () => {
    const domains = ['example.com', 'b.org'];
    expect(emailDomainAllowed('Ada@EXAMPLE.com', domains)).toBe(true);
    expect(emailDomainAllowed('"odd@name"@b.org', domains)).toBe(true);
    expect(emailDomainAllowed('ada@eu.example.com', domains)).toBe(false);
    expect(emailDomainAllowed('ada@example.com.evil.net', domains)).toBe(false);
    expect(emailDomainAllowed('ada@notexample.com', domains)).toBe(false);
    expect(emailDomainAllowed('example.com', domains)).toBe(false);
    expect(emailDomainAllowed('ada@', domains)).toBe(false);
    expect(emailDomainOf('@example.com')).toBeUndefined();
  });

  it('lets an allowed address through and refuses any other in a sentence naming the domains', () => {
    expect(signUpRefusal(['example.com'], 'ada@example.com')).toBeUndefined();
    expect(signUpRefusal(['example.com'], 'eve@gmail.com')).toBe(
      'Sign-up is open to email addresses at example.com only; ask an administrator if you need an account',
    );
    expect(signUpRefusal(['a.com', 'b.org', 'c.net'], undefined)).toContain('at a.com, b.org or c.net only');
  });

  it('reads as Cognito shows it: its prefix, the sentence, one full stop', () => {
    expect(preSignUpFailure(signUpRefusal(['example.com'], 'eve@gmail.com')!)).toBe(
      'PreSignUp failed with error Sign-up is open to email addresses at example.com only; ask an administrator if you need an account.',
    );
  });
});

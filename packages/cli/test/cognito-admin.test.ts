import { describe, expect, it } from 'vitest';
import { describeAdminError } from '../src/cognito-admin';

const named = (name: string, message = '') => Object.assign(new Error(message), { name });

describe('describeAdminError', () => {
  it('turns each refusal into one sentence a person can act on', () => {
    const cases: [unknown, string][] = [
      [named('UserNotFoundException'), 'There is no user a@example.com in this user pool.'],
      [named('UsernameExistsException'), 'A user with the email a@example.com already exists.'],
      [
        named('InvalidPasswordException', 'Password did not conform with policy: Password not long enough'),
        'That password is too weak: Password not long enough',
      ],
      [
        named('AccessDeniedException'),
        'Your AWS credentials may not administer this user pool (AccessDeniedException): use a profile allowed cognito-idp:Admin* and ListUsers.',
      ],
      [
        named('CredentialsProviderError'),
        'No AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) to an administrator of this user pool.',
      ],
      [
        named('ResourceNotFoundException'),
        'The user pool in the endpoints file does not exist: check --endpoints.',
      ],
      [named('TooManyRequestsException'), 'Too many requests to Cognito: wait a minute and try again.'],
      [
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        'Could not reach Cognito: check your connection, or start the local cloud with `npm start`.',
      ],
    ];
    for (const [error, sentence] of cases)
      expect(describeAdminError(error, 'add', 'a@example.com').message).toBe(sentence);
  });

  it('names no user when the operation has none', () => {
    expect(describeAdminError(named('UserNotFoundException'), 'list').message).toBe(
      'There is no user in this user pool.',
    );
  });
});

import {
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { preSignUpPrefix } from '@cascade/core/sign-up-policy';
import type { ClientConfig } from '../config';
import { type Tokens, tokenExpiry } from './tokens';

export type AuthProblem =
  | 'credentials'
  | 'unconfirmed'
  | 'exists'
  | 'password'
  | 'code'
  | 'expired'
  | 'limit'
  | 'network'
  | 'closed'
  | 'other';

/** A Cognito failure as a sentence a person can act on. */
export class AuthError extends Error {
  constructor(
    message: string,
    readonly problem: AuthProblem,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

type Operation = 'signIn' | 'signUp' | 'confirm' | 'refresh' | 'resend';

/**
 * Maps Cognito's exceptions to messages. cognito-local answers a wrong password with
 * InvalidPasswordException where AWS says NotAuthorizedException; on sign-in both mean the same.
 */
export function describeAuthError(error: unknown, operation: Operation): AuthError {
  if (error instanceof AuthError) return error;
  const name = (error as { name?: string })?.name ?? '';
  const detail = (error as { message?: string })?.message ?? '';
  // Only administrators create accounts in this pool (CASCADE_SIGNUP=invite).
  if (operation === 'signUp' && name === 'NotAuthorizedException')
    return new AuthError('Accounts here are created by an administrator: ask one to invite you.', 'closed');
  switch (name) {
    // The pre-sign-up trigger refused (CASCADE_SIGNUP=domains:…); its sentence says why, after
    // Cognito's prefix.
    case 'UserLambdaValidationException':
      return new AuthError(
        detail.startsWith(preSignUpPrefix) ? detail.slice(preSignUpPrefix.length) : detail,
        'closed',
      );
    case 'NotAuthorizedException':
    case 'InvalidPasswordException':
    case 'UserNotFoundException':
      if (operation === 'refresh')
        return new AuthError('Your session has expired. Please sign in again.', 'expired');
      if (operation === 'signUp' && name === 'InvalidPasswordException')
        return new AuthError(
          `That password is too weak: ${detail.replace(/^Password did not conform with policy: ?/i, '') || 'choose a longer one with numbers, symbols and upper- and lower-case letters.'}`,
          'password',
        );
      if (operation === 'signIn' || name !== 'UserNotFoundException')
        return new AuthError('The email or password is wrong. Check both and try again.', 'credentials');
      return new AuthError('There is no account with that email. Create one first.', 'credentials');
    case 'UserNotConfirmedException':
      return new AuthError(
        'This account is not confirmed yet. Enter the confirmation code you received to finish creating it.',
        'unconfirmed',
      );
    case 'UsernameExistsException':
      return new AuthError('An account with this email already exists. Sign in instead.', 'exists');
    case 'InvalidParameterException':
      return new AuthError(
        operation === 'signUp'
          ? `Cognito refused these details: ${detail || 'check the email address and password.'}`
          : `Cognito refused the request: ${detail || 'check what you entered.'}`,
        'other',
      );
    case 'CodeMismatchException':
      return new AuthError('That confirmation code is not right. Check it and try again.', 'code');
    case 'ExpiredCodeException':
      return new AuthError('That confirmation code has expired. Ask for a new one.', 'code');
    case 'LimitExceededException':
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
      return new AuthError('Too many attempts. Wait a minute and try again.', 'limit');
    default:
      // fetch's TypeError ("Failed to fetch"), or anything else that says the network failed.
      if (name === 'TypeError' || name === 'NetworkError' || /fetch|network/i.test(detail))
        return new AuthError(
          'Could not reach the sign-in service. Check your connection and that the server is running.',
          'network',
        );
      return new AuthError(
        detail ? `Sign-in service error: ${detail}` : 'Something went wrong. Try again.',
        'other',
      );
  }
}

export interface Auth {
  signUp(email: string, password: string): Promise<{ confirmed: boolean }>;
  confirm(email: string, code: string): Promise<void>;
  resendCode(email: string): Promise<void>;
  signIn(email: string, password: string): Promise<Tokens>;
  refresh(tokens: Tokens): Promise<Tokens>;
}

/** The four Cognito calls a browser needs, against a USER_PASSWORD_AUTH app client. */
export function createCognitoAuth(config: ClientConfig): Auth {
  const client = new CognitoIdentityProviderClient({
    region: config.region,
    ...(config.cognitoEndpoint && { endpoint: config.cognitoEndpoint }),
  });
  const ClientId = config.userPoolClientId;
  const attempt = async <T>(operation: Operation, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw describeAuthError(error, operation);
    }
  };
  return {
    signUp: (email, password) =>
      attempt('signUp', async () => {
        const answer = await client.send(
          new SignUpCommand({
            ClientId,
            Username: email,
            Password: password,
            UserAttributes: [{ Name: 'email', Value: email }],
          }),
        );
        return { confirmed: answer.UserConfirmed === true };
      }),
    confirm: (email, code) =>
      attempt('confirm', async () => {
        await client.send(new ConfirmSignUpCommand({ ClientId, Username: email, ConfirmationCode: code }));
      }),
    resendCode: (email) =>
      attempt('resend', async () => {
        await client.send(new ResendConfirmationCodeCommand({ ClientId, Username: email }));
      }),
    signIn: (email, password) =>
      attempt('signIn', async () => {
        const answer = await client.send(
          new InitiateAuthCommand({
            ClientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: email, PASSWORD: password },
          }),
        );
        const result = answer.AuthenticationResult;
        if (!result?.IdToken || !result.AccessToken || !result.RefreshToken)
          throw new AuthError(
            'Sign-in needs another step this client does not support (for example a new password or MFA).',
            'other',
          );
        return {
          idToken: result.IdToken,
          accessToken: result.AccessToken,
          refreshToken: result.RefreshToken,
          expiresAt: tokenExpiry(result.IdToken, result.ExpiresIn),
          email,
        };
      }),
    refresh: (tokens) =>
      attempt('refresh', async () => {
        const answer = await client.send(
          new InitiateAuthCommand({
            ClientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: tokens.refreshToken },
          }),
        );
        const result = answer.AuthenticationResult;
        if (!result?.IdToken || !result.AccessToken)
          throw new AuthError('Your session has expired. Please sign in again.', 'expired');
        return {
          ...tokens,
          idToken: result.IdToken,
          accessToken: result.AccessToken,
          // Cognito returns a new refresh token only when rotation is on.
          refreshToken: result.RefreshToken ?? tokens.refreshToken,
          expiresAt: tokenExpiry(result.IdToken, result.ExpiresIn),
        };
      }),
  };
}

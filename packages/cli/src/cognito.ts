import { preSignUpPrefix } from '@cascade/core/sign-up-policy';
import { type Tokens, tokenExpiry } from './credentials';
import { CliError } from './errors';

type Operation = 'signUp' | 'confirm' | 'signIn' | 'refresh' | 'revoke';

export const sessionEndedMessage = 'Your session has ended; log in again with `cascade login EMAIL`.';

/** Cognito's own answer to a refused call: its exception's name and message. */
export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'CognitoError';
  }
}

/**
 * A refused Cognito call as a sentence a person can act on. cognito-local answers a wrong password
 * with InvalidPasswordException where AWS says NotAuthorizedException; on sign-in both mean the same.
 */
export function describeCognitoError(error: CognitoError, operation: Operation): CliError {
  const { type, message } = error;
  if (operation === 'refresh') return new CliError(sessionEndedMessage);
  if (operation === 'revoke')
    return new CliError(`Cognito could not revoke your refresh token: ${message || type}.`);
  if (operation === 'signUp' && type === 'NotAuthorizedException')
    return new CliError('Accounts here are created by an administrator: ask one to invite you.');
  switch (type) {
    case 'UserLambdaValidationException':
      return new CliError(
        message.startsWith(preSignUpPrefix) ? message.slice(preSignUpPrefix.length) : message,
      );
    case 'InvalidPasswordException':
      if (operation === 'signUp')
        return new CliError(
          `That password is too weak: ${message.replace(/^Password did not conform with policy: ?/i, '') || 'choose a longer one with numbers, symbols and upper- and lower-case letters.'}`,
        );
      return new CliError('The email or password is wrong: check both and try again.');
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
      if (type === 'NotAuthorizedException' && /user is disabled/i.test(message))
        return new CliError('This account is disabled: ask an administrator to enable it.');
      if (operation === 'confirm' && type === 'NotAuthorizedException')
        return new CliError('That account is already confirmed: log in with `cascade login EMAIL`.');
      return new CliError('The email or password is wrong: check both and try again.');
    case 'UserNotConfirmedException':
      return new CliError(
        'This account is not confirmed yet: run `cascade confirm EMAIL CODE` with the emailed code.',
      );
    case 'UsernameExistsException':
      return new CliError('An account with this email already exists: log in with `cascade login EMAIL`.');
    case 'CodeMismatchException':
      return new CliError('That confirmation code is not right: check it and try again.');
    case 'ExpiredCodeException':
      return new CliError('That confirmation code has expired: sign up again for a new one.');
    case 'LimitExceededException':
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
      return new CliError('Too many attempts: wait a minute and try again.');
    case 'InvalidParameterException':
      return new CliError(`Cognito refused the request: ${message || 'check what you entered.'}`);
    default:
      return new CliError(`Cognito refused the request (${type}): ${message || 'no details'}.`);
  }
}

export interface CognitoApi {
  signUp(email: string, password: string): Promise<{ confirmed: boolean }>;
  confirm(email: string, code: string): Promise<void>;
  signIn(email: string, password: string): Promise<Tokens>;
  refresh(tokens: Tokens): Promise<Tokens>;
  revoke(refreshToken: string): Promise<void>;
}

interface AuthenticationResult {
  IdToken?: string;
  AccessToken?: string;
  RefreshToken?: string;
}

/**
 * Cognito's public JSON API over fetch (no SDK: five calls do not need one, and the SDK's
 * Node-version warning would reach stderr). `url` is the edge locally, Cognito's regional endpoint on AWS.
 */
export function cognitoAt(url: string, clientId: string, send: typeof fetch = fetch): CognitoApi {
  async function call<T>(
    operation: Operation,
    target: string,
    body: Record<string, unknown>,
    tolerated: readonly string[] = [],
  ): Promise<T> {
    let response: Response;
    try {
      response = await send(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `AWSCognitoIdentityProviderService.${target}`,
        },
        body: JSON.stringify(body),
      });
    } catch {
      throw new CliError(
        `Could not reach Cognito at ${url}: check your connection, or start the local cloud with \`npm start\`.`,
      );
    }
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // A proxy's HTML page: described by the status below.
    }
    if (response.ok) return json as T;
    const type = String(
      response.headers.get('x-amzn-errortype') ?? json.__type ?? json.code ?? `HTTP ${response.status}`,
    )
      .split(':')[0]!
      .split('#')
      .pop()!;
    const message = String(json.message ?? json.Message ?? '');
    if (tolerated.includes(type)) return {} as T;
    throw describeCognitoError(new CognitoError(type, message), operation);
  }

  const tokensFrom = (result: AuthenticationResult | undefined, email: string, previous?: Tokens): Tokens => {
    if (!result?.IdToken || !result.AccessToken || !(result.RefreshToken ?? previous?.refreshToken))
      throw new CliError(
        previous
          ? sessionEndedMessage
          : 'Logging in needs a step this client does not support (a new password or MFA): use the web client.',
      );
    return {
      email,
      idToken: result.IdToken,
      accessToken: result.AccessToken,
      // Cognito returns a new refresh token only when rotation is on.
      refreshToken: result.RefreshToken ?? previous!.refreshToken,
      expiresAt: tokenExpiry(result.IdToken),
    };
  };

  return {
    async signUp(email, password) {
      const answer = await call<{ UserConfirmed?: boolean }>('signUp', 'SignUp', {
        ClientId: clientId,
        Username: email,
        Password: password,
        UserAttributes: [{ Name: 'email', Value: email }],
      });
      return { confirmed: answer.UserConfirmed === true };
    },
    async confirm(email, code) {
      await call('confirm', 'ConfirmSignUp', { ClientId: clientId, Username: email, ConfirmationCode: code });
    },
    async signIn(email, password) {
      const answer = await call<{ AuthenticationResult?: AuthenticationResult }>('signIn', 'InitiateAuth', {
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      });
      return tokensFrom(answer.AuthenticationResult, email);
    },
    async refresh(tokens) {
      const answer = await call<{ AuthenticationResult?: AuthenticationResult }>('refresh', 'InitiateAuth', {
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: tokens.refreshToken },
      });
      return tokensFrom(answer.AuthenticationResult, tokens.email, tokens);
    },
    async revoke(refreshToken) {
      // A token Cognito no longer knows is as good as revoked.
      await call('revoke', 'RevokeToken', { ClientId: clientId, Token: refreshToken }, [
        'NotAuthorizedException',
      ]);
    },
  };
}

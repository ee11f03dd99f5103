import { randomUUID } from 'node:crypto';
import {
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';

/**
 * Signs a new user up and in, confirming with AdminConfirmSignUp instead of the emailed code:
 * the benches create dozens of users, and cognito-local stops printing codes after a few
 * sign-ups in a row (its log is where the local cloud reads them from).
 */
export async function signUp(endpoints: {
  edgeUrl: string;
  userPoolId: string;
  userPoolClientId: string;
}): Promise<string> {
  const cognito = new CognitoIdentityProviderClient({
    region: 'us-east-1',
    endpoint: endpoints.edgeUrl,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const email = `${randomUUID()}@example.com`;
  const password = 'Correct-horse-7';
  try {
    const ClientId = endpoints.userPoolClientId;
    await cognito.send(new SignUpCommand({ ClientId, Username: email, Password: password }));
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: endpoints.userPoolId, Username: email }));
    const auth = await cognito.send(
      new InitiateAuthCommand({
        ClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    return auth.AuthenticationResult!.IdToken!;
  } finally {
    cognito.destroy();
  }
}

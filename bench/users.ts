import { randomUUID } from 'node:crypto';
import { signIn, signUp as signUpUser } from '../test/integration/harness';

/**
 * Signs a new user up and in, confirmed with AdminConfirmSignUp: the shutdown bench's cloud runs
 * in another process, where its codes are only in that process's output.
 */
export async function signUp(endpoints: {
  edgeUrl: string;
  userPoolId: string;
  userPoolClientId: string;
}): Promise<string> {
  const email = `${randomUUID()}@example.com`;
  await signUpUser(endpoints, email);
  return (await signIn(endpoints, email)).idToken;
}

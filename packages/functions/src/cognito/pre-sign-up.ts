import { signUpRefusal } from '@cascade/core/sign-up-policy';
import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { lambdaHandler } from '../observability';
import { linked } from '../resources';

/**
 * Cognito's pre-sign-up trigger (CASCADE_SIGNUP=domains:…): a self sign-up whose email is at none
 * of the allowed domains is refused by throwing, which Cognito answers with
 * UserLambdaValidationException "PreSignUp failed with error <sentence>." An account an
 * administrator creates (AdminCreateUser) passes: the policy keeps strangers out, not invitations.
 */
export const handler = lambdaHandler(async (event: PreSignUpTriggerEvent): Promise<PreSignUpTriggerEvent> => {
  if (event.triggerSource === 'PreSignUp_AdminCreateUser') return event;
  const refusal = signUpRefusal(linked('SignUp')?.domains ?? [], event.request.userAttributes.email);
  if (refusal) throw new Error(refusal);
  return event;
});

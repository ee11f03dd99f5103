import { passwordPolicy } from '@cascade/core/password-policy';
import { admin, preSignUp } from '@cascade/functions/definitions';
import { type FunctionResources, functionArgs } from './lambda';
import { cognitoEmail, signUpPolicy } from './settings';

/**
 * Sign-in: a Cognito user pool (email is the username) and the web client's app client. The
 * authorizer verifies ID tokens against the pool's issuer and the client id, which reach it
 * through the `Auth` link. Who may sign up is CASCADE_SIGNUP (settings.ts): anyone, only those an
 * administrator creates, or only addresses at listed domains, which the pre-sign-up trigger checks.
 */
export function auth() {
  const signUp = signUpPolicy($app.protect);
  const email = cognitoEmail();
  // The trigger's only resource: the allowed domains, as configuration in its link.
  const allowedDomains =
    signUp.mode === 'domains'
      ? new sst.Linkable('SignUp', { properties: { domains: signUp.domains } })
      : undefined;

  const userPool = new sst.aws.CognitoUserPool('UserPool', {
    usernames: ['email'],
    ...(allowedDomains && {
      // SST also grants cognito-idp.amazonaws.com lambda:InvokeFunction on it, for this pool only.
      triggers: { preSignUp: functionArgs(preSignUp, { links: { SignUp: allowedDomains }, arns: {} }) },
    }),
    transform: {
      userPool: (args) => {
        // The same policy the local cloud enforces and the sign-up form explains.
        args.passwordPolicy = { ...passwordPolicy, temporaryPasswordValidityDays: 7 };
        // Tokens carry `custom:tenantId` when an administrator sets it; users cannot (see the client).
        args.schemas = [
          {
            name: 'tenantId',
            attributeDataType: 'String',
            mutable: true,
            stringAttributeConstraints: { minLength: '1', maxLength: '64' },
          },
        ];
        args.deletionProtection = $app.protect ? 'ACTIVE' : 'INACTIVE';
        // `invite`: SignUp answers NotAuthorizedException; administrators create accounts.
        args.adminCreateUserConfig = { allowAdminCreateUserOnly: signUp.mode === 'invite' };
        // Cognito's own sender sends 50 emails a day for the whole account; SES sends as many as SES allows.
        if (email)
          args.emailConfiguration = {
            emailSendingAccount: 'DEVELOPER',
            fromEmailAddress: email.from,
            sourceArn: email.identityArn,
          };
      },
    },
  });

  const webClient = userPool.addClient('WebClient', {
    transform: {
      client: (args) => {
        // The browser signs in through the API (no hosted UI) with USER_PASSWORD_AUTH, then
        // refreshes; no client uses SRP, so it is not allowed.
        args.explicitAuthFlows = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
        args.generateSecret = false;
        args.preventUserExistenceErrors = 'ENABLED';
        args.enableTokenRevocation = true;
        args.allowedOauthFlowsUserPoolClient = false;
        args.allowedOauthFlows = undefined;
        args.allowedOauthScopes = undefined;
        args.callbackUrls = undefined;
        args.readAttributes = ['email', 'email_verified', 'custom:tenantId'];
        args.writeAttributes = ['email'];
        args.idTokenValidity = 60;
        args.accessTokenValidity = 60;
        args.refreshTokenValidity = 30;
        args.tokenValidityUnits = { idToken: 'minutes', accessToken: 'minutes', refreshToken: 'days' };
      },
    },
  });

  const region = aws.getRegionOutput().region;
  const link = new sst.Linkable('Auth', {
    properties: {
      issuer: $interpolate`https://cognito-idp.${region}.amazonaws.com/${userPool.id}`,
      clientId: webClient.id,
    },
  });

  // The pool's id for the functions that use its admin API (global sign-out, looking users up).
  const directory = new sst.Linkable('Directory', { properties: { userPoolId: userPool.id } });

  return { userPool, webClient, region, link, directory, signUp };
}

/**
 * The administrators' function (functions.ts `admin`), which `cascade admin` invokes with the
 * administrator's own AWS credentials. Nothing else invokes it: no trigger, no URL.
 */
export function administration(resources: FunctionResources) {
  return new sst.aws.Function('Admin', functionArgs(admin, resources));
}

export type Auth = ReturnType<typeof auth>;

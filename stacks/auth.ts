import { passwordPolicy } from '@cascade/core/password-policy';

/**
 * Sign-in: a Cognito user pool (email is the username) and the web client's app client. The
 * authorizer verifies ID tokens against the pool's issuer and the client id, which reach it
 * through the `Auth` link.
 */
export function auth() {
  const userPool = new sst.aws.CognitoUserPool('UserPool', {
    usernames: ['email'],
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
        args.deletionProtection = $app.stage === 'production' ? 'ACTIVE' : 'INACTIVE';
      },
    },
  });

  const webClient = userPool.addClient('WebClient', {
    transform: {
      client: (args) => {
        // The browser signs in through the API (no hosted UI): password or SRP, then refresh.
        args.explicitAuthFlows = [
          'ALLOW_USER_PASSWORD_AUTH',
          'ALLOW_USER_SRP_AUTH',
          'ALLOW_REFRESH_TOKEN_AUTH',
        ];
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

  return { userPool, webClient, region, link };
}

export type Auth = ReturnType<typeof auth>;

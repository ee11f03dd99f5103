import {
  request as httpRequest,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import { passwordProblems } from '@cascade/core/password-policy';
import {
  adminOnlySignUpMessage,
  preSignUpFailure,
  type SignUpPolicy,
  signUpRefusal,
} from '@cascade/core/sign-up-policy';
import type { WebSocketGateway } from '../gateway/websocket';
import { operationOf, type RequestMeter } from '../meter';
import { ServiceError, type StepFunctionsService } from '../stepfunctions/service';
import { serviceOf } from './service';

/** Cognito as the edge serves it: cognito-local, plus what it lacks. */
export interface CognitoTarget {
  /** cognito-local's own URL; the edge proxies to it. */
  url: string;
  /** Delivers a user's pending confirmation code again (cognito-local has no ResendConfirmationCode). */
  resendCode(username: string): Promise<'sent' | 'confirmed' | 'unknown'>;
  /** Whether a user is disabled (cognito-local records AdminDisableUser but still signs the user in). */
  isDisabled?(who: { username?: string; refreshToken?: string }): Promise<boolean>;
  /** Who may sign up (CASCADE_SIGNUP); open when absent, as cognito-local is. */
  signUp?: SignUpPolicy;
  /** Global sign-out, which cognito-local answers "Unsupported"; absent, the edge passes it on as it came. */
  signOuts?: GlobalSignOuts;
}

/** A user as cognito-local names them: their pool, and the `Username` their tokens carry. */
export interface UserInPool {
  userPoolId: string;
  username: string;
}

/** A token's user and when it was issued (`iat`, epoch seconds). */
export interface IssuedToken {
  user: UserInPool;
  issuedAt: number;
}

/** Global sign-outs and the tokens they revoke. */
export interface GlobalSignOuts {
  /** The token if Cognito would take it as an access token (signed by the pool, unexpired). */
  readAccessToken(token: string): Promise<IssuedToken | 'expired' | 'invalid'>;
  /** Who a refresh token was issued to and when; undefined if it is none cognito-local issued. */
  readRefreshToken(token: string): IssuedToken | undefined;
  /** Signs the user out everywhere: every token issued to them until now stops working, later ones do not. */
  signOut(user: UserInPool): Promise<void>;
  /** Whether a global sign-out since the token was issued revoked it. */
  isRevoked(token: IssuedToken): Promise<boolean>;
}

export interface EdgeTargets {
  cognito: CognitoTarget;
  gateway: WebSocketGateway;
  /** The emulators in this process — or, in LocalStack mode, LocalStack's URL for every other service. */
  backend:
    | {
        dynamodb: RequestListener;
        s3: RequestListener;
        stepFunctions: StepFunctionsService;
        /** The functions a caller may invoke through Lambda's API (the admin function), by name. */
        functions: Record<string, (event: unknown) => Promise<unknown>>;
      }
    | { upstream: string };
  /** Starts an analysis task (LocalStack mode: the launcher Lambda posts here). */
  startTask?: (environment: Record<string, string>) => Promise<void>;
  /**
   * The browser origins allowed to call the edge: the web client's own. Any other page a
   * developer has open gets no CORS answer, so it cannot read or write the local data. Read on
   * every request: the web server's port is known only once it listens.
   */
  allowedOrigins: readonly string[];
  /** Counts each request by service and operation (the bench's per-item figures). */
  meter?: RequestMeter;
}

/** What the task launcher may set in the task's environment: the two values Step Functions passes. */
const taskEnvironment = new Set(['TASK_TOKEN', 'JOB_URI']);

const exposed = [
  'etag',
  'x-amz-request-id',
  'x-amz-version-id',
  'x-amzn-requestid',
  'x-amzn-errortype',
  'x-amz-target',
  'date',
];

/**
 * Cross-origin access for the web client's own origins, answered by the edge for every service
 * alike; another origin gets no CORS headers (and its preflight a 403), so a browser keeps it out.
 */
function cors(request: IncomingMessage, response: ServerResponse, allowed: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (!origin) return false;
  if (!allowed.includes(origin)) {
    if (request.method !== 'OPTIONS') return false;
    response
      .writeHead(403, { 'content-type': 'text/plain' })
      .end('This origin may not call the local cloud.');
    return true;
  }
  response.setHeader('access-control-allow-origin', origin);
  response.setHeader('vary', 'Origin');
  response.setHeader('access-control-expose-headers', exposed.join(', '));
  if (request.method !== 'OPTIONS') return false;
  response.writeHead(204, {
    'access-control-allow-methods': 'GET, PUT, POST, DELETE, HEAD, OPTIONS',
    'access-control-allow-headers': request.headers['access-control-request-headers'] ?? '*',
    'access-control-max-age': '600',
  });
  response.end();
  return true;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': crypto.randomUUID(),
    ...headers,
  });
  response.end(text);
}

/**
 * The emulators add CORS headers of their own (dynalite: `Access-Control-Allow-Origin: *`); only
 * the edge's answer counts, so theirs are dropped from here on.
 */
function withoutEmulatorCors(response: ServerResponse): void {
  const setHeader = response.setHeader.bind(response);
  response.setHeader = (name, value) =>
    name.toLowerCase().startsWith('access-control-') ? response : setHeader(name, value);
  const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
  response.writeHead = ((status: number, ...rest: unknown[]) => {
    const headers = rest.find((r) => typeof r === 'object' && r !== null && !Array.isArray(r)) as
      | Record<string, unknown>
      | undefined;
    if (headers)
      for (const name of Object.keys(headers))
        if (name.toLowerCase().startsWith('access-control-')) delete headers[name];
    return writeHead(status, ...rest);
  }) as ServerResponse['writeHead'];
}

/**
 * Forwards a request to another local server, dropping its CORS headers (the edge sets its own).
 * `body` is the request's body when the edge has already read it.
 */
function proxy(target: string, request: IncomingMessage, response: ServerResponse, body?: Buffer) {
  const url = new URL(request.url ?? '/', target);
  const headers = { ...request.headers, host: url.host };
  if (body) {
    headers['content-length'] = String(body.length);
    delete headers['transfer-encoding'];
  }
  const upstream = httpRequest(url, { method: request.method, headers }, (answer) => {
    const headers = Object.fromEntries(
      Object.entries(answer.headers).filter(([name]) => !name.startsWith('access-control-')),
    );
    response.writeHead(answer.statusCode ?? 502, headers);
    answer.pipe(response);
  });
  upstream.on('error', (error) =>
    json(response, 502, {
      __type: 'ServiceUnavailable',
      message: `The local emulator did not answer: ${error.message}`,
    }),
  );
  if (body) upstream.end(body);
  else request.pipe(upstream);
}

/** The field that carries a new password, per Cognito operation. */
const passwordFields: Record<string, string> = {
  SignUp: 'Password',
  ConfirmForgotPassword: 'Password',
  ChangePassword: 'ProposedPassword',
  AdminSetUserPassword: 'Password',
  AdminCreateUser: 'TemporaryPassword',
};

/**
 * Why SignUp is refused under the sign-up policy, in the deployed pool's words: an admin-only pool
 * (`invite`) answers NotAuthorizedException; the pre-sign-up trigger (`domains:`) refuses through
 * Cognito as UserLambdaValidationException. The address is the email attribute, else the username
 * (the pool's usernames are emails, and Cognito fills the attribute from it).
 */
function signUpRefused(
  policy: SignUpPolicy | undefined,
  input: Record<string, unknown>,
): { type: string; message: string } | undefined {
  if (!policy || policy.mode === 'open') return undefined;
  if (policy.mode === 'invite') return { type: 'NotAuthorizedException', message: adminOnlySignUpMessage };
  const attributes = Array.isArray(input.UserAttributes) ? (input.UserAttributes as unknown[]) : [];
  const email = attributes.find(
    (a): a is { Name: string; Value: string } =>
      typeof a === 'object' &&
      a !== null &&
      (a as { Name?: unknown }).Name === 'email' &&
      typeof (a as { Value?: unknown }).Value === 'string',
  )?.Value;
  const addresses = [email, typeof input.Username === 'string' ? input.Username : undefined];
  for (const address of addresses.filter((a) => a !== undefined)) {
    const refusal = signUpRefusal(policy.domains, address);
    if (refusal) return { type: 'UserLambdaValidationException', message: preSignUpFailure(refusal) };
  }
  return undefined;
}

/** The operations a user's access token authorizes: a revoked or expired one is refused before cognito-local sees it. */
const accessTokenOperations = new Set([
  'GetUser',
  'GlobalSignOut',
  'ChangePassword',
  'UpdateUserAttributes',
  'DeleteUser',
  'DeleteUserAttributes',
  'VerifyUserAttribute',
  'GetUserAttributeVerificationCode',
  'SetUserMFAPreference',
  'SetUserSettings',
  'AssociateSoftwareToken',
  'VerifySoftwareToken',
  'ListDevices',
  'GetDevice',
  'ForgetDevice',
  'UpdateDeviceStatus',
  'ConfirmDevice',
]);

/** The operations the edge reads before (or instead of) cognito-local. */
const frontedOperations = new Set([
  ...Object.keys(passwordFields),
  ...accessTokenOperations,
  'InitiateAuth',
  'AdminInitiateAuth',
  'ResendConfirmationCode',
  'AdminUserGlobalSignOut',
]);

/** A Cognito error answer, as AWS sends it (the SDK reads the type from the header). */
function refuse(response: ServerResponse, type: string, message: string) {
  json(response, 400, { __type: type, message }, { 'x-amzn-errortype': type });
}

/** AWS's answer to a request without a required field. */
function missing(response: ServerResponse, field: string) {
  refuse(
    response,
    'InvalidParameterException',
    `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
  );
}

/** One Cognito operation over Cognito's JSON protocol, as an SDK sends it, to `url`. */
export const cognitoRequest = (url: string, operation: string, input: Record<string, unknown>) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(input),
  });

/** One operation asked of cognito-local by the edge itself: its status and parsed answer. */
async function askEmulator(
  url: string,
  operation: string,
  input: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await cognitoRequest(url, operation, input);
  const text = await answer.text();
  return { status: answer.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** cognito-local's error answer, passed on with the header the SDK reads its type from. */
function relayError(response: ServerResponse, answer: { status: number; body: Record<string, unknown> }) {
  const type = typeof answer.body.__type === 'string' ? answer.body.__type : 'InternalErrorException';
  json(response, answer.status, answer.body, { 'x-amzn-errortype': type });
}

/**
 * Cognito in front of cognito-local: the pool's password policy enforced as Cognito enforces it
 * (cognito-local stores the policy and ignores it), the sign-up policy as the deployed pool and
 * its trigger enforce it, ResendConfirmationCode answered by delivering the pending code again
 * (cognito-local lacks the operation; real Cognito sends a new code, and either one confirms),
 * disabled users refused sign-in, and global sign-out (cognito-local lacks it) with the checks on
 * access and refresh tokens it implies. Everything else goes to cognito-local as it came.
 */
async function cognito(target: CognitoTarget, request: IncomingMessage, response: ServerResponse) {
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  if (!frontedOperations.has(operation)) return proxy(target.url, request, response);
  const body = await readBody(request);
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return proxy(target.url, request, response, body); // cognito-local's own answer to bad JSON
  }
  if (typeof input !== 'object' || input === null) return proxy(target.url, request, response, body);
  const { signOuts } = target;
  if (signOuts && accessTokenOperations.has(operation) && typeof input.AccessToken === 'string') {
    // cognito-local only decodes access tokens: it takes expired, forged and signed-out ones alike.
    const token = await signOuts.readAccessToken(input.AccessToken);
    if (token === 'invalid') return refuse(response, 'NotAuthorizedException', 'Invalid Access Token');
    if (token === 'expired') return refuse(response, 'NotAuthorizedException', 'Access Token has expired');
    if (await signOuts.isRevoked(token))
      return refuse(response, 'NotAuthorizedException', 'Access Token has been revoked');
    if (operation === 'GlobalSignOut')
      return globalSignOut(target.url, signOuts, input.AccessToken, token, response);
  }
  if (signOuts && operation === 'GlobalSignOut') return missing(response, 'accessToken');
  if (signOuts && operation === 'AdminUserGlobalSignOut')
    return adminUserGlobalSignOut(target.url, signOuts, input, response);
  if (operation === 'InitiateAuth' || operation === 'AdminInitiateAuth') {
    const refusal = await signInRefusal(target, input);
    if (refusal) return refuse(response, 'NotAuthorizedException', refusal);
    return proxy(target.url, request, response, body);
  }
  const field = passwordFields[operation];
  if (field) {
    // An admin-only pool refuses SignUp whatever the password; the trigger is checked after the
    // password here (AWS does not document which of the two comes first).
    const refused = operation === 'SignUp' ? signUpRefused(target.signUp, input) : undefined;
    if (refused?.type === 'NotAuthorizedException') return refuse(response, refused.type, refused.message);
    const [problem] = typeof input[field] === 'string' ? passwordProblems(input[field]) : [];
    if (problem)
      return refuse(response, 'InvalidPasswordException', `Password did not conform with policy: ${problem}`);
    if (refused) return refuse(response, refused.type, refused.message);
    return proxy(target.url, request, response, body);
  }
  if (operation === 'ResendConfirmationCode') return resendConfirmationCode(target, input, response);
  return proxy(target.url, request, response, body);
}

/**
 * Why a sign-in or refresh is refused, in Cognito's words: a disabled user can neither sign in nor
 * refresh, as on AWS (ID tokens already issued still work); a refresh token issued before the user
 * signed out everywhere is revoked.
 */
async function signInRefusal(target: CognitoTarget, input: Record<string, unknown>) {
  const parameters = (input.AuthParameters ?? {}) as Record<string, unknown>;
  const text = (name: string) => (typeof parameters[name] === 'string' ? parameters[name] : undefined);
  const username = text('USERNAME');
  const refreshToken = text('REFRESH_TOKEN');
  const disabled = await target.isDisabled?.({
    ...(username !== undefined && { username }),
    ...(refreshToken !== undefined && { refreshToken }),
  });
  if (disabled) return 'User is disabled.';
  const issued = refreshToken === undefined ? undefined : target.signOuts?.readRefreshToken(refreshToken);
  if (issued && (await target.signOuts?.isRevoked(issued))) return 'Refresh Token has been revoked';
  return undefined;
}

/** GlobalSignOut with a valid access token: its user, if cognito-local still has them, signed out everywhere. */
async function globalSignOut(
  url: string,
  signOuts: GlobalSignOuts,
  accessToken: string,
  token: IssuedToken,
  response: ServerResponse,
) {
  const user = await askEmulator(url, 'GetUser', { AccessToken: accessToken });
  if (user.status !== 200 || typeof user.body.Username !== 'string') return relayError(response, user);
  await signOuts.signOut({ userPoolId: token.user.userPoolId, username: user.body.Username });
  json(response, 200, {});
}

/**
 * AdminUserGlobalSignOut: the user found as cognito-local's AdminGetUser finds them (by username,
 * email or `sub`, as AWS does for a local user), then signed out everywhere.
 */
async function adminUserGlobalSignOut(
  url: string,
  signOuts: GlobalSignOuts,
  input: Record<string, unknown>,
  response: ServerResponse,
) {
  const { UserPoolId, Username } = input;
  if (typeof UserPoolId !== 'string' || UserPoolId === '') return missing(response, 'userPoolId');
  if (typeof Username !== 'string' || Username === '') return missing(response, 'username');
  const user = await askEmulator(url, 'AdminGetUser', { UserPoolId, Username });
  if (user.body.__type === 'ResourceNotFoundException')
    return refuse(response, 'ResourceNotFoundException', `User pool ${UserPoolId} does not exist.`);
  if (user.status !== 200 || typeof user.body.Username !== 'string') return relayError(response, user);
  await signOuts.signOut({ userPoolId: UserPoolId, username: user.body.Username });
  json(response, 200, {});
}

async function resendConfirmationCode(
  target: CognitoTarget,
  input: Record<string, unknown>,
  response: ServerResponse,
) {
  if (typeof input.Username !== 'string' || input.Username === '') return missing(response, 'username');
  const outcome = await target.resendCode(input.Username);
  if (outcome === 'confirmed')
    return refuse(response, 'InvalidParameterException', 'User is already confirmed.');
  // An unknown user gets the same answer as a known one, as the pool's client prevents
  // user-existence errors (stacks/auth.ts): the answer must not tell who has an account.
  const [name = '', domain = ''] = input.Username.split('@');
  json(response, 200, {
    CodeDeliveryDetails: {
      Destination: `${name.slice(0, 1)}***@${domain.slice(0, 1)}***`,
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    },
  });
}

async function stepFunctions(
  service: StepFunctionsService,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  try {
    const text = (await readBody(request)).toString('utf8');
    const result = await service.handle(operation, text ? JSON.parse(text) : {});
    json(response, 200, result);
  } catch (error) {
    if (error instanceof ServiceError)
      return json(response, error.status, { __type: error.type, message: error.message });
    if (error instanceof SyntaxError)
      return json(response, 400, {
        __type: 'SerializationException',
        message: 'The request body is not JSON.',
      });
    console.error('[states] request failed:', error);
    json(response, 500, { __type: 'InternalFailure', message: 'The local Step Functions endpoint failed.' });
  }
}

async function startTask(
  start: (environment: Record<string, string>) => Promise<void>,
  request: IncomingMessage,
  response: ServerResponse,
) {
  try {
    const { environment } = JSON.parse((await readBody(request)).toString('utf8')) as {
      environment?: Record<string, unknown>;
    };
    // Only the job and its token: anything else (NODE_OPTIONS, PATH, …) would let the caller run code.
    const refused = Object.keys(environment ?? {}).filter((name) => !taskEnvironment.has(name));
    const values = Object.entries(environment ?? {});
    if (refused.length > 0 || values.some(([, value]) => typeof value !== 'string') || values.length === 0)
      return json(
        response,
        400,
        {
          message: `A task takes only ${[...taskEnvironment].join(' and ')} as strings${refused.length > 0 ? `, not ${refused.join(', ')}` : ''}.`,
        },
        { 'content-type': 'application/json' },
      );
    await start(Object.fromEntries(values) as Record<string, string>);
    json(response, 202, { started: true }, { 'content-type': 'application/json' });
  } catch (error) {
    json(
      response,
      500,
      { message: `The task could not start: ${(error as Error).message}` },
      { 'content-type': 'application/json' },
    );
  }
}

const invocationPath = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * Lambda's Invoke (RequestResponse) for the functions the local cloud lets a caller invoke: the
 * handler's result as the body, or, when it throws, `X-Amz-Function-Error: Unhandled` with the
 * error's message and type, as Lambda answers. A name or an ARN names the function.
 */
async function invoke(
  functions: Record<string, (event: unknown) => Promise<unknown>>,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const path = (request.url ?? '').split('?')[0]!;
  const match = request.method === 'POST' ? invocationPath.exec(path) : null;
  const lambdaJson = { 'content-type': 'application/json' };
  if (!match)
    return json(
      response,
      400,
      { message: 'The local cloud answers only Lambda Invoke.' },
      { ...lambdaJson, 'x-amzn-errortype': 'InvalidRequestContentException' },
    );
  const name = decodeURIComponent(match[1]!).split(':function:').pop()!.split(':')[0]!;
  const handler = functions[name];
  if (!handler)
    return json(
      response,
      404,
      { Type: 'User', message: `Function not found: ${name}` },
      { ...lambdaJson, 'x-amzn-errortype': 'ResourceNotFoundException' },
    );
  if ((request.headers['x-amz-invocation-type'] ?? 'RequestResponse') !== 'RequestResponse')
    return json(
      response,
      400,
      { message: 'The local cloud invokes functions synchronously only (RequestResponse).' },
      { ...lambdaJson, 'x-amzn-errortype': 'InvalidParameterValueException' },
    );
  let event: unknown;
  try {
    const text = (await readBody(request)).toString('utf8');
    event = text ? JSON.parse(text) : {};
  } catch {
    return json(
      response,
      400,
      { Type: 'User', message: 'Could not parse request body into json' },
      { ...lambdaJson, 'x-amzn-errortype': 'InvalidRequestContentException' },
    );
  }
  try {
    json(response, 200, (await handler(event)) ?? null, lambdaJson);
  } catch (error) {
    const { name: errorType = 'Error', message = String(error) } = error as Error;
    json(
      response,
      200,
      { errorType, errorMessage: message },
      { ...lambdaJson, 'x-amz-function-error': 'Unhandled' },
    );
  }
}

async function management(gateway: WebSocketGateway, request: IncomingMessage, response: ServerResponse) {
  // As on AWS, only a signed (IAM) caller may post to a connection; a browser never may.
  const signed = /^AWS4-HMAC-SHA256 Credential=\S+\/execute-api\/aws4_request/.test(
    String(request.headers.authorization ?? ''),
  );
  if (!signed || request.headers.origin)
    return json(
      response,
      403,
      { message: 'Missing Authentication Token' },
      {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ForbiddenException',
      },
    );
  const path = (request.url ?? '').split('?')[0]!;
  let id: string;
  try {
    id = decodeURIComponent(path.slice(path.indexOf('/@connections/') + '/@connections/'.length));
  } catch {
    return json(
      response,
      400,
      { message: 'The connection id is not a valid URL escape.' },
      {
        'content-type': 'application/json',
        'x-amzn-errortype': 'BadRequestException',
      },
    );
  }
  const outcome = gateway.manage(request.method ?? 'GET', id, await readBody(request));
  json(response, outcome.status, outcome.body, {
    'content-type': 'application/json',
    ...(outcome.errorType && { 'x-amzn-errortype': outcome.errorType }),
  });
}

/**
 * The one endpoint every SDK, the AWS CLI and the browser talk to: each request goes to the
 * service its SigV4 scope, X-Amz-Target or path names, as LocalStack routes them.
 */
export function createEdge(targets: EdgeTargets): RequestListener {
  const { backend } = targets;
  return (request, response) => {
    if (cors(request, response, targets.allowedOrigins)) return;
    withoutEmulatorCors(response);
    const service = serviceOf(request);
    if (service) targets.meter?.count(`${service}:${operationOf(request, service)}`);
    if (service === 'cognito-idp')
      return void cognito(targets.cognito, request, response).catch((error: unknown) => {
        console.error('[cognito] request failed:', error);
        if (!response.headersSent)
          json(response, 500, {
            __type: 'InternalErrorException',
            message: 'The local Cognito front failed.',
          });
      });
    if (service === 'execute-api') return void management(targets.gateway, request, response);
    if (request.url === '/_cascade/health') return json(response, 200, { status: 'running' });
    if (request.url === '/_cascade/tasks' && request.method === 'POST' && targets.startTask) {
      return void startTask(targets.startTask, request, response);
    }
    if ('upstream' in backend) {
      // LocalStack mode: every other signed request is LocalStack's business.
      if (service || request.headers.authorization) return proxy(backend.upstream, request, response);
    } else if (service === 'dynamodb') {
      return backend.dynamodb(request, response);
    } else if (service === 's3') {
      return backend.s3(request, response);
    } else if (service === 'states') {
      return void stepFunctions(backend.stepFunctions, request, response);
    } else if (service === 'lambda') {
      return void invoke(backend.functions, request, response);
    }
    json(response, 400, {
      __type: 'UnknownService',
      message: 'Could not tell which service this request is for: sign it with SigV4 or set X-Amz-Target.',
    });
  };
}

import {
  request as httpRequest,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import type { WebSocketGateway } from '../gateway/websocket';
import { ServiceError, type StepFunctionsService } from '../stepfunctions/service';
import { serviceOf } from './service';

export interface EdgeTargets {
  /** cognito-local's own URL; the edge proxies to it. */
  cognitoUrl: string;
  gateway: WebSocketGateway;
  /** The emulators in this process — or, in LocalStack mode, LocalStack's URL for every other service. */
  backend:
    | { dynamodb: RequestListener; s3: RequestListener; stepFunctions: StepFunctionsService }
    | { upstream: string };
  /** Starts an analysis task (LocalStack mode: the launcher Lambda posts here). */
  startTask?: (environment: Record<string, string>) => Promise<void>;
}

const exposed = [
  'etag',
  'x-amz-request-id',
  'x-amz-version-id',
  'x-amzn-requestid',
  'x-amzn-errortype',
  'x-amz-target',
  'date',
];

/** Cross-origin access for the web client, answered by the edge for every service alike. */
function cors(request: IncomingMessage, response: ServerResponse): boolean {
  const origin = request.headers.origin;
  if (!origin) return false;
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

/** Forwards a request to another local server, dropping its CORS headers (the edge sets its own). */
function proxy(target: string, request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? '/', target);
  const upstream = httpRequest(
    url,
    { method: request.method, headers: { ...request.headers, host: url.host } },
    (answer) => {
      const headers = Object.fromEntries(
        Object.entries(answer.headers).filter(([name]) => !name.startsWith('access-control-')),
      );
      response.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', (error) =>
    json(response, 502, {
      __type: 'ServiceUnavailable',
      message: `The local emulator did not answer: ${error.message}`,
    }),
  );
  request.pipe(upstream);
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
      environment: Record<string, string>;
    };
    await start(environment);
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

async function management(gateway: WebSocketGateway, request: IncomingMessage, response: ServerResponse) {
  const path = (request.url ?? '').split('?')[0]!;
  const id = decodeURIComponent(path.slice(path.indexOf('/@connections/') + '/@connections/'.length));
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
    if (cors(request, response)) return;
    const service = serviceOf(request);
    if (service === 'cognito-idp') return proxy(targets.cognitoUrl, request, response);
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
    }
    json(response, 400, {
      __type: 'UnknownService',
      message: 'Could not tell which service this request is for: sign it with SigV4 or set X-Amz-Target.',
    });
  };
}

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { defaultRateLimits, type RateLimits, setHostLogLevel, type TableKey } from '@cascade/core';
import type { AgentSettings } from '@cascade/core/agent-settings';
import { apiGatewayLimits } from '@cascade/core/api-gateway';
import type { SignUpPolicy } from '@cascade/core/sign-up-policy';
import { startEmulatedBackend } from './backends/emulated';
import { startLocalStackBackend } from './backends/localstack';
import type { Backend, BackendContext } from './backends/types';
import { createEdge } from './edge/router';
import { startCognito } from './emulators/cognito';
import { adminFunctionName } from './functions';
import { WebSocketGateway } from './gateway/websocket';
import { RequestMeter } from './meter';
import { listenOn } from './ports';
import type { StepFunctionsService } from './stepfunctions/service';
import { createTaskRunner } from './tasks/runner';
import { webServer } from './web';

export interface Endpoints {
  region: string;
  edgeUrl: string;
  websocketUrl: string;
  webUrl?: string;
  userPoolId: string;
  userPoolClientId: string;
  stateMachineArn: string;
  /** The administrators' function, which `cascade admin` invokes through Lambda's API. */
  adminFunction: string;
  bucket: string;
  tables: Record<TableKey, string>;
  /** LocalStack mode: where DynamoDB, S3, Lambda and Step Functions really are. */
  awsEndpoint?: string;
}

export interface LocalCloudOptions {
  /** The repository root: the state machine, the analysis task and the web build are found from it. */
  root: string;
  /** Where state is kept between runs; default `<root>/.cascade`. */
  dataDirectory?: string;
  /** Wipe the data directory first. */
  fresh?: boolean;
  /** 0 picks a free port. Defaults 4566 (edge; 4567 in LocalStack mode), 4510 (WebSocket), 4600 (web). */
  ports?: { edge?: number; websocket?: number; web?: number };
  region?: string;
  /** The agent's provider; the offline planner unless told otherwise. */
  agent?: AgentSettings;
  /** What a user and a connection may ask; the deployed defaults unless told otherwise. */
  rateLimits?: Partial<RateLimits>;
  /** Who may sign up (CASCADE_SIGNUP), enforced by the edge's Cognito front; open unless told otherwise. */
  signUp?: SignUpPolicy;
  /** The OpenAI-compatible endpoint's API key (CASCADE_MODEL_API_KEY). */
  modelApiKey?: string;
  /** The analysis task's command; default runs packages/analysis in task mode. */
  analysisCommand?: string[];
  /** Override API Gateway's idle and maximum connection times (seconds), e.g. in tests. */
  connection?: { idleSeconds?: number; maxSeconds?: number };
  /** LocalStack mode: LocalStack's URL; it then provides DynamoDB, S3, Lambda and Step Functions. */
  awsEndpoint?: string;
  /** Where progress and emulator output go; silent when absent. */
  log?: (line: string) => void;
}

export interface LocalCloud {
  endpoints: Endpoints;
  dataDirectory: string;
  /** The confirmation code Cognito "sent" to an address (as the terminal shows it). */
  confirmationCode(email: string, timeoutMs?: number): Promise<string>;
  /** Analysis task processes running now. */
  runningTasks(): number;
  /** What the cloud has served so far, by service and operation (see RequestMeter). */
  requests: RequestMeter;
  /** The emulated Step Functions service (absent in LocalStack mode). */
  stepFunctions?: StepFunctionsService;
  /** Called if an emulator process dies. */
  onCrash(listener: (message: string) => void): void;
  stop(): Promise<void>;
}

const appName = 'cascade';
const stage = 'local';
const prefix = `${appName}-${stage}`;

function close(server: Server): Promise<void> {
  return new Promise((done) => {
    server.closeAllConnections();
    server.close(() => done());
  });
}

/**
 * All of Cascade on one machine: DynamoDB, S3, Cognito, Step Functions and the API Gateway
 * WebSocket API behind one edge port, running the very handlers and state machine that run on
 * AWS — or, in LocalStack mode, Cognito, the gateway and the task runner in front of LocalStack.
 * Everything listens on 127.0.0.1.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const log = options.log ?? (() => undefined);
  const region = options.region ?? 'us-east-1';
  const dataDirectory = resolve(options.dataDirectory ?? join(options.root, '.cascade'));
  if (options.fresh) await rm(dataDirectory, { recursive: true, force: true });
  await mkdir(dataDirectory, { recursive: true });

  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  };

  try {
    // Ports first: a port in use fails the start before anything else happens.
    const edgeServer = createServer();
    const wsServer = createServer((_req, res) =>
      res.writeHead(426, { 'content-type': 'text/plain' }).end('Upgrade Required'),
    );
    const edgePort = await listenOn(
      edgeServer,
      options.ports?.edge ?? (options.awsEndpoint ? 4567 : 4566),
      'CASCADE_EDGE_PORT',
    );
    cleanups.push(() => close(edgeServer));
    const wsPort = await listenOn(wsServer, options.ports?.websocket ?? 4510, 'CASCADE_WS_PORT');
    cleanups.push(() => close(wsServer));
    const edgeUrl = `http://127.0.0.1:${edgePort}`;
    const websocketUrl = `ws://127.0.0.1:${wsPort}/${stage}`;
    const bucket = `${prefix}-data`;

    const cognito = await startCognito({ directory: join(dataDirectory, 'cognito'), issuerDomain: edgeUrl });
    cleanups.push(() => cognito.close());
    const crashListeners: ((message: string) => void)[] = [];
    cognito.events.on('exit', ({ code, signal, stderr }) => {
      const detail = String(stderr).trim().split('\n').at(-1) ?? '';
      const message = `Cognito (cognito-local) stopped unexpectedly (${signal ?? `exit code ${code}`}). ${detail}`;
      for (const listener of crashListeners) listener(message);
    });
    cognito.events.on('code', ({ destination, code }) => {
      log(`✉  Confirmation code for ${destination}: ${code}`);
      void writeFile(
        join(dataDirectory, 'outbox.log'),
        `${new Date().toISOString()} ${destination} ${code}\n`,
        { flag: 'a' },
      );
    });

    // What the handlers and the analysis task get from the environment, as on AWS.
    process.env.AWS_REGION = region;
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    // Handler logs stay quiet in the terminal unless asked for (POWERTOOLS_LOG_LEVEL=INFO).
    if (!process.env.POWERTOOLS_LOG_LEVEL) setHostLogLevel('WARN');

    const meter = new RequestMeter();
    const context: BackendContext = {
      root: options.root,
      meter,
      dataDirectory,
      region,
      stage,
      prefix,
      bucket,
      edgeUrl,
      auth: { issuer: `${edgeUrl}/${cognito.pool.userPoolId}`, clientId: cognito.pool.userPoolClientId },
      userPoolId: cognito.pool.userPoolId,
      agent: options.agent ?? { provider: 'rules', maxSteps: 6 },
      rateLimits: { ...defaultRateLimits, ...options.rateLimits },
      ...(options.modelApiKey && { modelApiKey: options.modelApiKey }),
      log,
      tasks: (reportExit) =>
        createTaskRunner({
          command: options.analysisCommand ?? [
            process.execPath,
            join(options.root, 'packages/analysis/bin/cascade-analysis.mjs'),
            'task',
          ],
          // The task reaches S3 and Step Functions through the edge, whichever back end is behind it.
          environment: {
            AWS_ENDPOINT_URL: edgeUrl,
            AWS_REGION: region,
            AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
            AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
          reportExit,
          log,
        }),
    };
    const backend: Backend = options.awsEndpoint
      ? await startLocalStackBackend(context, options.awsEndpoint)
      : await startEmulatedBackend(context);
    cleanups.push(() => backend.close());

    const gateway = new WebSocketGateway(backend.gateway, {
      ...apiGatewayLimits,
      ...options.connection,
      stage,
      apiId: 'local',
      region,
      accountId: '000000000000',
      domainName: `127.0.0.1:${wsPort}`,
    });
    gateway.attach(wsServer);
    cleanups.push(() => gateway.close());
    // The web client's origins: its own server (once it listens), Vite's dev and preview
    // servers, and any the developer adds (CASCADE_WEB_ORIGINS, comma-separated).
    const allowedOrigins = [
      ...['5173', '4173'].flatMap((p) => [`http://127.0.0.1:${p}`, `http://localhost:${p}`]),
      ...(process.env.CASCADE_WEB_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ];
    edgeServer.on(
      'request',
      createEdge({
        cognito: {
          url: cognito.url,
          resendCode: (username) => cognito.resendCode(username),
          isDisabled: (who) => cognito.isDisabled(who),
          signOuts: cognito.signOuts,
          ...(options.signUp && { signUp: options.signUp }),
        },
        gateway,
        backend: backend.edge,
        allowedOrigins,
        meter,
        ...(backend.startTask && { startTask: backend.startTask }),
      }),
    );
    await backend.ready();

    let webUrl: string | undefined;
    const web = webServer(join(options.root, 'web/dist'), {
      region,
      cognitoEndpoint: edgeUrl,
      userPoolId: cognito.pool.userPoolId,
      userPoolClientId: cognito.pool.userPoolClientId,
      websocketUrl,
    });
    if (web) {
      const webHttp = createServer(web);
      const webPort = await listenOn(webHttp, options.ports?.web ?? 4600, 'CASCADE_WEB_PORT');
      cleanups.push(() => close(webHttp));
      webUrl = `http://127.0.0.1:${webPort}`;
      allowedOrigins.push(webUrl, `http://localhost:${webPort}`);
    }

    const endpoints: Endpoints = {
      region,
      edgeUrl,
      websocketUrl,
      ...(webUrl && { webUrl }),
      userPoolId: cognito.pool.userPoolId,
      userPoolClientId: cognito.pool.userPoolClientId,
      stateMachineArn: backend.stateMachineArn,
      adminFunction: adminFunctionName(prefix),
      bucket,
      tables: backend.tableNames,
      ...(options.awsEndpoint && { awsEndpoint: options.awsEndpoint }),
    };
    await writeFile(join(dataDirectory, 'endpoints.json'), `${JSON.stringify(endpoints, null, 2)}\n`);

    return {
      endpoints,
      dataDirectory,
      confirmationCode: (email, timeoutMs) => cognito.codeFor(email, timeoutMs),
      runningTasks: () => backend.runningTasks(),
      requests: meter,
      ...(backend.stepFunctions && { stepFunctions: backend.stepFunctions }),
      onCrash: (listener) => crashListeners.push(listener),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

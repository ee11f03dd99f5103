import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { logger, renderStateMachine, type TableKey } from '@cascade/core';
import { createEdge } from './edge/router';
import { type LocalCognito, startCognito } from './emulators/cognito';
import { type LocalDynamo, startDynamo } from './emulators/dynamodb';
import { type LocalS3, seedSamples, startS3 } from './emulators/s3';
import { TaskTokens } from './engine';
import { functionArn, loadHandlers, localPlaceholders } from './functions';
import { apiGatewayLimits, WebSocketGateway } from './gateway/websocket';
import { provideLinks, tableLinks } from './links';
import { listenOn } from './ports';
import { StepFunctionsService } from './stepfunctions/service';
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
  bucket: string;
  tables: Record<TableKey, string>;
}

export interface LocalCloudOptions {
  /** The repository root: the state machine, the analysis task and the web build are found from it. */
  root: string;
  /** Where state is kept between runs; default `<root>/.cascade`. */
  dataDirectory?: string;
  /** Wipe the data directory first. */
  fresh?: boolean;
  /** 0 picks a free port. Defaults 4566 (edge), 4510 (WebSocket), 4600 (web). */
  ports?: { edge?: number; websocket?: number; web?: number };
  region?: string;
  /** The agent's provider; the offline planner unless told otherwise. */
  agent?: { provider: 'rules' | 'bedrock'; modelId?: string; maxSteps: number };
  /** The analysis task's command; default runs packages/analysis in task mode. */
  analysisCommand?: string[];
  /** Override API Gateway's idle and maximum connection times (seconds), e.g. in tests. */
  connection?: { idleSeconds?: number; maxSeconds?: number };
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
  stepFunctions: StepFunctionsService;
  /** Called if an emulator process dies. */
  onCrash(listener: (message: string) => void): void;
  stop(): Promise<void>;
}

const account = '000000000000';
const appName = 'cascade';
const stage = 'local';

function close(server: Server): Promise<void> {
  return new Promise((done) => {
    server.closeAllConnections();
    server.close(() => done());
  });
}

/**
 * All of Cascade on one machine: DynamoDB, S3, Cognito, Step Functions and the API Gateway
 * WebSocket API behind one edge port, running the very handlers and state machine that run on
 * AWS. Everything listens on 127.0.0.1.
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
    const edgePort = await listenOn(edgeServer, options.ports?.edge ?? 4566, 'CASCADE_EDGE_PORT');
    cleanups.push(() => close(edgeServer));
    const wsPort = await listenOn(wsServer, options.ports?.websocket ?? 4510, 'CASCADE_WS_PORT');
    cleanups.push(() => close(wsServer));
    const edgeUrl = `http://127.0.0.1:${edgePort}`;
    const websocketUrl = `ws://127.0.0.1:${wsPort}/${stage}`;
    const bucket = `${appName}-${stage}-data`;
    const stateMachineArn = `arn:aws:states:${region}:${account}:stateMachine:${appName}-${stage}-agent`;

    // Loading the handler modules (the AWS SDK, mostly) overlaps with the emulators starting.
    const arn = (name: string) => functionArn(region, account, `${appName}-${stage}`, name);
    const handlersLoaded = loadHandlers(arn);
    handlersLoaded.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    const [dynamo, s3, cognito]: [LocalDynamo, LocalS3, LocalCognito] = await Promise.all([
      startDynamo({ directory: join(dataDirectory, 'dynamodb'), prefix: `${appName}-${stage}` }),
      startS3({ directory: join(dataDirectory, 's3'), bucket }),
      startCognito({ directory: join(dataDirectory, 'cognito'), issuerDomain: edgeUrl }),
    ]);
    cleanups.push(
      () => dynamo.close(),
      () => s3.close(),
      () => cognito.close(),
    );
    const crashListeners: ((message: string) => void)[] = [];
    cognito.events.on('exit', ({ code, signal, stderr }) => {
      const message = `Cognito (cognito-local) stopped unexpectedly (${signal ?? `exit code ${code}`}). ${String(stderr).trim().split('\n').at(-1) ?? ''}`;
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

    // The handlers in this process reach every service through the edge, as they would on AWS.
    process.env.AWS_ENDPOINT_URL = edgeUrl;
    process.env.AWS_REGION = region;
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    // Handler logs stay quiet in the terminal unless asked for (POWERTOOLS_LOG_LEVEL=INFO).
    if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('WARN');
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const agent = options.agent ?? { provider: 'rules', maxSteps: 6 };
    provideLinks(
      {
        ...tableLinks(dynamo.tableNames),
        Datasets: { name: bucket },
        AgentStateMachine: { arn: stateMachineArn },
        Api: { managementEndpoint: `${edgeUrl}/${stage}` },
        Auth: { issuer: `${edgeUrl}/${cognito.pool.userPoolId}`, clientId: cognito.pool.userPoolClientId },
        Agent: agent,
      },
      { name: appName, stage },
    );

    const tokens = new TaskTokens();
    const tasks = createTaskRunner({
      command: options.analysisCommand ?? [
        process.execPath,
        join(options.root, 'packages/analysis/bin/cascade-analysis.mjs'),
        'task',
      ],
      environment: {
        AWS_ENDPOINT_URL: edgeUrl,
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      tokens,
      log,
    });
    cleanups.push(() => tasks.stopAll());

    const handlers = await handlersLoaded;
    const definition = JSON.parse(readFileSync(join(options.root, 'statemachines/agent.asl.json'), 'utf8'));
    const rendered = renderStateMachine(
      definition,
      localPlaceholders(arn, region, account, `${appName}-${stage}`),
    );
    const stepFunctions = new StepFunctionsService({
      stateMachineArn,
      roleArn: `arn:aws:iam::${account}:role/${appName}-${stage}-agent`,
      definition: rendered,
      lambdas: handlers.lambdas,
      ecs: tasks.run,
      tokens,
      dataFile: join(dataDirectory, 'stepfunctions', 'executions.json'),
      onExecutionEnded: async (execution) => {
        await handlers.executionEnded({
          detail: {
            name: execution.name,
            status: execution.status,
            error: execution.error ?? null,
            cause: execution.cause ?? null,
          },
        });
      },
    });
    cleanups.push(() => stepFunctions.stopAll());

    const gateway = new WebSocketGateway(handlers.gateway, {
      ...apiGatewayLimits,
      ...options.connection,
      stage,
      apiId: 'local',
      region,
      accountId: account,
      domainName: `127.0.0.1:${wsPort}`,
    });
    gateway.attach(wsServer);
    cleanups.push(() => gateway.close());
    edgeServer.on(
      'request',
      createEdge({ dynamodb: dynamo.handle, s3: s3.handle, cognitoUrl: cognito.url, stepFunctions, gateway }),
    );

    await dynamo.createTables(edgeUrl);
    const samples = await seedSamples(edgeUrl, bucket, join(options.root, 'packages/analysis/datasets'));
    if (samples.length === 0) log('No sample datasets found under packages/analysis/datasets.');

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
    }

    const endpoints: Endpoints = {
      region,
      edgeUrl,
      websocketUrl,
      ...(webUrl && { webUrl }),
      userPoolId: cognito.pool.userPoolId,
      userPoolClientId: cognito.pool.userPoolClientId,
      stateMachineArn,
      bucket,
      tables: dynamo.tableNames,
    };
    await writeFile(join(dataDirectory, 'endpoints.json'), `${JSON.stringify(endpoints, null, 2)}\n`);
    const recovered = await stepFunctions.recover();
    if (recovered.length > 0)
      log(`${recovered.length} run(s) left from the last start were ended as ABORTED.`);

    return {
      endpoints,
      dataDirectory,
      confirmationCode: (email, timeoutMs) => cognito.codeFor(email, timeoutMs),
      runningTasks: () => tasks.running,
      stepFunctions,
      onCrash: (listener) => crashListeners.push(listener),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

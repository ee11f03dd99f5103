import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type AccessDeps,
  ApiKeysRepository,
  type ChatDeps,
  ConnectionsRepository,
  createCognitoDirectory,
  createDocumentClient,
  createIdTokenVerifier,
  createNotifier,
  createRateLimiter,
  createStepFunctionsOrchestrator,
  DatasetCatalog,
  ExecutionsRepository,
  type IdTokenVerifier,
  ItemsRepository,
  LocksRepository,
  MessagesRepository,
  type Notifier,
  RateLimitsRepository,
  RevocationsRepository,
  SessionsRepository,
  tables,
} from '@cascade/core';
import type { AnalysisEngine } from '@cascade/core/agent/engine';
import { bedrockClient, createProvider } from '@cascade/core/agent/providers';
import type { AgentDeps } from '@cascade/core/agent/steps/deps';
import { traced } from './observability';
import { type Links, linked } from './resources';

/**
 * Clients and repositories, each built on first use and reused while the Lambda container lives.
 * Built lazily so a handler reads only the links it uses: each function is linked (and granted)
 * only what it touches, and reading an unlinked resource fails loudly in SST.
 * SDK clients take region and endpoint from the environment like any AWS SDK program; each is
 * built through `traced`, so every AWS call is an X-Ray subsegment where tracing is on.
 */
let chat: ChatDeps | undefined;
let analysisEngine: AnalysisEngine | undefined;
let agent: AgentDeps | undefined;
let verifier: IdTokenVerifier | undefined;
let s3: S3Client | undefined;
let documentClient: DynamoDBDocumentClient | undefined;
let managementApi: ApiGatewayManagementApiClient | undefined;

type TableLink = keyof Links & (typeof tables)[keyof typeof tables]['name'];

/** An object whose properties are built on first read and then kept. */
export function builtOnFirstUse<T extends object>(builders: { [K in keyof T]-?: () => T[K] }): T {
  const object = {} as T;
  for (const key of Object.keys(builders) as (keyof T)[]) {
    Object.defineProperty(object, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = builders[key]();
        Object.defineProperty(object, key, { value, enumerable: true, writable: false });
        return value;
      },
    });
  }
  return object;
}

function table(name: TableLink) {
  documentClient ??= traced(createDocumentClient());
  return { client: documentClient, tableName: linked(name).name };
}

export function chatDeps(): ChatDeps {
  chat ??= builtOnFirstUse<ChatDeps>({
    sessions: () => new SessionsRepository(table(tables.sessions.name)),
    messages: () => new MessagesRepository(table(tables.messages.name)),
    executions: () => new ExecutionsRepository(table(tables.executions.name)),
    items: () => new ItemsRepository(table(tables.items.name)),
    locks: () => new LocksRepository(table(tables.locks.name)),
    connections: () => new ConnectionsRepository(table(tables.connections.name)),
    datasets: () => new DatasetCatalog({ s3: s3Client(), bucket: linked('Datasets').name }),
    orchestrator: () =>
      createStepFunctionsOrchestrator(traced(new SFNClient({})), linked('AgentStateMachine').arn),
    notifier: () => newNotifier(),
    limits: () => {
      let counters: RateLimitsRepository | undefined;
      return createRateLimiter({
        connections: () => chatDeps().connections,
        counters: () => {
          counters ??= new RateLimitsRepository(table(tables.locks.name));
          return counters;
        },
        limits: () => linked('RateLimits'),
      });
    },
    revocations: () => new RevocationsRepository(table(tables.revocations.name)),
    apiKeys: () => new ApiKeysRepository(table(tables.apiKeys.name)),
    directory: () =>
      createCognitoDirectory(traced(new CognitoIdentityProviderClient({})), linked('Directory').userPoolId),
  });
  return chat;
}

/**
 * A notifier with its own memory of who is connected (see createNotifier), as each Lambda
 * function's containers have theirs: the item steps each take one, so the local cloud, where all
 * functions share a process, reads connections as often as the deployed functions do.
 */
export function newNotifier(): Notifier {
  managementApi ??= traced(new ApiGatewayManagementApiClient({ endpoint: linked('Api').managementEndpoint }));
  return createNotifier({ api: managementApi, connections: chatDeps().connections });
}

/**
 * The Dispatch handler plugs the analysis engine in when its module loads; the other steps never
 * load the engine (or DuckDB), so their bundles stay small.
 */
export function provideAnalysisEngine(engine: AnalysisEngine | undefined): void {
  analysisEngine = engine;
}

export function s3Client(): S3Client {
  // Presigned uploads must not sign a checksum of an empty body (real S3 would reject the PUT).
  s3 ??= traced(new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED' }));
  return s3;
}

/**
 * The provider the deployment chose: Bedrock's client is traced like the others, the
 * OpenAI-compatible one gets its key from the secret.
 */
function modelProvider() {
  const settings = linked('Agent');
  if (settings.provider === 'bedrock') return createProvider(settings, { bedrock: traced(bedrockClient()) });
  if (settings.provider !== 'openai') return createProvider(settings);
  // Linked only where a key was given (the local cloud) or the secret exists (deployed).
  let apiKey: string | undefined;
  try {
    apiKey = linked('ModelApiKey')?.value;
  } catch {
    apiKey = undefined;
  }
  return createProvider(settings, apiKey ? { apiKey } : {});
}

/** The agent steps share the chat's repositories and notifier, plus S3 and the model provider. */
export function agentDeps(): AgentDeps {
  if (agent) return agent;
  agent = builtOnFirstUse<Omit<AgentDeps, 'historyMessages' | 'now' | 'modelTimeoutMs' | 'deltaIntervalMs'>>({
    executions: () => chatDeps().executions,
    items: () => chatDeps().items,
    messages: () => chatDeps().messages,
    sessions: () => chatDeps().sessions,
    locks: () => chatDeps().locks,
    limits: () => chatDeps().limits,
    notifier: () => chatDeps().notifier,
    datasets: () => chatDeps().datasets,
    s3: s3Client,
    bucket: () => linked('Datasets').name,
    provider: () => modelProvider(),
    maxSteps: () => linked('Agent').maxSteps,
    engine: () => analysisEngine,
  });
  // Read on every use, not kept: what provideAnalysisEngine says now (tests may take it away).
  Object.defineProperty(agent, 'engine', { get: () => analysisEngine, enumerable: true, configurable: true });
  return agent;
}

export function idTokenVerifier(): IdTokenVerifier {
  verifier ??= createIdTokenVerifier(linked('Auth'));
  return verifier;
}

/** What `$connect` checks a caller against: the pool's keys, the revocation record, the API keys. */
export function accessDeps(): AccessDeps {
  return { verifier: idTokenVerifier(), revocations: chatDeps().revocations, apiKeys: chatDeps().apiKeys };
}

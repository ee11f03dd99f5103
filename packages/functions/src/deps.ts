import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  type AgentDeps,
  type ChatDeps,
  ConnectionsRepository,
  createDocumentClient,
  createIdTokenVerifier,
  createNotifier,
  createProvider,
  createStepFunctionsOrchestrator,
  DatasetCatalog,
  ExecutionsRepository,
  type IdTokenVerifier,
  ItemsRepository,
  LocksRepository,
  MessagesRepository,
  SessionsRepository,
  tables,
} from '@cascade/core';
import { type Links, linked } from './resources';

/**
 * Clients and repositories, built on first use and reused while the Lambda container lives.
 * SDK clients take region and endpoint from the environment like any AWS SDK program.
 */
let chat: ChatDeps | undefined;
let agent: AgentDeps | undefined;
let verifier: IdTokenVerifier | undefined;
let s3: S3Client | undefined;

type TableLink = keyof Links & (typeof tables)[keyof typeof tables]['name'];

export function chatDeps(): ChatDeps {
  if (chat) return chat;
  const client = createDocumentClient();
  const table = (name: TableLink) => ({ client, tableName: linked(name).name });
  const connections = new ConnectionsRepository(table(tables.connections.name));
  chat = {
    sessions: new SessionsRepository(table(tables.sessions.name)),
    messages: new MessagesRepository(table(tables.messages.name)),
    executions: new ExecutionsRepository(table(tables.executions.name)),
    items: new ItemsRepository(table(tables.items.name)),
    locks: new LocksRepository(table(tables.locks.name)),
    connections,
    datasets: new DatasetCatalog({ s3: s3Client(), bucket: linked('Datasets').name }),
    orchestrator: createStepFunctionsOrchestrator(new SFNClient({}), linked('AgentStateMachine').arn),
    notifier: createNotifier({
      api: new ApiGatewayManagementApiClient({ endpoint: linked('Api').managementEndpoint }),
      connections,
    }),
  };
  return chat;
}

function s3Client(): S3Client {
  // Presigned uploads must not sign a checksum of an empty body (real S3 would reject the PUT).
  s3 ??= new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
  return s3;
}

/** The agent steps share the chat's repositories and notifier, plus S3 and the model provider. */
export function agentDeps(): AgentDeps {
  if (agent) return agent;
  const chatParts = chatDeps();
  const config = linked('Agent');
  agent = {
    ...chatParts,
    s3: s3Client(),
    bucket: linked('Datasets').name,
    provider: createProvider(config),
    maxSteps: config.maxSteps,
  };
  return agent;
}

export function idTokenVerifier(): IdTokenVerifier {
  verifier ??= createIdTokenVerifier(linked('Auth'));
  return verifier;
}

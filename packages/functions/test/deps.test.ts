import { tables } from '@cascade/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { agentDeps, builtOnFirstUse, chatDeps, s3Client } from '../src/deps';
import { traced } from '../src/observability';

// Records which clients deps.ts hands to the tracer (observability.test.ts tests what it does with them).
vi.mock('../src/observability', () => ({ traced: vi.fn(<Client>(client: Client) => client) }));

describe('builtOnFirstUse', () => {
  it('builds a dependency only when it is first read, and only once', () => {
    const buildSessions = vi.fn(() => ({ table: 'sessions' }));
    const buildOrchestrator = vi.fn(() => ({ arn: 'machine' }));
    const deps = builtOnFirstUse({ sessions: buildSessions, orchestrator: buildOrchestrator });

    expect(buildSessions).not.toHaveBeenCalled();
    expect(deps.sessions).toEqual({ table: 'sessions' });
    expect(deps.sessions).toBe(deps.sessions);
    expect(buildSessions).toHaveBeenCalledTimes(1);
    // A handler that never reads the orchestrator never reads the state machine's link.
    expect(buildOrchestrator).not.toHaveBeenCalled();
  });

  it('a builder that fails (an unlinked resource) fails the read, and the next read tries again', () => {
    let linked = false;
    const deps = builtOnFirstUse({
      orchestrator: () => {
        if (!linked) throw new Error('"AgentStateMachine" is not linked');
        return { arn: 'machine' };
      },
    });
    expect(() => deps.orchestrator).toThrow('is not linked');
    linked = true;
    expect(deps.orchestrator).toEqual({ arn: 'machine' });
  });

  it('spreading builds every dependency, as a caller that needs them all expects', () => {
    const deps = builtOnFirstUse({ a: () => 1, b: () => 2 });
    expect({ ...deps }).toEqual({ a: 1, b: 2 });
  });
});

describe('the AWS clients', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('each is built once, through the tracer, where deps builds it', () => {
    // Prepare: every link the clients are built from, as SST gives them.
    const links = {
      App: { name: 'cascade', stage: 'test' },
      ...Object.fromEntries(Object.values(tables).map((table) => [table.name, { name: table.name }])),
      Datasets: { name: 'datasets' },
      AgentStateMachine: { arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:agent' },
      Api: { managementEndpoint: 'https://abc123.execute-api.us-east-1.amazonaws.com/test' },
      Agent: { provider: 'bedrock', modelId: 'amazon.nova-pro-v1:0', maxSteps: 8, maxOutputTokens: 4096 },
    };
    for (const [name, value] of Object.entries(links))
      vi.stubEnv(`SST_RESOURCE_${name}`, JSON.stringify(value));

    // Act: reach every client, the DynamoDB one through several tables.
    const chat = chatDeps();
    void [chat.sessions, chat.messages, chat.locks, chat.datasets, chat.orchestrator, chat.notifier];
    void [agentDeps().provider, s3Client()];

    // Assess
    const built = vi.mocked(traced).mock.calls.map(([client]) => (client as object).constructor.name);
    expect(built.sort()).toEqual(
      [
        'ApiGatewayManagementApiClient',
        'BedrockRuntimeClient',
        'DynamoDBDocumentClient',
        'S3Client',
        'SFNClient',
      ].sort(),
    );
  });
});

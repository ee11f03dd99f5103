import '@cascade/local/polyfill';
import { randomUUID } from 'node:crypto';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import {
  type AgentInput,
  type Caller,
  ConnectionsRepository,
  ExecutionsRepository,
  executionArn,
  type ItemOutput,
  ItemsRepository,
  type Orchestrator,
  renderStateMachine,
  type ServerMessage,
  startQuery,
} from '@cascade/core';
import type { ModelProvider } from '@cascade/core/agent/providers/types';
import type { Links } from '@cascade/functions/resources';
import {
  type EcsRunner,
  localTaskHandlers,
  type MockConfig,
  mockedTaskHandlers,
  TaskTokens,
  taskStates,
} from '@cascade/local/engine';
import { functionArn, localPlaceholders, stepHandlers } from '@cascade/local/functions';
import { StateMachine } from 'aws-local-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import agentDefinition from '../../statemachines/agent.asl.json';
import { startDynamo, type TestDynamo } from '../support/dynamo';
import { provideLinks, unlimited } from '../support/links';
import { memoryS3 } from '../support/s3-memory';

export const bucket = 'cascade-data';
const stateMachineArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:cascade-agent';
const arn = (name: string) => functionArn('us-east-1', '123456789012', 'cascade', name);

/** What each mode puts in the placeholders; here, names the local bindings recognise. */
export const placeholderValues = localPlaceholders(arn, 'us-east-1', '123456789012', 'cascade');

/** A small LaLonde-shaped table: enough rows for the header sniffing and the planner. */
export function lalondeCsv(rows = 40): string {
  const lines = ['treat,age,educ,black,hispan,married,nodegree,re74,re75,re78'];
  for (let i = 0; i < rows; i++) {
    const treat = i % 3 === 0 ? 1 : 0;
    lines.push(
      [
        treat,
        20 + (i % 25),
        8 + (i % 6),
        i % 2,
        i % 5 === 0 ? 1 : 0,
        i % 4 === 0 ? 1 : 0,
        i % 3 === 1 ? 1 : 0,
        1000 * (i % 7),
        900 * (i % 5),
        5000 + 1500 * treat + 37 * i,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

export const churnCsv =
  'customer_id,plan,tenure_months,monthly_fee,churned,signup_date\nc1,basic,3,9.99,true,2024-01-03\nc2,pro,24,29.99,false,2022-05-11\nc3,basic,,9.99,true,2024-02-17\n';

/** What the analysis task returns, in the contract's shape (@cascade/core/contract). */
export const profileResult = {
  tool: 'profile',
  source: 'lalonde.csv',
  reading: [],
  warnings: [],
  rows: 40,
  columns: [
    {
      name: 'treat',
      type: 'integer',
      count: 40,
      missing: 0,
      unique: 2,
      mean: 0.35,
      std: 0.48,
      min: 0,
      q25: 0,
      q50: 0,
      q75: 1,
      max: 1,
      histogram: { edges: [0, 0.5, 1], counts: [26, 14] },
    },
    {
      name: 're78',
      type: 'numeric',
      count: 40,
      missing: 0,
      unique: 40,
      mean: 6247.5,
      std: 860.2,
      min: 5000,
      q25: 5600,
      q50: 6200,
      q75: 6900,
      max: 7943,
      histogram: { edges: [5000, 6500, 8000], counts: [22, 18] },
    },
  ],
  correlation: {
    columns: ['treat', 're78'],
    matrix: [
      [1, 0.62],
      [0.62, 1],
    ],
  },
};

export const effectResult = {
  tool: 'estimate_effect',
  source: 'lalonde.csv',
  treatment: 'treat',
  outcome: 're78',
  covariates: ['age', 'educ'],
  dropped: 0,
  headline: 'regression_adjustment',
  reading: [],
  n: 40,
  treated: 14,
  control: 26,
  estimates: [
    { method: 'difference_in_means', estimand: 'ATE', estimate: 1480.2, se: 210.4, ci: [1053.1, 1907.3] },
    {
      method: 'regression_adjustment',
      estimand: 'ATE',
      estimate: 1500.1,
      se: 12.1,
      seHc1: 12.9,
      ci: [1475.5, 1524.7],
    },
    { method: 'ipw_att', estimand: 'ATT', estimate: 1498.7, se: 30.2, ci: [1437.4, 1560.0] },
  ],
  balance: [{ covariate: 'age', smdBefore: 0.12, smdAfter: 0.01, smdAfterAtt: 0.02 }],
  warnings: [],
};

export const analysisOutputs: Record<string, ItemOutput> = {
  profile: {
    text: 'profile',
    charts: [
      { kind: 'histogram', title: 're78', column: 're78', edges: [5000, 6500, 8000], counts: [22, 18] },
    ],
  },
  estimate_effect: {
    text: 'effect',
    charts: [
      {
        kind: 'intervals',
        title: 'Effect of treat on re78',
        intervals: [{ label: 'Regression adjustment (ATE)', estimate: 1500.1, lo: 1475.5, hi: 1524.7 }],
      },
    ],
  },
};

export type TaskBehaviour =
  | 'succeed'
  | { fail: { error: string; cause: string } }
  | 'hang'
  | 'refuse-to-start';

export const alice: Caller = { userId: 'alice-sub', tenantId: 'acme', email: 'alice@example.com' };

/**
 * The agent state machine file itself, run by aws-local-stepfunctions with the real Lambda
 * handlers over real tables (dynalite), S3 kept in memory, the API Gateway management API
 * mocked, and a stand-in for the Fargate task that reports through its task token.
 */
export async function startStateMachineHarness(agent: Links['Agent'] = { provider: 'rules', maxSteps: 6 }) {
  const dynamo: TestDynamo = await startDynamo();
  const s3 = memoryS3();
  const api = mockClient(ApiGatewayManagementApiClient);
  api.on(PostToConnectionCommand).resolves({});
  provideLinks(dynamo, {
    Datasets: { name: bucket },
    AgentStateMachine: { arn: stateMachineArn },
    Api: { managementEndpoint: 'https://api.test/local' },
    Auth: { issuer: 'http://127.0.0.1:1/unused', clientId: 'unused' },
    Directory: { userPoolId: 'us-east-1_unused' },
    Agent: agent,
    RateLimits: unlimited,
  });
  s3.put(bucket, 'samples/lalonde.csv', lalondeCsv(), { rows: '40', columns: '10' });
  s3.put(bucket, 'samples/churn.csv', churnCsv, { rows: '3', columns: '6' });
  await new ConnectionsRepository({ client: dynamo.client, tableName: dynamo.tableNames.connections }).put({
    connectionId: 'conn-1',
    userId: alice.userId,
    tenantId: alice.tenantId,
  });

  // Imported only now: the handlers read their links on first use.
  const { chatDeps, agentDeps, provideAnalysisEngine } = await import('@cascade/functions/deps');
  const lambdas = await stepHandlers(arn);
  // Importing Dispatch plugged the real engine in; these tests run analyses on the Fargate
  // stand-in below unless a test asks for the engine in Dispatch.
  const { createEngine } = await import('@cascade/analysis/engine');
  const { s3Client } = await import('@cascade/functions/deps');
  provideAnalysisEngine(undefined);

  let planner: ModelProvider | undefined;
  const tokens = new TaskTokens();
  const stoppedTasks: string[] = [];
  const lambdaInputs: { functionName: string; bytes: number }[] = [];
  for (const [name, fn] of Object.entries(lambdas)) {
    lambdas[name] = (event) => {
      lambdaInputs.push({ functionName: name, bytes: JSON.stringify(event).length });
      return fn(event);
    };
  }

  /** The Fargate stand-in: behaves per tool as the test says, reports through the token. */
  let behaviour: (tool: string, attempt: number) => TaskBehaviour = () => 'succeed';
  const attempts = new Map<string, number>();
  const ecs: EcsRunner = async ({ environment }) => {
    const job = s3.json<{ tool: string; resultUri: string }>(
      bucket,
      environment.JOB_URI!.replace(`s3://${bucket}/`, ''),
    )!;
    const attempt = (attempts.get(environment.JOB_URI!) ?? 0) + 1;
    attempts.set(environment.JOB_URI!, attempt);
    const act = behaviour(job.tool, attempt);
    if (act === 'refuse-to-start') throw new Error('Capacity is unavailable at this time.');
    setImmediate(() => {
      if (act === 'succeed') {
        const result = job.tool === 'profile' ? profileResult : effectResult;
        s3.put(
          bucket,
          job.resultUri.replace(`s3://${bucket}/`, ''),
          JSON.stringify({ ...result, output: analysisOutputs[job.tool] }),
        );
        tokens.succeed(environment.TASK_TOKEN!, {
          resultUri: job.resultUri,
          output: analysisOutputs[job.tool],
        });
      } else if (act !== 'hang') {
        tokens.fail(environment.TASK_TOKEN!, act.fail.error, act.fail.cause);
      }
    });
    return { stop: () => stoppedTasks.push(environment.JOB_URI!) };
  };

  async function run(
    request: {
      content: string;
      items?: { id: string; input: string }[];
      datasetId?: string;
      sessionId?: string;
    },
    options: {
      patch?: (definition: typeof agentDefinition) => void;
      mock?: { config: MockConfig; testCase: string };
    } = {},
  ) {
    let input: AgentInput | undefined;
    const orchestrator: Orchestrator = {
      start: async (i) => {
        input = i;
      },
      exists: async () => false,
      stop: async () => undefined,
    };
    const replies: ServerMessage[] = [];
    const { sessionId, ...payload } = request;
    const executionId = await startQuery(
      { ...chatDeps(), orchestrator },
      alice,
      { action: 'query', messageId: randomUUID(), ...(sessionId && { sessionId }), payload },
      async (m) => replies.push(m),
    );
    const definition = structuredClone(agentDefinition);
    options.patch?.(definition);
    const rendered = renderStateMachine(definition, placeholderValues);
    let handlers = localTaskHandlers(rendered, {
      lambdas,
      ecs,
      tokens,
      executionArn: executionArn(stateMachineArn, executionId),
    });
    if (options.mock)
      handlers = mockedTaskHandlers(options.mock.config, 'agent', options.mock.testCase, handlers);
    /** How many times the engine invoked each Task state, retries included (mocked answers too). */
    const calls: Record<string, number> = {};
    handlers = Object.fromEntries(
      Object.entries(handlers).map(([state, handler]) => [
        state,
        (event: unknown) => {
          calls[state] = (calls[state] ?? 0) + 1;
          return handler(event);
        },
      ]),
    );
    const noWaits = Object.fromEntries([...taskStates(rendered).keys()].map((name) => [name, 0]));
    // Not validated here (asl-validator costs ~200 ms per construction): definition.test.ts
    // validates the agent definition; a test's patch is its own concern.
    const machine = new StateMachine(rendered as never, { validationOptions: { noValidate: true } });
    const execution = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: noWaits },
      context: { Task: { Token: 'TOKEN_FROM_CONTEXT' } } as never,
    });
    /** Every state the engine entered, and every retry: what Step Functions bills as transitions. */
    const entered: string[] = [];
    let retries = 0;
    const logged = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') entered.push(event.state.name);
        if (event.type === 'StateRetried') retries += 1;
      }
    })();
    const output = await execution.result;
    await logged;
    return {
      executionId,
      replies,
      output,
      calls,
      entered,
      retries: () => retries,
      sessionId: (input as AgentInput).sessionId,
    };
  }

  const table = { client: dynamo.client };
  return {
    dynamo,
    s3,
    api,
    executions: new ExecutionsRepository({ ...table, tableName: dynamo.tableNames.executions }),
    items: new ItemsRepository({ ...table, tableName: dynamo.tableNames.items }),
    tokens,
    stoppedTasks,
    lambdaInputs,
    run,
    chat: chatDeps,
    agent: agentDeps,
    setTaskBehaviour(fn: typeof behaviour) {
      behaviour = fn;
    },
    /**
     * A scripted model in place of the offline planner, reporting itself as `name`/`model`, until
     * called again without a script.
     */
    scriptModel(
      script?: ModelProvider['decide'],
      as: { name: string; model?: string } = { name: 'scripted' },
    ) {
      const provider = agentDeps().provider as { -readonly [K in keyof ModelProvider]: ModelProvider[K] };
      planner ??= { ...provider };
      Object.assign(provider, script ? { decide: script, name: as.name, model: as.model } : planner);
    },
    /** Small analyses run in Dispatch with the real engine (on), or all go to the task stand-in (off). */
    engineInDispatch(on: boolean) {
      provideAnalysisEngine(on ? createEngine({ s3: s3Client }) : undefined);
    },
    /** Every message sent to the user's connection, decoded. */
    events(): ServerMessage[] {
      return api
        .commandCalls(PostToConnectionCommand)
        .map((c) => JSON.parse(new TextDecoder().decode(c.args[0].input.Data as Uint8Array)));
    },
    resetEvents() {
      api.resetHistory();
    },
    async close() {
      api.restore();
      s3.mock.restore();
      await dynamo.close();
    },
  };
}

export type StateMachineHarness = Awaited<ReturnType<typeof startStateMachineHarness>>;

/**
 * The harness of one test file: started before its tests and closed after them; before each
 * test, no message is on record and every analysis task succeeds.
 */
export function useStateMachineHarness(agent?: Links['Agent']): StateMachineHarness {
  const h = {} as StateMachineHarness;
  beforeAll(async () => {
    Object.assign(h, await startStateMachineHarness(agent));
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.resetEvents();
    h.setTaskBehaviour(() => 'succeed');
  });
  return h;
}

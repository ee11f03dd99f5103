import { defaultTimeoutMs } from '@cascade/analysis/engines/query/limits';
import { clientActions, functionSizes, routeModule } from '@cascade/core';
import { apiGatewayLimits } from '@cascade/core/api-gateway';
import { placeholdersIn, renderStateMachine } from '@cascade/core/orchestration/definition';
import {
  allFunctions,
  authorizer,
  linksOf,
  placeholders,
  preSignUp,
  routes,
  stepFunctions,
  tablesOf,
  timeoutSecondsOf,
} from '@cascade/functions/definitions';
import { describe, expect, it } from 'vitest';
import { queryChildFile } from '../../scripts/build-engine-layer.mjs';
import { bundling, engineBundling } from '../../stacks/functions';
import {
  type AppArns,
  analysisTaskStatements,
  bedrockModelResources,
  functionStatements,
  stateMachineStatements,
} from '../../stacks/permissions';
import {
  agentSettings,
  alarmEmail,
  cognitoEmail,
  modelEndpoint,
  protectedStage,
  signUpPolicy,
} from '../../stacks/settings';
import asl from '../../statemachines/agent.asl.json';

const arns: AppArns<string> = {
  tables: {
    Sessions: 'arn:aws:dynamodb:us-east-1:1:table/sessions',
    Messages: 'arn:aws:dynamodb:us-east-1:1:table/messages',
    Executions: 'arn:aws:dynamodb:us-east-1:1:table/executions',
    Items: 'arn:aws:dynamodb:us-east-1:1:table/items',
    Connections: 'arn:aws:dynamodb:us-east-1:1:table/connections',
    Locks: 'arn:aws:dynamodb:us-east-1:1:table/locks',
    Revocations: 'arn:aws:dynamodb:us-east-1:1:table/revocations',
    ApiKeys: 'arn:aws:dynamodb:us-east-1:1:table/api-keys',
  },
  bucket: 'arn:aws:s3:::data',
  stateMachine: 'arn:aws:states:us-east-1:1:stateMachine:agent',
  executions: 'arn:aws:states:us-east-1:1:execution:agent',
  api: 'arn:aws:execute-api:us-east-1:1:api',
  model: ['arn:aws:bedrock:us-east-1::foundation-model/m'],
  userPool: 'arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_pool',
};
const join = (arn: string, suffix: string) => `${arn}${suffix}`;

describe('the function list', () => {
  it("gives the cost estimate each function's deployed memory and architecture", () => {
    // The estimate names each step after its Task state (ParseFunctionArn fills Parse's).
    const deployed = {
      query: routes.query!,
      ...Object.fromEntries(
        Object.entries(stepFunctions).map(([placeholder, fn]) => [
          placeholder.replace(/FunctionArn$/, ''),
          fn,
        ]),
      ),
    };
    expect(Object.keys(deployed).sort()).toEqual(Object.keys(functionSizes).sort());
    for (const [name, definition] of Object.entries(deployed))
      expect({
        name,
        memoryMb: Number.parseInt(definition.memory, 10),
        architecture: definition.engine ? engineBundling.architecture : bundling.architecture,
      }).toEqual({ name, ...functionSizes[name as keyof typeof functionSizes] });
  });

  it('routes $connect, $disconnect, $default and every protocol action, each to the module named after it', () => {
    expect(Object.keys(routes)).toEqual(['$connect', '$disconnect', '$default', ...clientActions]);
    for (const action of clientActions) {
      expect(routes[action]!.handler).toBe(`packages/functions/src/ws/${routeModule(action)}.handler`);
    }
  });

  it("ends every route, and the authorizer, within API Gateway's integration timeout", () => {
    for (const fn of [authorizer, ...Object.values(routes)])
      expect(timeoutSecondsOf(fn) * 1000, fn.handler).toBeLessThan(apiGatewayLimits.integrationTimeoutMs);
  });

  it('fills every placeholder of the ASL, and nothing else', () => {
    expect([...placeholders].sort()).toEqual(placeholdersIn(asl));
    const values = Object.fromEntries(
      placeholders.map((name) => [name, name === 'Subnets' ? ['s'] : `v-${name}`]),
    );
    expect(placeholdersIn(renderStateMachine(asl, values))).toEqual([]);
  });

  it('gives the state machine one function per Lambda task', () => {
    expect(Object.keys(stepFunctions).every((name) => placeholdersIn(asl).includes(name))).toBe(true);
    expect(new Set(Object.values(stepFunctions).map((s) => s.handler)).size).toBe(
      Object.keys(stepFunctions).length,
    );
  });

  it('keeps every Lambda timeout below the Task state that calls it', () => {
    const states = asl.States.ProcessItems.ItemProcessor.States as Record<
      string,
      { Parameters?: { FunctionName?: string }; TimeoutSeconds?: number }
    >;
    const all = { ...states, Finish: asl.States.Finish } as typeof states;
    for (const [placeholder, step] of Object.entries(stepFunctions)) {
      const [state] = Object.entries(all).filter(
        ([, s]) => s.Parameters?.FunctionName === `\${${placeholder}}`,
      );
      expect(state, placeholder).toBeDefined();
      expect(timeoutSecondsOf(step), placeholder).toBeLessThan(state![1].TimeoutSeconds!);
    }
  });

  it('gives the analysis engine to Dispatch only: x86-64 with DuckDB left to the layer, 2048 MB', () => {
    const engines = Object.entries(allFunctions).filter(([, fn]) => fn.engine);
    expect(engines.map(([name]) => name)).toEqual(['step DispatchFunctionArn']);
    expect(stepFunctions.DispatchFunctionArn).toMatchObject({ engine: true, memory: '2048 MB' });
    // The layer holds DuckDB's linux-x64 build and the query's process (scripts/build-engine-layer.mjs;
    // engine.test.ts runs both), which the function is told of where Lambda unpacks the layer.
    expect(engineBundling).toEqual({
      architecture: 'x86_64',
      external: ['@duckdb/*'],
      environment: { CASCADE_QUERY_CHILD_SCRIPT: `/opt/${queryChildFile}` },
    });
    expect(queryChildFile).toBe('nodejs/cascade/query-child.mjs');
    expect(bundling.external).not.toContain('@duckdb/*');
  });

  it("leaves Dispatch room for a query's time limits within its Lambda timeout", () => {
    // A query's statements each get the time limit (a chart's pass as long again), plus a 2 s grace
    // before the child process is killed (engines/query/isolation.ts). At most half of Dispatch's
    // timeout, so the other half is left for downloading and loading the data and writing the result.
    const seconds = Number.parseInt(stepFunctions.DispatchFunctionArn.timeout, 10);
    expect(stepFunctions.DispatchFunctionArn.timeout).toMatch(/seconds$/);
    expect(2 * (defaultTimeoutMs + 2000)).toBeLessThan((seconds * 1000) / 2);
  });

  it('links a function to exactly what its access names, a notifier to the API and Connections', () => {
    expect(linksOf({ notify: true })).toEqual(['Api', 'Connections']);
    expect(linksOf({ tables: { Items: 'read' }, stateMachine: ['start'], agent: 'config' })).toEqual([
      'Agent',
      'AgentStateMachine',
      'Items',
    ]);
    expect(tablesOf({ tables: { Connections: 'read' }, notify: true })).toEqual({ Connections: 'write' });
    // Every message counts towards its connection's rate, so every route that takes messages reads the limits.
    expect(linksOf(routes.ping!.access)).toEqual(['Api', 'Connections', 'RateLimits']);
    expect(linksOf(routes.$connect!.access)).toEqual(['Connections', 'RateLimits']);
    expect(linksOf(routes.$disconnect!.access)).toEqual(['Connections']);
    expect(linksOf(allFunctions.authorizer!.access)).toEqual(['ApiKeys', 'Auth', 'Revocations']);
  });
});

describe('IAM statements', () => {
  const statementsOf = (name: string) => functionStatements(allFunctions[name]!.access, arns, join);

  it('no function statement has a * action or applies to every resource', () => {
    for (const [name, fn] of Object.entries(allFunctions)) {
      for (const statement of functionStatements(fn.access, arns, join)) {
        expect({ name, actions: statement.actions.filter((a) => a.endsWith('*')) }).toEqual({
          name,
          actions: [],
        });
        expect({ name, resources: statement.resources.filter((r) => r === '*') }).toEqual({
          name,
          resources: [],
        });
      }
    }
  });

  it('reads or writes a table by its level, with its indexes only when it has some', () => {
    // `read` is GetItem and Query; `write` is those and the four writes.
    const reads = ['dynamodb:GetItem', 'dynamodb:Query'];
    expect(functionStatements({ tables: { Sessions: 'read', Locks: 'write' } }, arns, join)).toEqual([
      { actions: reads, resources: [arns.tables.Sessions, `${arns.tables.Sessions}/index/*`] },
      {
        actions: [
          ...reads,
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
        ],
        resources: [arns.tables.Locks],
      },
    ]);
  });

  it('scopes the bucket by prefix: a dataset upload may only put under users/', () => {
    expect(
      statementsOf('route dataset.upload').filter((s) => s.actions.some((a) => a.startsWith('s3:'))),
    ).toEqual([
      { actions: ['s3:ListBucket'], resources: ['arn:aws:s3:::data'] },
      // Reading both to choose an id no sample and no other upload of the user's holds.
      { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::data/samples/*', 'arn:aws:s3:::data/users/*'] },
      { actions: ['s3:PutObject'], resources: ['arn:aws:s3:::data/users/*'] },
    ]);
  });

  it('lets Dispatch write the results it answers inline and the jobs it leaves to the task, nothing else', () => {
    expect(
      statementsOf('step DispatchFunctionArn').filter((s) => s.actions.some((a) => a.startsWith('s3:'))),
    ).toEqual([
      { actions: ['s3:ListBucket'], resources: ['arn:aws:s3:::data'] },
      { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::data/samples/*', 'arn:aws:s3:::data/users/*'] },
      { actions: ['s3:PutObject'], resources: ['arn:aws:s3:::data/jobs/*', 'arn:aws:s3:::data/results/*'] },
    ]);
  });

  it('lets query start and describe runs of this machine, and cancel stop them', () => {
    const states = (name: string) =>
      statementsOf(name).filter((s) => s.actions.some((a) => a.startsWith('states:')));
    expect(states('route query')).toEqual([
      { actions: ['states:StartExecution'], resources: [arns.stateMachine] },
      { actions: ['states:DescribeExecution'], resources: [`${arns.executions}:*`] },
    ]);
    expect(states('route execution.cancel')).toEqual([
      { actions: ['states:StopExecution'], resources: [`${arns.executions}:*`] },
    ]);
  });

  it('names the foundation model, or an inference profile and the models it routes to', () => {
    const arnOf = (p: { service: string; region: string; account: string; resource: string }) =>
      `arn:aws:${p.service}:${p.region === 'this' ? 'us-east-1' : '*'}:${p.account === 'this' ? '1' : ''}:${p.resource}`;
    expect(bedrockModelResources('amazon.nova-pro-v1:0', arnOf)).toEqual([
      'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0',
    ]);
    expect(bedrockModelResources('us.anthropic.claude-sonnet-4-v1:0', arnOf)).toEqual([
      'arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-sonnet-4-v1:0',
      'arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-v1:0',
    ]);
  });

  it("the state machine's and the task's statements name their resources; only the task-token reports, which have no resource types, say *", () => {
    const statements = [
      ...stateMachineStatements(
        {
          stateMachine: arns.stateMachine,
          executions: arns.executions,
          functions: ['arn:fn'],
          taskDefinitions: 'arn:td:*',
          cluster: 'arn:cluster',
          taskRoles: ['arn:role'],
          eventRules: 'arn:aws:events:us-east-1:1:rule/',
        },
        join,
      ),
      ...analysisTaskStatements({ bucket: arns.bucket }, join),
    ];
    const unscoped = statements.filter((statement) => statement.resources.includes('*'));
    expect(unscoped).toEqual([
      {
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resources: ['*'],
      },
    ]);
    for (const statement of statements.filter((s) => !unscoped.includes(s))) {
      expect(statement.resources.length).toBeGreaterThan(0);
      expect(statement.resources).not.toContain('*');
      expect(statement.actions.filter((a) => a.endsWith('*'))).toEqual([]);
    }
  });
});

describe('deploy-time settings', () => {
  it('default to Bedrock with a configurable model, eight steps and 4096 output tokens', () => {
    expect(agentSettings({})).toEqual({
      provider: 'bedrock',
      modelId: 'amazon.nova-pro-v1:0',
      maxSteps: 8,
      maxOutputTokens: 4096,
    });
    expect(
      agentSettings({
        CASCADE_MODEL_ID: 'us.x.y',
        CASCADE_MAX_STEPS: '5',
        CASCADE_MAX_OUTPUT_TOKENS: '8192',
      }),
    ).toEqual({ provider: 'bedrock', modelId: 'us.x.y', maxSteps: 5, maxOutputTokens: 8192 });
    expect(agentSettings({ CASCADE_AGENT_PROVIDER: 'rules' })).toEqual({ provider: 'rules', maxSteps: 8 });
  });

  it('take an OpenAI-compatible endpoint with its model, and never its key', () => {
    const settings = agentSettings({
      CASCADE_AGENT_PROVIDER: 'openai',
      CASCADE_MODEL_BASE_URL: 'http://10.0.0.5:8000/v1',
      CASCADE_MODEL_ID: 'qwen2.5-7b',
      CASCADE_MODEL_API_KEY: 'sk-secret',
    });
    expect(settings).toEqual({
      provider: 'openai',
      baseUrl: 'http://10.0.0.5:8000/v1',
      modelId: 'qwen2.5-7b',
      maxSteps: 8,
      maxOutputTokens: 4096,
    });
    // The Agent link's properties are plain configuration in the function's environment.
    expect(JSON.stringify(settings)).not.toContain('sk-secret');
  });

  it('refuse an unknown provider, a missing endpoint or model, and limits out of range, naming the variable', () => {
    expect(() => agentSettings({ CASCADE_AGENT_PROVIDER: 'gpt' })).toThrow(
      'CASCADE_AGENT_PROVIDER must be one of rules, bedrock, openai, not "gpt".',
    );
    expect(() => agentSettings({ CASCADE_AGENT_PROVIDER: 'openai', CASCADE_MODEL_ID: 'm' })).toThrow(
      'needs CASCADE_MODEL_BASE_URL',
    );
    expect(() =>
      agentSettings({ CASCADE_AGENT_PROVIDER: 'openai', CASCADE_MODEL_BASE_URL: 'localhost:11434' }),
    ).toThrow('must be an http(s) URL');
    expect(() =>
      agentSettings({
        CASCADE_AGENT_PROVIDER: 'openai',
        CASCADE_MODEL_BASE_URL: 'http://127.0.0.1:11434/v1',
      }),
    ).toThrow('needs CASCADE_MODEL_ID');
    expect(() => agentSettings({ CASCADE_MAX_STEPS: '0' })).toThrow('from 1 to 20');
    expect(() => agentSettings({ CASCADE_MAX_STEPS: 'many' })).toThrow('from 1 to 20');
    expect(() => agentSettings({ CASCADE_MAX_OUTPUT_TOKENS: '10' })).toThrow(
      'CASCADE_MAX_OUTPUT_TOKENS must be an integer from 256 to 128000',
    );
  });
});

describe('sign-up, protection and email settings', () => {
  it('protect the stage named production only, unless CASCADE_PROTECT says otherwise', () => {
    expect(protectedStage('production', {})).toBe(true);
    expect(protectedStage('prod', {})).toBe(false);
    expect(protectedStage(undefined, {})).toBe(false);
    expect(protectedStage('production', { CASCADE_PROTECT: 'false' })).toBe(false);
    expect(protectedStage('staging', { CASCADE_PROTECT: 'True' })).toBe(true);
    expect(() => protectedStage('staging', { CASCADE_PROTECT: '1' })).toThrow(
      'CASCADE_PROTECT must be true or false, not "1".',
    );
  });

  it('make a protected stage invite-only and any other open, unless CASCADE_SIGNUP says otherwise', () => {
    expect(signUpPolicy(true, {})).toEqual({ mode: 'invite' });
    expect(signUpPolicy(false, {})).toEqual({ mode: 'open' });
    expect(signUpPolicy(true, { CASCADE_SIGNUP: 'open' })).toEqual({ mode: 'open' });
    expect(signUpPolicy(false, { CASCADE_SIGNUP: 'domains:example.com' })).toEqual({
      mode: 'domains',
      domains: ['example.com'],
    });
  });

  it('give the pre-sign-up trigger its domains and nothing else: no table, no statement', () => {
    expect(linksOf(preSignUp.access)).toEqual(['SignUp']);
    expect(functionStatements(preSignUp.access, arns, join)).toEqual([]);
  });

  it("send Cognito's email through an SES identity that covers the From address, or leave Cognito's sender", () => {
    const identity = (name: string) => `arn:aws:ses:eu-west-1:123456789012:identity/${name}`;
    expect(cognitoEmail({})).toBeUndefined();
    expect(
      cognitoEmail({
        CASCADE_SES_FROM: 'no-reply@example.com',
        CASCADE_SES_IDENTITY_ARN: identity('example.com'),
      }),
    ).toEqual({ from: 'no-reply@example.com', identityArn: identity('example.com') });
    expect(
      cognitoEmail({
        CASCADE_SES_FROM: 'Cascade <No-Reply@Example.com>',
        CASCADE_SES_IDENTITY_ARN: identity('no-reply@example.com'),
      }),
    ).toEqual({ from: 'Cascade <No-Reply@Example.com>', identityArn: identity('no-reply@example.com') });
    expect(() => cognitoEmail({ CASCADE_SES_IDENTITY_ARN: identity('example.com') })).toThrow('go together');
    expect(() =>
      cognitoEmail({ CASCADE_SES_FROM: 'Cascade', CASCADE_SES_IDENTITY_ARN: identity('example.com') }),
    ).toThrow('CASCADE_SES_FROM must be an email address');
    expect(() =>
      cognitoEmail({ CASCADE_SES_FROM: 'a@example.com', CASCADE_SES_IDENTITY_ARN: 'example.com' }),
    ).toThrow("CASCADE_SES_IDENTITY_ARN must be an SES identity's ARN");
    // A verified domain sends for its subdomains too, not for a domain that merely ends like it.
    expect(
      cognitoEmail({
        CASCADE_SES_FROM: 'a@mail.example.com',
        CASCADE_SES_IDENTITY_ARN: identity('example.com'),
      }),
    ).toMatchObject({ from: 'a@mail.example.com' });
    expect(() =>
      cognitoEmail({
        CASCADE_SES_FROM: 'a@notexample.com',
        CASCADE_SES_IDENTITY_ARN: identity('example.com'),
      }),
    ).toThrow('does not cover');
    expect(() =>
      cognitoEmail({
        CASCADE_SES_FROM: 'b@example.com',
        CASCADE_SES_IDENTITY_ARN: identity('a@example.com'),
      }),
    ).toThrow('does not cover');
  });
});

describe("a deployed model step's endpoint", () => {
  it('is the host and port of the base URL, the port implied by the scheme when not written', () => {
    expect(modelEndpoint('https://api.openai.com/v1')).toEqual({ host: 'api.openai.com', port: 443 });
    expect(modelEndpoint('http://Models.Internal:8000/v1')).toEqual({ host: 'models.internal', port: 8000 });
    expect(modelEndpoint('http://gpu-box/v1')).toEqual({ host: 'gpu-box', port: 80 });
    expect(modelEndpoint('http://10.0.0.5:8000/v1')).toEqual({
      host: '10.0.0.5',
      port: 8000,
      address: '10.0.0.5',
    });
  });

  it('refuses an endpoint on the deploying machine, or an IPv6 one, with a sentence', () => {
    for (const url of ['http://127.0.0.1:11434/v1', 'http://localhost:11434/v1', 'http://[::1]:8000/v1'])
      expect(() => modelEndpoint(url), url).toThrow('a deployed function cannot reach it');
    expect(() => modelEndpoint('http://[fd00::5]:8000/v1')).toThrow("the stage's VPC is IPv4 only");
  });
});

describe('alarm settings', () => {
  it('subscribe CASCADE_ALARM_EMAIL to the alarms, or nobody when unset, and refuse anything but one address', () => {
    expect(alarmEmail({})).toBeUndefined();
    expect(alarmEmail({ CASCADE_ALARM_EMAIL: ' oncall@example.com ' })).toBe('oncall@example.com');
    expect(() => alarmEmail({ CASCADE_ALARM_EMAIL: 'a@example.com,b@example.com' })).toThrow(
      'CASCADE_ALARM_EMAIL must be one email address',
    );
    expect(() => alarmEmail({ CASCADE_ALARM_EMAIL: 'oncall' })).toThrow(
      'CASCADE_ALARM_EMAIL must be one email address',
    );
  });
});

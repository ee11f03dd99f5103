import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientActions, DataDictionary } from '@cascade/core';
import { dictionaryKey, sampleKey } from '@cascade/core/bucket';
import { placeholdersIn } from '@cascade/core/orchestration/definition';
import { tables } from '@cascade/core/tables';
import {
  admin,
  allFunctions,
  authorizer,
  executionEnded,
  type LambdaDefinition,
  linksOf,
  type Placeholder,
  preSignUp,
  routes,
  stepFunctions,
} from '@cascade/functions/definitions';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineVersion, queryChildFile } from '../../scripts/build-engine-layer.mjs';
import { bundling, engineBundling } from '../../stacks/functions';
import { stateMachineObservabilityStatements } from '../../stacks/permissions';
import { samplesDirectory } from '../../stacks/settings';
import asl from '../../statemachines/agent.asl.json';
import { root } from './platform';
import {
  type IamStatement,
  query,
  type Synthesis,
  type SynthesizedResource,
  synthesize,
} from './synth/synthesize';

/**
 * The whole SST app, synthesized offline under Pulumi's mocks: what these tests read is what
 * `sst deploy` would ask Pulumi to create. Only AWS itself (accepting and running it) is left.
 */
let synthesis: Synthesis;
let q: ReturnType<typeof query>;
beforeAll(async () => {
  synthesis = await synthesize();
  q = query(synthesis);
}, 180_000);

const inputs = <T>(resource: SynthesizedResource) => resource.inputs as T;

/** The analysis task's reports through its task token: IAM matches them only against *. */
const taskTokenReports = ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'];

/** What every function sends its X-Ray trace with: IAM matches these only against * too. */
const functionTraceWrites = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

/**
 * The only statements that may apply to every resource (*): actions without resource types in
 * the Service Authorization Reference (permissions.ts cites it for each).
 */
const unscopedActions = [
  ...taskTokenReports,
  ...functionTraceWrites,
  ...stateMachineObservabilityStatements.flatMap((statement) => statement.actions),
];

/** What this stage deploys: every function but the pre-sign-up trigger, which CASCADE_SIGNUP=domains:… adds (sign-up.test.ts). */
const deployed: Record<string, LambdaDefinition> = Object.fromEntries(
  Object.entries(allFunctions).filter(([, definition]) => definition !== preSignUp),
);

/** The SST function (and its role) a definition was deployed as, found by its handler. */
function deployedFunction(handler: string) {
  const build = synthesis.builds.find((b) => b.handler === handler);
  if (!build) throw new Error(`No function was built for ${handler}`);
  return { ...build, role: q.named('aws:iam/role:Role', `${build.functionID}Role`) };
}

describe('the WebSocket API', () => {
  it('has a route for $connect, $disconnect, $default and every protocol action, and no other', () => {
    const routeKeys = q
      .ofType('aws:apigatewayv2/route:Route')
      .map((r) => inputs<{ routeKey: string }>(r).routeKey);
    expect(routeKeys.sort()).toEqual(['$connect', '$disconnect', '$default', ...clientActions].sort());
  });

  it('authorizes $connect only, with the Lambda REQUEST authorizer, called on every connect', () => {
    const [cognito, ...others] = q.ofType('aws:apigatewayv2/authorizer:Authorizer');
    expect(others).toEqual([]);
    // No identity source: `?token=` or `?apiKey=` may carry the credential, and nothing is cached.
    expect(cognito!.inputs).toMatchObject({ authorizerType: 'REQUEST', identitySources: [] });
    const authorizerFunction = deployedFunction(authorizer.handler);
    expect(cognito!.inputs.authorizerUri).toContain(
      `:function:cascade-ci-${authorizerFunction.functionID}Function-`,
    );
    for (const route of q.ofType('aws:apigatewayv2/route:Route')) {
      const { routeKey, authorizationType, authorizerId } = inputs<Record<string, string>>(route);
      if (routeKey === '$connect') {
        expect(authorizationType).toBe('CUSTOM');
        expect(authorizerId).toBe(`${cognito!.name.toLowerCase()}-id`);
      } else {
        expect({ routeKey, authorizationType }).toEqual({ routeKey, authorizationType: 'NONE' });
      }
    }
  });

  it("sends each route to its own function, running the action's handler module", () => {
    for (const [routeKey, definition] of Object.entries(routes)) {
      const fn = deployedFunction(definition.handler);
      const route = q
        .ofType('aws:apigatewayv2/route:Route')
        .find((r) => inputs<{ routeKey: string }>(r).routeKey === routeKey)!;
      const integration = q.named(
        'aws:apigatewayv2/integration:Integration',
        route.name.replace(/Route$/, 'Integration'),
      );
      expect(integration.inputs.integrationUri).toContain(`function:cascade-ci-${fn.functionID}Function-`);
    }
  });
});

describe('the tables', () => {
  it("are the six of core's definitions, with their keys, indexes and TTL", () => {
    const deployed = q.ofType('aws:dynamodb/table:Table');
    expect(deployed.map((t) => t.name).sort()).toEqual(
      Object.values(tables)
        .map((t) => `${t.name}Table`)
        .sort(),
    );
    for (const table of Object.values(tables)) {
      const { hashKey, rangeKey, globalSecondaryIndexes, ttl, billingMode } = inputs<{
        hashKey: string;
        rangeKey?: string;
        globalSecondaryIndexes: {
          name: string;
          hashKey: string;
          rangeKey?: string;
          projectionType: string;
        }[];
        ttl?: { attributeName: string; enabled: boolean };
        billingMode: string;
      }>(q.named('aws:dynamodb/table:Table', `${table.name}Table`));
      expect({ table: table.name, hashKey, rangeKey }).toEqual({
        table: table.name,
        hashKey: table.partitionKey.name,
        rangeKey: 'sortKey' in table ? table.sortKey.name : undefined,
      });
      expect(billingMode).toBe('PAY_PER_REQUEST');
      expect(globalSecondaryIndexes).toEqual(
        table.indexes.map((index) => ({
          name: index.name,
          hashKey: index.partitionKey.name,
          ...('sortKey' in index && index.sortKey && { rangeKey: index.sortKey.name }),
          projectionType: 'ALL',
        })),
      );
      expect(ttl).toEqual(
        'ttlAttribute' in table ? { attributeName: table.ttlAttribute, enabled: true } : undefined,
      );
    }
  });
});

describe('the functions', () => {
  const lambda = (handler: string) =>
    q.named('aws:lambda/function:Function', `${deployedFunction(handler).functionID}Function`);
  const layer = () => q.named('aws:lambda/layerVersion:LayerVersion', 'EngineLayer');
  const seconds = (timeout: string) => Number.parseInt(timeout, 10) * (timeout.includes('minute') ? 60 : 1);
  // The mock gives a layer version the ARN AWS would: `…:layer:<name>:<version>`.
  const engineLayerArn = 'arn:aws:lambda:us-east-1:123456789012:layer:cascade-ci-engine:1';

  it('each runs on the runtime, memory, timeout and architecture of its definition', () => {
    for (const [name, definition] of Object.entries(deployed)) {
      const { runtime, memorySize, timeout, architectures, layers, environment } = lambda(
        definition.handler,
      ).inputs;
      const queryChild = (environment as { variables?: Record<string, string> } | undefined)?.variables
        ?.CASCADE_QUERY_CHILD_SCRIPT;
      expect({ name, runtime, memorySize, timeout, architectures, layers, queryChild }).toEqual({
        name,
        runtime: bundling.runtime,
        memorySize: Number.parseInt(definition.memory, 10),
        timeout: seconds(definition.timeout),
        architectures: [definition.engine ? engineBundling.architecture : bundling.architecture],
        // Only a function that runs the engine has a layer: the engine layer's version, and is told
        // where in it the query's process is.
        layers: definition.engine ? [engineLayerArn] : undefined,
        queryChild: definition.engine ? engineBundling.environment.CASCADE_QUERY_CHILD_SCRIPT : undefined,
      });
    }
  });

  it('only Dispatch runs the analysis engine: x86-64, 2048 MB, with the engine layer', () => {
    const engines = Object.entries(deployed).filter(([, definition]) => definition.engine);
    expect(engines.map(([name]) => name)).toEqual(['step DispatchFunctionArn']);
    expect(lambda(stepFunctions.DispatchFunctionArn.handler).inputs).toMatchObject({
      architectures: ['x86_64'],
      memorySize: 2048,
      layers: [engineLayerArn],
      environment: { variables: { CASCADE_QUERY_CHILD_SCRIPT: '/opt/nodejs/cascade/query-child.mjs' } },
    });
  });

  it('each is bundled as the bundle tests bundle it: esm, minified, DuckDB left to the layer only where it runs', () => {
    for (const [name, definition] of Object.entries(deployed)) {
      const { runtime, properties } = deployedFunction(definition.handler);
      expect({ name, runtime, properties }).toEqual({
        name,
        runtime: bundling.runtime,
        properties: {
          format: bundling.format,
          minify: bundling.minify,
          esbuild: {
            external: [...bundling.external, ...(definition.engine ? engineBundling.external : [])],
          },
          architecture: definition.engine ? engineBundling.architecture : bundling.architecture,
        },
      });
    }
  });

  it('each runs with Active X-Ray tracing, its role allowed to send the trace and nothing more of X-Ray', () => {
    for (const [name, definition] of Object.entries(deployed)) {
      const { tracingConfig } = lambda(definition.handler).inputs;
      const xray = q
        .roleStatements(deployedFunction(definition.handler).role)
        .filter((s) => s.Action?.some((action) => action.startsWith('xray:')))
        .map(({ Effect, Action, Resource }) => ({ Effect, Action, Resource }));
      expect({ name, tracingConfig, xray }).toEqual({
        name,
        tracingConfig: { mode: 'Active' },
        xray: [{ Effect: 'Allow', Action: functionTraceWrites, Resource: ['*'] }],
      });
    }
    // Every Lambda function of the app, whatever built it.
    for (const fn of q.ofType('aws:lambda/function:Function'))
      expect({ fn: fn.name, tracingConfig: fn.inputs.tracingConfig }).toEqual({
        fn: fn.name,
        tracingConfig: { mode: 'Active' },
      });
  });

  it('the engine layer is the pinned DuckDB for x86-64, built by scripts/build-engine-layer.mjs where a deploy builds it', () => {
    const { inputs } = layer();
    expect(inputs).toMatchObject({
      layerName: 'cascade-ci-engine',
      compatibleRuntimes: [bundling.runtime],
      compatibleArchitectures: [engineBundling.architecture],
    });
    // The archive is the directory the script built under the app's root (the scratch root links
    // the repository's .sst/layers): `nodejs/node_modules/@duckdb/…` and the query's process the
    // function is told of, which Lambda unpacks in /opt.
    const archive = (inputs.code as { archive: string }).archive;
    expect(archive).toMatch(/\/root\/\.sst\/layers\/engine$/);
    const queryChild = engineBundling.environment.CASCADE_QUERY_CHILD_SCRIPT;
    expect(queryChild).toBe(`/opt/${queryChildFile}`);
    expect(existsSync(join(root, '.sst/layers/engine', queryChildFile))).toBe(true);
    const modules = join(root, '.sst/layers/engine/nodejs/node_modules/@duckdb');
    for (const pkg of ['node-api', 'node-bindings', 'node-bindings-linux-x64'])
      expect(
        (JSON.parse(readFileSync(join(modules, pkg, 'package.json'), 'utf8')) as { version: string }).version,
        pkg,
      ).toBe(engineVersion());
  });
});

describe('the state machine', () => {
  const machine = () => q.named('aws:sfn/stateMachine:StateMachine', 'AgentMachine');

  it('is the ASL file with every placeholder filled by the resource it names', () => {
    const definition = JSON.parse(inputs<{ definition: string }>(machine()).definition);
    expect(placeholdersIn(definition)).toEqual([]);
    const lambdaArn = (handler: string) =>
      `arn:aws:lambda:us-east-1:123456789012:function:${
        q.named('aws:lambda/function:Function', `${deployedFunction(handler).functionID}Function`).inputs.name
      }`;
    const cluster = q.ofType('aws:ecs/cluster:Cluster')[0]!;
    const taskDefinition = q.ofType('aws:ecs/taskDefinition:TaskDefinition')[0]!;
    const expected: Record<Placeholder, unknown> = {
      ...(Object.fromEntries(
        Object.entries(stepFunctions).map(([placeholder, step]) => [placeholder, lambdaArn(step.handler)]),
      ) as Record<keyof typeof stepFunctions, string>),
      ClusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${cluster.inputs.name}`,
      AnalysisTaskDefinitionFamily: taskDefinition.inputs.family,
      AnalysisContainerName: 'Analysis',
      Subnets: q
        .ofType('aws:ec2/subnet:Subnet')
        .filter((s) => s.name.includes('Public'))
        .map((s) => `${s.name.toLowerCase()}-id`),
      SecurityGroups: ['vpcsecuritygroup-id'],
      AssignPublicIp: 'ENABLED',
    };
    // Wherever the file says ${X}, the deployed definition holds X's resource, and nothing else changed.
    const fill = (value: unknown): unknown => {
      if (typeof value === 'string') {
        const whole = /^\$\{(\w+)\}$/.exec(value);
        return whole ? expected[whole[1] as Placeholder] : value;
      }
      if (Array.isArray(value)) return value.map(fill);
      if (value && typeof value === 'object')
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
      return value;
    };
    expect(definition).toEqual(fill(asl));
    expect(placeholdersIn(asl).sort()).toEqual(Object.keys(expected).sort());
  });

  it('is a Standard workflow with a role of its own, which only Step Functions of this account assumes', () => {
    expect(machine().inputs).toMatchObject({ type: 'STANDARD', name: 'cascade-ci-agent' });
    // The mock names raw resources `<lowercased name>-abc123`.
    expect(machine().inputs.roleArn).toBe('arn:aws:iam::123456789012:role/agentmachinerole-abc123');
    const trust = JSON.parse(
      q.named('aws:iam/role:Role', 'AgentMachineRole').inputs.assumeRolePolicy as string,
    );
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Principal: { Service: ['states.amazonaws.com'] },
        Condition: { StringEquals: { 'aws:SourceAccount': ['123456789012'] } },
      },
    ]);
  });

  it('sends runs that FAILED, TIMED_OUT or were ABORTED to execution-ended, for this machine only', () => {
    const rule = q.named('aws:cloudwatch/eventRule:EventRule', 'ExecutionEndedRule');
    expect(JSON.parse(inputs<{ eventPattern: string }>(rule).eventPattern)).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        stateMachineArn: ['arn:aws:states:us-east-1:123456789012:stateMachine:cascade-ci-agent'],
        status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
      },
    });
    const ended = deployedFunction(executionEnded.handler);
    const target = q.named('aws:cloudwatch/eventTarget:EventTarget', 'ExecutionEndedTarget');
    expect(target.inputs.arn).toContain(`function:cascade-ci-${ended.functionID}Function-`);
    expect(q.named('aws:lambda/permission:Permission', 'ExecutionEndedPermission').inputs).toMatchObject({
      principal: 'events.amazonaws.com',
      action: 'lambda:InvokeFunction',
    });
  });
});

describe('least privilege', () => {
  const roles = () => q.ofType('aws:iam/role:Role');
  const isWildcardAction = (action: string) => action === '*' || action.endsWith(':*');

  it('no role statement grants a * action, and only actions without resource types (task-token reports, logs, X-Ray) apply to every resource', () => {
    const statements = roles().flatMap((role) =>
      q.roleStatements(role).map((statement) => ({ role: role.name, ...statement })),
    );
    expect(statements.length).toBeGreaterThan(50);
    for (const { role, Action = [], Resource = [] } of statements) {
      expect({ role, wildcardActions: Action.filter(isWildcardAction) }).toEqual({
        role,
        wildcardActions: [],
      });
      if (Action.every((action) => unscopedActions.includes(action))) continue;
      expect({ role, everyResource: Resource.filter((r) => r === '*') }).toEqual({ role, everyResource: [] });
    }
    expect(
      statements
        .filter(({ Resource = [] }) => Resource.includes('*'))
        .map(({ role, Action }) => ({ role, Action })),
    ).toHaveLength(3 + Object.keys(deployed).length);
    expect(
      statements
        .filter(({ Resource = [] }) => Resource.includes('*'))
        .map(({ role, Action }) => ({ role, Action })),
    ).toEqual(
      expect.arrayContaining([
        { role: 'AgentMachineRole', Action: stateMachineObservabilityStatements[0]!.actions },
        { role: 'AgentMachineRole', Action: stateMachineObservabilityStatements[1]!.actions },
        { role: 'AnalysisTaskRole', Action: taskTokenReports },
        ...Object.values(deployed).map((definition) => ({
          role: deployedFunction(definition.handler).role.name,
          Action: functionTraceWrites,
        })),
      ]),
    );
  });

  it('roles use only the AWS managed policies for logging and pulling the task image', () => {
    const managed = new Set(
      roles().flatMap((role) => (role.inputs.managedPolicyArns as string[] | undefined) ?? []),
    );
    expect([...managed].sort()).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
      'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
    ]);
  });

  it('bucket policies allow nothing to everyone', () => {
    for (const policy of q.ofType('aws:s3/bucketPolicy:BucketPolicy')) {
      const statements = (JSON.parse(policy.inputs.policy as string) as { Statement: IamStatement[] })
        .Statement;
      for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
        expect(JSON.stringify(statement.Principal)).not.toContain('"*"');
        expect(statement.Action ?? []).not.toContain('s3:*');
      }
    }
  });

  it('each function is linked to exactly the resources its access names', () => {
    for (const [name, definition] of Object.entries(deployed)) {
      const fn = deployedFunction(definition.handler);
      expect({ name, links: Object.keys(fn.links).sort() }).toEqual({
        name,
        links: linksOf(definition.access),
      });
    }
  });

  it('only query and execution.cancel touch the state machine: start + describe, and stop', () => {
    const touching = Object.entries(deployed).flatMap(([name, definition]) => {
      const actions = q
        .roleStatements(deployedFunction(definition.handler).role)
        .flatMap((s) => (s.Action ?? []).filter((a) => a.startsWith('states:')).map((a) => [a, s.Resource]));
      return actions.length > 0 ? [[name, Object.fromEntries(actions)]] : [];
    });
    expect(Object.fromEntries(touching)).toEqual({
      'route query': {
        'states:StartExecution': ['arn:aws:states:us-east-1:123456789012:stateMachine:cascade-ci-agent'],
        'states:DescribeExecution': ['arn:aws:states:us-east-1:123456789012:execution:cascade-ci-agent:*'],
      },
      'route execution.cancel': {
        'states:StopExecution': ['arn:aws:states:us-east-1:123456789012:execution:cascade-ci-agent:*'],
      },
    });
  });

  it("functions that notify may only POST to this API's connections; only those that end access may close one", () => {
    const connections = (method: string) =>
      `arn:aws:execute-api:us-east-1:123456789012:wsapi123/*/${method}/@connections/*`;
    const closers: string[] = [];
    for (const [name, definition] of Object.entries(deployed)) {
      const manage = q
        .roleStatements(deployedFunction(definition.handler).role)
        .filter((s) => s.Action?.includes('execute-api:ManageConnections'));
      const expected = [
        ...(definition.access.notify ? [[connections('POST')]] : []),
        ...(definition.access.disconnect ? [[connections('DELETE')]] : []),
      ];
      expect({ name, manage: manage.map((s) => s.Resource) }).toEqual({ name, manage: expected });
      if (definition.access.disconnect) closers.push(name);
    }
    expect(closers.sort()).toEqual(['admin', 'route key.revoke', 'route signout.everywhere']);
  });

  it('the revocation record is written only by signout.everywhere and the admin function, read by the authorizer', () => {
    const onTable = (name: string) =>
      q
        .roleStatements(deployedFunction(deployed[name]!.handler).role)
        .filter((s) => [s.Resource].flat().some((r) => /:table\/[^/]*Revocations/i.test(String(r))))
        .flatMap((s) => s.Action ?? []);
    const writers = Object.keys(deployed).filter((name) => onTable(name).includes('dynamodb:UpdateItem'));
    const readers = Object.keys(deployed).filter((name) => onTable(name).includes('dynamodb:GetItem'));
    expect(writers.sort()).toEqual(['admin', 'route signout.everywhere']);
    expect(readers.sort()).toEqual(['admin', 'authorizer', 'route signout.everywhere']);
  });

  it('only the admin function may look users up; it and signout.everywhere may end their sign-ins', () => {
    const cognito = Object.entries(deployed)
      .map(([name, definition]) => ({
        name,
        actions: q
          .roleStatements(deployedFunction(definition.handler).role)
          .flatMap((s) => s.Action ?? [])
          .filter((a) => a.startsWith('cognito-idp:'))
          .sort(),
      }))
      .filter((f) => f.actions.length > 0);
    expect(cognito).toEqual([
      { name: 'route signout.everywhere', actions: ['cognito-idp:AdminUserGlobalSignOut'] },
      { name: 'admin', actions: ['cognito-idp:AdminGetUser', 'cognito-idp:AdminUserGlobalSignOut'] },
    ]);
  });

  it('the model is invoked by InvokeModel only, on the configured model', () => {
    const invoking = Object.entries(deployed).filter(([, definition]) =>
      q
        .roleStatements(deployedFunction(definition.handler).role)
        .some((s) => s.Action?.some((a) => a.startsWith('bedrock:'))),
    );
    expect(invoking.map(([name]) => name)).toEqual(['step InvokeModelFunctionArn']);
    const [statement] = q
      .roleStatements(deployedFunction(stepFunctions.InvokeModelFunctionArn.handler).role)
      .filter((s) => s.Action?.includes('bedrock:InvokeModel'));
    expect(statement!.Resource).toEqual(['arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0']);
  });

  it("the state machine's role invokes its six functions, runs its task and its Map's child executions, logs and traces", () => {
    const statements = q.roleStatements(q.named('aws:iam/role:Role', 'AgentMachineRole'));
    const byAction = Object.fromEntries(statements.flatMap((s) => (s.Action ?? []).map((a) => [a, s])));
    expect(Object.keys(byAction).sort()).toEqual(
      [
        ...stateMachineObservabilityStatements.flatMap((s) => s.actions),
        'ecs:RunTask',
        'events:DescribeRule',
        'events:PutRule',
        'events:PutTargets',
        'iam:PassRole',
        'lambda:InvokeFunction',
        'states:DescribeExecution',
        'states:StartExecution',
        'states:StopExecution',
      ].sort(),
    );
    const stepNames = Object.values(stepFunctions).map(
      (s) =>
        q.named('aws:lambda/function:Function', `${deployedFunction(s.handler).functionID}Function`).inputs
          .name,
    );
    expect(byAction['lambda:InvokeFunction']!.Resource).toHaveLength(2 * stepNames.length);
    for (const name of stepNames)
      expect(byAction['lambda:InvokeFunction']!.Resource).toContain(
        `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
      );
    expect(byAction['states:StartExecution']!.Resource).toEqual([
      'arn:aws:states:us-east-1:123456789012:stateMachine:cascade-ci-agent',
    ]);
    expect(byAction['states:StopExecution']!.Resource).toEqual([
      'arn:aws:states:us-east-1:123456789012:execution:cascade-ci-agent/*',
    ]);
    // Every revision of the family: a run that starts its task during a deploy is not denied.
    const family = q.ofType('aws:ecs/taskDefinition:TaskDefinition')[0]!.inputs.family as string;
    expect(byAction['ecs:RunTask']!.Resource).toEqual([
      `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:*`,
    ]);
    expect(byAction['ecs:RunTask']!.Condition).toEqual({
      ArnEquals: { 'ecs:cluster': [expect.stringContaining(':cluster/cascade-ci-ClusterCluster-')] },
    });
    expect(byAction['iam:PassRole']!.Resource).toEqual([
      expect.stringContaining(':role/cascade-ci-AnalysisTaskRole-'),
      expect.stringContaining(':role/cascade-ci-AnalysisExecutionRole-'),
    ]);
  });

  it('the analysis task reads its job and the data, writes results, and answers its task token', () => {
    const statements = q.roleStatements(q.named('aws:iam/role:Role', 'AnalysisTaskRole'));
    const bucket = q.named('aws:s3/bucket:Bucket', 'DatasetsBucket').inputs.bucket as string;
    expect(statements.map(({ Action, Resource }) => ({ Action, Resource }))).toEqual([
      {
        Action: ['s3:GetObject'],
        Resource: ['jobs', 'samples', 'users'].map((p) => `arn:aws:s3:::${bucket}/${p}/*`),
      },
      { Action: ['s3:PutObject'], Resource: [`arn:aws:s3:::${bucket}/results/*`] },
      {
        Action: taskTokenReports,
        // No resource types in the Service Authorization Reference: IAM matches them only against *.
        Resource: ['*'],
      },
    ]);
    expect(q.roleStatements(q.named('aws:iam/role:Role', 'AnalysisExecutionRole'))).toEqual([]);
  });

  it('the analysis task accepts no connections and may only open HTTPS ones', () => {
    expect(
      q.named('aws:ec2/defaultSecurityGroup:DefaultSecurityGroup', 'VpcSecurityGroup').inputs,
    ).toMatchObject({
      ingress: [],
      egress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] }],
    });
  });
});

describe('sign-in, data and the web client', () => {
  it('the web client signs in with USER_PASSWORD_AUTH and refreshes, without SRP or a secret', () => {
    const [client] = q.ofType('aws:cognito/userPoolClient:UserPoolClient');
    expect(client!.inputs).toMatchObject({
      explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      generateSecret: false,
      preventUserExistenceErrors: 'ENABLED',
      writeAttributes: ['email'],
    });
    const [pool] = q.ofType('aws:cognito/userPool:UserPool');
    expect(pool!.inputs).toMatchObject({ usernameAttributes: ['email'] });
  });

  it('a stage that is not production is open to sign-up and unprotected by default', () => {
    const [pool] = q.ofType('aws:cognito/userPool:UserPool');
    expect(pool!.inputs).toMatchObject({
      adminCreateUserConfig: { allowAdminCreateUserOnly: false },
      deletionProtection: 'INACTIVE',
      emailConfiguration: { emailSendingAccount: 'COGNITO_DEFAULT' },
    });
    expect(pool!.inputs.lambdaConfig).toBeUndefined();
    expect(synthesis.builds.map((b) => b.handler)).not.toContain(preSignUp.handler);
    expect(synthesis.outputs!.signUp).toBe('open');
    expect(synthesis.app).toMatchObject({ protect: false, removal: 'remove' });
    for (const table of q.ofType('aws:dynamodb/table:Table'))
      expect(table.inputs.deletionProtectionEnabled, table.name).toBe(false);
  });

  it("the authorizer's Auth link carries the pool's issuer and the web client's id", () => {
    // `type` is what SST reads from the URN, whose form differs under the mocks.
    const links = deployedFunction(authorizer.handler).links;
    expect(Object.keys(links).sort()).toEqual(['ApiKeys', 'Auth', 'Revocations']);
    expect(links.Auth).toEqual({
      type: expect.stringMatching(/sst\.sst\.Linkable$/),
      issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool12345',
      clientId: synthesis.outputs!.userPoolClient,
    });
  });

  it("the admin function's Directory link names the user pool, and the deploy outputs the function's name", () => {
    expect(deployedFunction(admin.handler).links.Directory).toEqual({
      type: expect.stringMatching(/sst\.sst\.Linkable$/),
      userPoolId: 'us-east-1_Pool12345',
    });
    expect(synthesis.outputs!.adminFunction).toEqual(expect.stringMatching(/Admin/));
  });

  it('the agent link carries the provider, the model and the budgets, and no key unless one is asked for', () => {
    const links = deployedFunction(stepFunctions.InvokeModelFunctionArn.handler).links;
    expect(links.Agent).toEqual({
      type: expect.stringMatching(/sst\.sst\.Linkable$/),
      provider: 'bedrock',
      modelId: 'amazon.nova-pro-v1:0',
      maxSteps: 8,
      maxOutputTokens: 4096,
    });
    expect(links).not.toHaveProperty('ModelApiKey');
  });

  it('the data bucket takes presigned PUTs from the web origin only, keeps replaced uploads 30 days, and expires jobs and results', () => {
    const cors = q.named('aws:s3/bucketCorsConfiguration:BucketCorsConfiguration', 'DatasetsUploadCors');
    expect(cors.inputs.corsRules).toEqual([
      {
        allowedMethods: ['PUT'],
        allowedOrigins: [synthesis.outputs!.web],
        allowedHeaders: ['content-type'],
        exposeHeaders: ['ETag'],
        maxAgeSeconds: 3600,
      },
    ]);
    expect(
      q.ofType('aws:s3/bucketCorsConfiguration:BucketCorsConfiguration').map((c) => c.name),
    ).not.toContain('DatasetsCors');
    expect(
      q.named('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration', 'DatasetsLifecycle').inputs
        .rules,
    ).toEqual([
      { id: 'expire-jobs', status: 'Enabled', filter: { prefix: 'jobs/' }, expiration: { days: 7 } },
      { id: 'expire-results', status: 'Enabled', filter: { prefix: 'results/' }, expiration: { days: 30 } },
      {
        id: 'expire-replaced-versions',
        status: 'Enabled',
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 30 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
    ]);
    expect(
      q.named('aws:s3/bucketVersioning:BucketVersioning', 'DatasetsVersioning').inputs
        .versioningConfiguration,
    ).toEqual({ status: 'Enabled' });
  });

  it("seeds samples/ with every dataset of the analysis package's catalog, with its metadata", () => {
    const catalogPath = join(root, samplesDirectory, 'catalog.json');
    const catalog = existsSync(catalogPath)
      ? (JSON.parse(readFileSync(catalogPath, 'utf8')) as {
          file: string;
          title: string;
          rows: number;
          columns: number;
        }[])
      : [];
    const seeded = q
      .ofType('aws:s3/bucketObjectv2:BucketObjectv2')
      .filter((o) => String(o.inputs.key).startsWith('samples/'));
    expect(seeded.map((o) => o.inputs).filter((o) => o.contentType === 'text/csv')).toEqual(
      catalog.map((entry) =>
        expect.objectContaining({
          key: `samples/${entry.file}`,
          contentType: 'text/csv',
          source: { asset: `${samplesDirectory}/${entry.file}` },
          metadata: { title: entry.title, rows: String(entry.rows), columns: String(entry.columns) },
        }),
      ),
    );
    // Beside each sample, its data dictionary (the offline planner reads it), when it has one.
    const dictionaries = catalog.filter((entry) =>
      existsSync(join(root, samplesDirectory, `${entry.file}.dictionary.json`)),
    );
    expect(dictionaries.length).toBeGreaterThan(0);
    expect(seeded.map((o) => o.inputs).filter((o) => o.contentType !== 'text/csv')).toEqual(
      dictionaries.map((entry) => ({
        bucket: seeded[0]!.inputs.bucket,
        key: dictionaryKey(sampleKey(entry.file)),
        contentType: 'application/json',
        source: { asset: `${samplesDirectory}/${entry.file}.dictionary.json` },
      })),
    );
    // Each is a dictionary the planner accepts.
    for (const entry of dictionaries)
      DataDictionary.parse(
        JSON.parse(readFileSync(join(root, samplesDirectory, `${entry.file}.dictionary.json`), 'utf8')),
      );
  });

  it('the web build gets the region, user pool, client and WebSocket URL', () => {
    const [builder] = q.ofType('command:local:Command');
    expect(builder!.inputs.environment).toMatchObject({
      VITE_REGION: 'us-east-1',
      VITE_USER_POOL_ID: 'us-east-1_Pool12345',
      VITE_USER_POOL_CLIENT_ID: synthesis.outputs!.userPoolClient,
      VITE_WEBSOCKET_URL: synthesis.outputs!.websocket,
    });
    expect(builder!.inputs.create).toBe('npm run build');
  });
});

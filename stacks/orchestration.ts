import { readFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { type PlaceholderValue, renderStateMachine } from '@cascade/core/orchestration/definition';
import {
  executionEnded,
  type LambdaDefinition,
  type Placeholder,
  type StepPlaceholder,
  stepFunctions,
} from '@cascade/functions/definitions';
import { buildEngineLayer } from '../scripts/build-engine-layer.mjs';
import { bundling, engineBundling } from './functions';
import { type FunctionResources, functionArgs, join } from './lambda';
import { network } from './network';
import {
  analysisTaskStatements,
  bedrockModelResources,
  stateMachineObservabilityStatements,
  stateMachineStatements,
} from './permissions';
import { agentSettings } from './settings';
import type { Storage } from './storage';

/**
 * The agent: its settings, the analysis task on Fargate, the state machine's Lambda tasks, the
 * state machine itself (statemachines/agent.asl.json, JSONPath, so it is deployed with Pulumi's
 * raw resource rather than SST's JSONata-only component) and the rule that settles runs which
 * stop without reaching Finish.
 */

export const aslPath = 'statemachines/agent.asl.json';

export function orchestration(input: {
  storage: Storage;
  /** The resources functions may be linked to (the WebSocket API's included); the agent's own are added here. */
  resources: FunctionResources;
}) {
  const { storage } = input;
  const partition = aws.getPartitionOutput().partition;
  const region = aws.getRegionOutput().region;
  const account = aws.getCallerIdentityOutput().accountId;

  // Known before the state machine exists, so its role can name it (a distributed Map starts
  // child executions of the machine itself).
  const name = `${$app.name}-${$app.stage}-agent`;
  const stateMachineArn = $interpolate`arn:${partition}:states:${region}:${account}:stateMachine:${name}`;
  const executionsArn = $interpolate`arn:${partition}:states:${region}:${account}:execution:${name}`;

  const settings = agentSettings();
  const agent = new sst.Linkable('Agent', { properties: settings });
  const model =
    settings.provider === 'bedrock'
      ? bedrockModelResources<$util.Input<string>>(
          settings.modelId,
          (arn) =>
            $interpolate`arn:${partition}:${arn.service}:${arn.region === 'this' ? region : '*'}:${
              arn.account === 'this' ? account : ''
            }:${arn.resource}`,
        )
      : [];

  // An OpenAI-compatible endpoint's key is a secret (`sst secret set ModelApiKey …`), empty for
  // servers that need none; it reaches only InvokeModel, as a link, never a plain variable.
  const apiKey = settings.provider === 'openai' ? new sst.Secret('ModelApiKey', '') : undefined;

  const resources: FunctionResources = {
    links: { ...input.resources.links, Agent: agent },
    arns: { ...input.resources.arns, model },
    engineLayer: engineLayer().arn,
  };

  const { vpc, modelStep } = network(settings);
  const { task } = analysisTask({ storage, vpc, region });

  /**
   * A step's arguments; the one that calls an OpenAI-compatible endpoint also gets the endpoint's
   * key and runs where it can reach only that endpoint and AWS (network.ts).
   */
  const stepArgs = (definition: LambdaDefinition, resources: FunctionResources): sst.aws.FunctionArgs => {
    const args = functionArgs(definition, resources);
    if (definition.access.agent !== 'model') return args;
    return {
      ...args,
      ...(apiKey && { link: [...((args.link as unknown[]) ?? []), apiKey] }),
      ...(modelStep && { vpc: modelStep }),
    };
  };

  const steps = Object.fromEntries(
    Object.entries(stepFunctions).map(([placeholder, definition]) => [
      placeholder,
      new sst.aws.Function(placeholder.replace(/FunctionArn$/, 'Step'), stepArgs(definition, resources)),
    ]),
  ) as Record<StepPlaceholder, sst.aws.Function>;

  // Every placeholder of the ASL, filled by core's renderStateMachine (which refuses a missing one).
  const placeholderValues: Record<Placeholder, $util.Input<PlaceholderValue>> = {
    ...(Object.fromEntries(Object.entries(steps).map(([placeholder, fn]) => [placeholder, fn.arn])) as Record<
      StepPlaceholder,
      $util.Output<string>
    >),
    ClusterArn: task.cluster,
    // The family, not a revision: RunTask takes its latest ACTIVE revision, so runs in flight
    // during a deploy start the new one instead of being denied the old.
    AnalysisTaskDefinitionFamily: task.nodes.taskDefinition.family,
    AnalysisContainerName: task.containers.apply((names) => names[0]!),
    Subnets: task.subnets.apply((subnets) => subnets as string[]),
    SecurityGroups: task.securityGroups.apply((groups) => groups as string[]),
    AssignPublicIp: task.assignPublicIp.apply((on) => (on ? 'ENABLED' : 'DISABLED')),
  };
  const definition = JSON.parse(readFileSync(aslPath, 'utf8')) as unknown;
  const rendered = $resolve(placeholderValues).apply((values) =>
    JSON.stringify(renderStateMachine(definition, values as Record<Placeholder, PlaceholderValue>)),
  );

  const role = new aws.iam.Role('AgentMachineRole', {
    assumeRolePolicy: aws.iam.getPolicyDocumentOutput({
      statements: [
        {
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['states.amazonaws.com'] }],
          conditions: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [account] }],
        },
      ],
    }).json,
    inlinePolicies: [
      {
        name: 'agent',
        policy: aws.iam.getPolicyDocumentOutput({
          statements: [
            ...stateMachineStatements(
              {
                stateMachine: stateMachineArn,
                executions: executionsArn,
                functions: Object.values(steps).map((fn) => fn.arn),
                taskDefinitions: $interpolate`arn:${partition}:ecs:${region}:${account}:task-definition/${task.nodes.taskDefinition.family}:*`,
                cluster: task.cluster,
                taskRoles: [task.nodes.taskRole.arn, task.nodes.executionRole.arn],
                eventRules: $interpolate`arn:${partition}:events:${region}:${account}:rule/`,
              },
              join,
            ),
            ...stateMachineObservabilityStatements,
          ],
        }).json,
      },
    ],
  });

  // Failed states (their error and cause, without the items' data) go to CloudWatch Logs; every
  // execution, the Map's children included, is traced in X-Ray with the functions it calls.
  const logs = new aws.cloudwatch.LogGroup('AgentMachineLogs', {
    name: `/aws/vendedlogs/states/${name}`,
    retentionInDays: 30,
  });
  const machine = new aws.sfn.StateMachine('AgentMachine', {
    name,
    type: 'STANDARD',
    roleArn: role.arn,
    definition: rendered,
    loggingConfiguration: {
      level: 'ERROR',
      includeExecutionData: false,
      logDestination: $interpolate`${logs.arn}:*`,
    },
    tracingConfiguration: { enabled: true },
  });

  const stateMachine = new sst.Linkable('AgentStateMachine', { properties: { arn: machine.arn } });
  resources.links.AgentStateMachine = stateMachine;
  resources.arns.stateMachine = stateMachineArn;
  resources.arns.executions = executionsArn;

  const ended = settleEndedRuns({ stateMachineArn, resources });

  return { agent, task, steps, machine, stateMachine, placeholderValues, ended, resources };
}

/**
 * The Fargate task that runs heavy analysis. It reads its job and the data and writes its
 * result in the bucket, then reports through the task token; under `sst dev` the same command
 * runs on the developer's machine.
 */
function analysisTask(input: { storage: Storage; vpc: sst.aws.Vpc; region: $util.Output<string> }) {
  const { vpc } = input;
  const cluster = new sst.aws.Cluster('Cluster', { vpc });

  const statements = analysisTaskStatements({ bucket: input.storage.bucket.arn }, join);
  const policy = aws.iam.getPolicyDocumentOutput({ statements }).json;

  const task = new sst.aws.Task('Analysis', {
    cluster,
    // DuckDB's native library is built for linux-x64; the image is built for that platform.
    architecture: 'x86_64',
    cpu: '1 vCPU',
    memory: '2 GB',
    image: { context: '.', dockerfile: 'packages/analysis/Dockerfile' },
    environment: { AWS_REGION: input.region, POWERTOOLS_LOG_LEVEL: 'INFO' },
    permissions: statements,
    logging: { retention: '1 month' },
    dev: { command: 'npx cascade-analysis task' },
    transform: {
      // Only Cascade's statements, not the ECS Exec channels SST adds. Under `sst dev` SST's own
      // role stays: its live bridge needs appsync:*.
      ...(!$dev && {
        taskRole: (args: aws.iam.RoleArgs) => {
          args.inlinePolicies = [{ name: 'inline', policy }];
        },
      }),
      // No secrets or parameters to read at start-up.
      executionRole: (args) => {
        args.inlinePolicies = [];
      },
    },
  });
  return { vpc, cluster, task };
}

/** EventBridge → execution-ended for runs of this machine that FAILED, TIMED_OUT or were ABORTED. */
function settleEndedRuns(input: { stateMachineArn: $util.Output<string>; resources: FunctionResources }) {
  const fn = new sst.aws.Function('ExecutionEnded', functionArgs(executionEnded, input.resources));
  const rule = new aws.cloudwatch.EventRule('ExecutionEndedRule', {
    description: 'Cascade: an agent run stopped without reaching Finish',
    eventPattern: $jsonStringify({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { stateMachineArn: [input.stateMachineArn], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
    }),
  });
  new aws.lambda.Permission('ExecutionEndedPermission', {
    action: 'lambda:InvokeFunction',
    function: fn.name,
    principal: 'events.amazonaws.com',
    sourceArn: rule.arn,
  });
  // What EventBridge could not deliver in an hour of retries waits here (14 days) and raises an
  // alarm (monitoring.ts): a run whose end was never recorded keeps its session locked.
  const deadLetters = new aws.sqs.Queue('ExecutionEndedDeadLetters', {
    messageRetentionSeconds: 14 * 24 * 3600,
    sqsManagedSseEnabled: true,
  });
  new aws.sqs.QueuePolicy('ExecutionEndedDeadLettersPolicy', {
    queueUrl: deadLetters.url,
    policy: aws.iam.getPolicyDocumentOutput({
      statements: [
        {
          actions: ['sqs:SendMessage'],
          principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
          resources: [deadLetters.arn],
          conditions: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: [rule.arn] }],
        },
      ],
    }).json,
  });
  new aws.cloudwatch.EventTarget('ExecutionEndedTarget', {
    rule: rule.name,
    arn: fn.arn,
    retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 3600 },
    deadLetterConfig: { arn: deadLetters.arn },
  });
  return { fn, rule, deadLetters };
}

/**
 * DuckDB for the functions that run the analysis engine: the linux-x64 build of the version the
 * analysis package pins, installed by npm at deploy time whatever machine deploys. The root is
 * named: inside the app's bundle the script cannot find the repository from its own location.
 */
function engineLayer() {
  const root = $cli.paths.root;
  return new aws.lambda.LayerVersion('EngineLayer', {
    layerName: `${$app.name}-${$app.stage}-engine`,
    description: 'DuckDB (linux-x64) for the analysis engine',
    code: new $util.asset.FileArchive(buildEngineLayer(joinPath(root, '.sst/layers/engine'), root)),
    compatibleRuntimes: [bundling.runtime],
    compatibleArchitectures: [engineBundling.architecture],
  });
}

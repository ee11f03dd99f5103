import { type BucketPrefix, bucketPrefixes } from '@cascade/core/bucket';
import { tables } from '@cascade/core/tables';
import {
  type Access,
  type CognitoOperation,
  type StateMachineOperation,
  type TableName,
  tablesOf,
} from '@cascade/functions/definitions';

/**
 * Every IAM statement Cascade writes, as plain functions of the resources' ARNs. The stacks call
 * them with Pulumi outputs; the offline tests call them with strings and check each handler's
 * real AWS calls against them. `R` is the ARN type; `join` appends a suffix to an ARN.
 */
export interface Statement<R = string> {
  actions: string[];
  resources: R[];
  conditions?: { test: string; variable: string; values: (R | string)[] }[];
}

export type Join<R> = (arn: R, suffix: string) => R;

export interface AppArns<R> {
  tables: Record<TableName, R>;
  bucket: R;
  /** `arn:…:stateMachine:<name>` */
  stateMachine: R;
  /** `arn:…:execution:<name>`: the state machine's executions are `<this>:<executionName>`. */
  executions: R;
  /** The WebSocket API's execution ARN, `arn:…:execute-api:<region>:<account>:<apiId>`. */
  api: R;
  /** What the model provider may invoke (see bedrockModelResources). */
  model: R[];
  /** `arn:…:cognito-idp:<region>:<account>:userpool/<poolId>` */
  userPool: R;
}

const tableActions = {
  read: ['dynamodb:GetItem', 'dynamodb:Query'],
  write: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
} as const;

const stateMachineActions: Record<StateMachineOperation, string> = {
  start: 'states:StartExecution',
  describe: 'states:DescribeExecution',
  stop: 'states:StopExecution',
};

const cognitoActions: Record<CognitoOperation, string> = {
  find: 'cognito-idp:AdminGetUser',
  signOut: 'cognito-idp:AdminUserGlobalSignOut',
};

const hasIndexes = (name: TableName) =>
  Object.values(tables).some((table) => table.name === name && table.indexes.length > 0);

/** The statements a Lambda function gets for its access, and nothing more. */
export function functionStatements<R>(access: Access, arns: AppArns<R>, join: Join<R>): Statement<R>[] {
  const statements: Statement<R>[] = [];

  for (const [name, level] of Object.entries(tablesOf(access)) as [TableName, 'read' | 'write'][]) {
    const table = arns.tables[name];
    statements.push({
      actions: [...tableActions[level]],
      resources: hasIndexes(name) ? [table, join(table, '/index/*')] : [table],
    });
  }

  const { datasets } = access;
  if (datasets?.list) statements.push({ actions: ['s3:ListBucket'], resources: [arns.bucket] });
  const objects = (prefixes: BucketPrefix[]) => prefixes.map((prefix) => join(arns.bucket, `/${prefix}*`));
  if (datasets?.read?.length)
    statements.push({ actions: ['s3:GetObject'], resources: objects(datasets.read) });
  if (datasets?.write?.length)
    statements.push({ actions: ['s3:PutObject'], resources: objects(datasets.write) });

  const operations = access.stateMachine ?? [];
  if (operations.includes('start'))
    statements.push({ actions: [stateMachineActions.start], resources: [arns.stateMachine] });
  const onExecutions = operations.filter((op) => op !== 'start').map((op) => stateMachineActions[op]);
  if (onExecutions.length > 0)
    statements.push({ actions: onExecutions, resources: [join(arns.executions, ':*')] });

  // PostToConnection and DeleteConnection are separate resources (the method is in the ARN): a
  // notifier can post but not close, and only what ends access can close.
  if (access.notify)
    statements.push({
      actions: ['execute-api:ManageConnections'],
      resources: [join(arns.api, '/*/POST/@connections/*')],
    });
  if (access.disconnect)
    statements.push({
      actions: ['execute-api:ManageConnections'],
      resources: [join(arns.api, '/*/DELETE/@connections/*')],
    });

  if (access.cognito?.length)
    statements.push({
      actions: access.cognito.map((operation) => cognitoActions[operation]),
      resources: [arns.userPool],
    });

  // Converse needs InvokeModel; ConverseStream (the answer streamed as it is written) the streaming one.
  if (access.agent === 'model' && arns.model.length > 0)
    statements.push({
      actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      resources: arns.model,
    });

  return statements;
}

/**
 * What every function needs to send its X-Ray trace (Active tracing, lambda.ts). Neither action
 * has resource types in the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html, "Actions
 * defined by AWS X-Ray": the Resource types column is empty for both), so IAM matches them only
 * against "*". Inline rather than the AWSXRayDaemonWriteAccess managed policy, which adds the
 * sampling-rule reads (GetSamplingRules, GetSamplingTargets, GetSamplingStatisticSummaries): in
 * Lambda the service samples and the X-Ray SDK turns centralized sampling off, so they go unused.
 */
export const functionTracingStatement: Statement<'*'> = {
  actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  resources: ['*'],
};

/** Builds an ARN in this partition: in this region or any, with this account or none. */
export type ArnOf<R> = (parts: {
  service: string;
  region: 'this' | '*';
  account: 'this' | 'none';
  resource: string;
}) => R;

/**
 * What the Bedrock Converse call needs for a model id: a foundation model in this region, or a
 * cross-region inference profile plus the foundation model in every region it routes to.
 */
export function bedrockModelResources<R>(modelId: string, arnOf: ArnOf<R>): R[] {
  const profile = /^(us|eu|apac|jp|au|ca|us-gov|global)\.(.+)$/.exec(modelId);
  if (profile)
    return [
      arnOf({
        service: 'bedrock',
        region: 'this',
        account: 'this',
        resource: `inference-profile/${modelId}`,
      }),
      arnOf({ service: 'bedrock', region: '*', account: 'none', resource: `foundation-model/${profile[2]}` }),
    ];
  return [
    arnOf({ service: 'bedrock', region: 'this', account: 'none', resource: `foundation-model/${modelId}` }),
  ];
}

export interface StateMachineArns<R> {
  stateMachine: R;
  /** `arn:…:execution:<name>`: the distributed Map's child executions are `<this>/<mapRun>:<id>`. */
  executions: R;
  functions: R[];
  /** Every revision of the analysis task's family (`…:task-definition/<family>:*`). */
  taskDefinitions: R;
  cluster: R;
  /** The analysis task's task role and execution role, which RunTask passes to ECS. */
  taskRoles: R[];
  /** `arn:…:events:<region>:<account>:rule/`, where Step Functions keeps its managed ECS rule. */
  eventRules: R;
}

/** The state machine's own role: invoke its functions, run its Map's child executions, run its task. */
export function stateMachineStatements<R>(arns: StateMachineArns<R>, join: Join<R>): Statement<R>[] {
  return [
    {
      actions: ['lambda:InvokeFunction'],
      resources: arns.functions.flatMap((fn) => [fn, join(fn, ':*')]),
    },
    // A distributed Map starts each iteration as a child execution of this same state machine.
    { actions: ['states:StartExecution'], resources: [arns.stateMachine] },
    {
      actions: ['states:DescribeExecution', 'states:StopExecution'],
      resources: [join(arns.executions, '/*')],
    },
    {
      actions: ['ecs:RunTask'],
      resources: [arns.taskDefinitions],
      conditions: [{ test: 'ArnEquals', variable: 'ecs:cluster', values: [arns.cluster] }],
    },
    {
      actions: ['iam:PassRole'],
      resources: arns.taskRoles,
      conditions: [
        { test: 'StringEquals', variable: 'iam:PassedToService', values: ['ecs-tasks.amazonaws.com'] },
      ],
    },
    // The managed rule through which Step Functions follows ECS tasks.
    {
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [join(arns.eventRules, 'StepFunctionsGetEventsForECSTaskRule')],
    },
  ];
}

/**
 * What the state machine needs to log to CloudWatch Logs and trace in X-Ray. Neither set of actions
 * has resource types in the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
 * for the log-delivery actions, …/list_awsx-ray.html for the two X-Ray ones), so IAM matches them
 * only against "*"; this is the policy Step Functions' developer guide gives for both
 * (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html, …/concepts-xray-tracing.html).
 */
export const stateMachineObservabilityStatements: Statement<'*'>[] = [
  {
    actions: [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    resources: ['*'],
  },
  {
    actions: [
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ],
    resources: ['*'],
  },
];

/** The analysis task: read its job and the data, write its result, report through the task token. */
export function analysisTaskStatements<R>(arns: { bucket: R }, join: Join<R>): Statement<R | '*'>[] {
  const objects = (prefixes: BucketPrefix[]) => prefixes.map((prefix) => join(arns.bucket, `/${prefix}*`));
  return [
    {
      actions: ['s3:GetObject'],
      resources: objects([bucketPrefixes.jobs, bucketPrefixes.samples, bucketPrefixes.users]),
    },
    { actions: ['s3:PutObject'], resources: objects([bucketPrefixes.results]) },
    {
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      // These three actions have no resource types and no condition keys in the Service
      // Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html,
      // "Actions defined by AWS Step Functions": the Resource types column is empty for each), so
      // IAM matches them only against "*"; a statement naming the state machine would deny every
      // report. What limits them is the task token itself: only the task that was started with it
      // can name the step it answers.
      resources: ['*'],
    },
  ];
}

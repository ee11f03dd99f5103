import type { BucketPrefix } from '@cascade/core/bucket';
import { type ClientAction, clientActions, routeModule } from '@cascade/core/protocol';
import { type TableKey, tables } from '@cascade/core/tables';
import type { Links } from './resources';

/**
 * Every Lambda function Cascade deploys: its handler, what it may touch, its timeout and memory.
 * Plain data, free of SST globals, so the stacks, the local cloud (LocalStack's init) and the
 * offline tests read this very list: each handler must exist and bundle, and what a handler
 * touches at run time must be what it is granted here. The stacks turn `access` into links
 * (names reach the code) and IAM statements (stacks/permissions.ts); how a function is bundled
 * is stacks/functions.ts's.
 */

export type LinkName = keyof Links;
export type TableName = (typeof tables)[TableKey]['name'];
export type StateMachineOperation = 'start' | 'describe' | 'stop';

/** What a function may touch; nothing else is linked or granted. */
export interface Access {
  /** `read`: GetItem, Query. `write`: also PutItem, UpdateItem, DeleteItem, BatchWriteItem. */
  tables?: Partial<Record<TableName, 'read' | 'write'>>;
  /**
   * `list` allows ListBucket, which a HeadObject existence check needs too: without it S3
   * answers a missing key with 403 instead of 404. `read` and `write` are object prefixes.
   */
  datasets?: { list?: true; read?: BucketPrefix[]; write?: BucketPrefix[] };
  stateMachine?: StateMachineOperation[];
  /** Posts to the user's connections, forgetting (deleting) those that are gone. */
  notify?: true;
  /** Verifies Cognito ID tokens (public keys only; no AWS permission). */
  auth?: true;
  /** The agent's settings; `model` also invokes the Bedrock model. */
  agent?: 'config' | 'model';
  /** Reads the rate limits (core's chat/limits.ts); the counters live in tables it names. */
  limits?: true;
  /** Reads the sign-up policy's allowed email domains (configuration; no AWS permission). */
  signUp?: true;
  /** Closes connections (DeleteConnection), forgetting them in Connections. */
  disconnect?: true;
  /** The user pool's admin API: `find` looks a user up (AdminGetUser), `signOut` ends their refresh tokens. */
  cognito?: CognitoOperation[];
}

export type CognitoOperation = 'find' | 'signOut';

export interface LambdaDefinition {
  /** SST's handler: the file from the repository root, without extension, then the export. */
  handler: string;
  access: Access;
  timeout: `${number} seconds` | `${number} minutes`;
  memory: `${number} MB`;
  /** Runs the analysis engine itself (small datasets): DuckDB's native library comes from the engine layer. */
  engine?: true;
}

const ws = (module: string) => `packages/functions/src/ws/${module}.handler`;
const sfn = (module: string) => `packages/functions/src/sfn/${module}.handler`;

/** A route answers well within API Gateway's integration timeout (core's apiGatewayLimits, 29 s). */
const route = (module: string, access: Access): LambdaDefinition => ({
  handler: ws(module),
  access,
  timeout: '20 seconds',
  memory: '512 MB',
});

/** Each protocol action's route. A new action in the protocol fails the typecheck until it is listed here. */
const actionAccess: Record<ClientAction, Access> = {
  query: {
    tables: { Sessions: 'write', Messages: 'write', Executions: 'write', Items: 'write', Locks: 'write' },
    // Only to check that a named dataset exists before the run is written (a HEAD of a missing
    // object answers 404, not 403, only with ListBucket).
    datasets: { list: true, read: ['samples/', 'users/'] },
    stateMachine: ['start', 'describe'],
    notify: true,
  },
  'sessions.list': { tables: { Sessions: 'read' }, notify: true },
  'session.history': { tables: { Sessions: 'read', Messages: 'read' }, notify: true },
  'execution.get': { tables: { Executions: 'read', Items: 'read' }, notify: true },
  'execution.trace': { tables: { Executions: 'read', Items: 'read' }, notify: true },
  'executions.list': { tables: { Executions: 'read' }, notify: true },
  'execution.cancel': {
    tables: { Executions: 'write', Items: 'read', Messages: 'write', Sessions: 'write', Locks: 'write' },
    stateMachine: ['stop'],
    notify: true,
  },
  'datasets.list': { datasets: { list: true, read: ['samples/', 'users/'] }, notify: true },
  // Reads users/ too: an upload's id must not be another of the user's files (HeadObject, which S3
  // answers with 403 rather than 404 without GetObject on the key).
  'dataset.upload': {
    datasets: { list: true, read: ['samples/', 'users/'], write: ['users/'] },
    notify: true,
  },
  'key.create': { tables: { ApiKeys: 'write' }, notify: true },
  'keys.list': { tables: { ApiKeys: 'read' }, notify: true },
  // Closes the connections the key opened.
  'key.revoke': { tables: { ApiKeys: 'write' }, notify: true, disconnect: true },
  'connections.list': { notify: true },
  'locks.list': { tables: { Sessions: 'read', Locks: 'read' }, notify: true },
  // The only route that writes a revocation record (the admin function is the other writer).
  'signout.everywhere': {
    tables: { Revocations: 'write' },
    cognito: ['signOut'],
    notify: true,
    disconnect: true,
  },
  ping: { notify: true },
};

/** The WebSocket API's routes, keyed by route key: the three built-in ones and one per protocol action. */
export const routes: Record<string, LambdaDefinition> = {
  // $connect caps a user's connections; every message, routed or not, counts towards its connection's rate.
  $connect: route('connect', { tables: { Connections: 'write' }, limits: true }),
  $disconnect: route('disconnect', { tables: { Connections: 'write' } }),
  $default: route('default', { notify: true, limits: true }),
  ...Object.fromEntries(
    clientActions.map((action) => [
      action,
      route(routeModule(action), { ...actionAccess[action], limits: true }),
    ]),
  ),
};

/**
 * The `$connect` authorizer: verifies the Cognito ID token from `?token=` against the user's
 * revocation record, or the API key from `?apiKey=` (recording its use: the key's one write).
 */
export const authorizer: LambdaDefinition = route('authorizer', {
  auth: true,
  tables: { Revocations: 'read', ApiKeys: 'write' },
});

/**
 * What `cascade admin` invokes with the administrator's AWS credentials: cuts a user off at once
 * (revocation record, Cognito global sign-out, connections closed), lifts it, lists and revokes
 * anyone's keys. Invoking it is the administrator's privilege, granted by their own IAM policy.
 */
export const admin: LambdaDefinition = {
  handler: 'packages/functions/src/admin/index.handler',
  access: {
    tables: { Revocations: 'write', ApiKeys: 'write' },
    cognito: ['find', 'signOut'],
    disconnect: true,
  },
  timeout: '30 seconds',
  memory: '512 MB',
};

const step = (module: string, access: Access, timeout: LambdaDefinition['timeout']): LambdaDefinition => ({
  handler: sfn(module),
  access,
  timeout,
  memory: '512 MB',
});

const concludes: Access = {
  tables: { Executions: 'write', Items: 'write', Messages: 'write', Sessions: 'write', Locks: 'write' },
  notify: true,
};

/**
 * The state machine's Lambda tasks, keyed by the ASL placeholder each one fills, each with its
 * module (sfn/<module>.ts). The one list of steps: the stacks, the local cloud and LocalStack's
 * init all read it, and a test holds it to statemachines/agent.asl.json's placeholders. A new
 * step is a Task in the ASL, an entry here and its handler module. Timeouts stay below the Task
 * states' TimeoutSeconds, so Lambda's own timeout is what a slow step hits.
 */
export const stepFunctions = {
  ParseFunctionArn: step(
    'parse',
    {
      tables: { Executions: 'read', Items: 'write', Messages: 'read' },
      datasets: { list: true, read: ['samples/', 'users/'] },
      notify: true,
    },
    '60 seconds',
  ),
  InvokeModelFunctionArn: step(
    'invoke',
    { tables: { Items: 'write', Messages: 'read' }, agent: 'model', notify: true },
    '280 seconds',
  ),
  // Dispatch answers small analyses itself (no Fargate start), so it has the engine and a full vCPU's
  // memory; /tmp keeps its 512 MB: a file of at most 64 MB and a query's 256 MB of spill (sfn/dispatch.ts).
  DispatchFunctionArn: {
    ...step(
      'dispatch',
      {
        tables: { Items: 'write' },
        datasets: { list: true, read: ['samples/', 'users/'], write: ['jobs/', 'results/'] },
        notify: true,
      },
      '60 seconds',
    ),
    memory: '2048 MB',
    engine: true,
  },
  AppendFunctionArn: step(
    'append',
    {
      tables: { Items: 'write', Executions: 'write' },
      datasets: { read: ['results/'] },
      agent: 'config',
      notify: true,
    },
    '60 seconds',
  ),
  RecordFailureFunctionArn: step(
    'record-failure',
    { tables: { Items: 'write', Executions: 'write' }, notify: true },
    '60 seconds',
  ),
  FinishFunctionArn: step('finish', concludes, '100 seconds'),
} satisfies Record<string, LambdaDefinition>;

/** Ends a run that stopped without reaching Finish (FAILED, TIMED_OUT, ABORTED), from EventBridge. */
export const executionEnded: LambdaDefinition = step('execution-ended', concludes, '60 seconds');

/**
 * Cognito's pre-sign-up trigger, deployed only with CASCADE_SIGNUP=domains:…: refuses a self
 * sign-up whose email is at no allowed domain. It touches nothing; Cognito waits 5 s for it.
 */
export const preSignUp: LambdaDefinition = {
  handler: 'packages/functions/src/cognito/pre-sign-up.handler',
  access: { signUp: true },
  timeout: '5 seconds',
  memory: '256 MB',
};

/** The ASL placeholders that are not functions: the analysis task and where it runs. */
const taskPlaceholders = [
  'ClusterArn',
  'AnalysisTaskDefinitionFamily',
  'AnalysisContainerName',
  'Subnets',
  'SecurityGroups',
  'AssignPublicIp',
] as const;

export type StepPlaceholder = keyof typeof stepFunctions;

/** Every placeholder each mode fills in statemachines/agent.asl.json. */
export type Placeholder = StepPlaceholder | (typeof taskPlaceholders)[number];
export const placeholders: Placeholder[] = [
  ...(Object.keys(stepFunctions) as StepPlaceholder[]),
  ...taskPlaceholders,
];

/** Every function, by a readable name, for the tests' tables; a stage deploys the trigger only when it is asked for. */
export const allFunctions: Record<string, LambdaDefinition> = {
  authorizer,
  ...Object.fromEntries(Object.entries(routes).map(([key, fn]) => [`route ${key}`, fn])),
  ...Object.fromEntries(Object.entries(stepFunctions).map(([key, fn]) => [`step ${key}`, fn])),
  executionEnded,
  admin,
  'trigger preSignUp': preSignUp,
};

/** A function's handler module under packages/functions/src: `sfn/parse`, `ws/sessions-list`, `admin/index`. */
export const moduleOf = (fn: LambdaDefinition): string =>
  fn.handler.replace(/^packages\/functions\/src\//, '').replace(/\.handler$/, '');

/** A function's Lambda timeout in seconds. */
export const timeoutSecondsOf = (fn: LambdaDefinition): number =>
  Number.parseInt(fn.timeout, 10) * (fn.timeout.endsWith('minutes') ? 60 : 1);

/** The tables a function may touch, the Connections a notifier (or a closer) forgets included. */
export function tablesOf(access: Access): Partial<Record<TableName, 'read' | 'write'>> {
  return {
    ...access.tables,
    ...((access.notify || access.disconnect) && { [tables.connections.name]: 'write' as const }),
  };
}

/** The links a function gets: exactly the resources its access names. */
export function linksOf(access: Access): LinkName[] {
  const links: LinkName[] = Object.keys(tablesOf(access)) as TableName[];
  if (access.datasets) links.push('Datasets');
  if (access.stateMachine?.length) links.push('AgentStateMachine');
  if (access.notify || access.disconnect) links.push('Api');
  if (access.cognito?.length) links.push('Directory');
  if (access.auth) links.push('Auth');
  if (access.agent) links.push('Agent');
  if (access.limits) links.push('RateLimits');
  if (access.signUp) links.push('SignUp');
  return [...new Set(links)].sort();
}

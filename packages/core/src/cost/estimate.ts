import { callsOf, orderedTurns, type Turn } from '../agent/run/transcript';
import { isEngineTool, taskOverridesFor } from '../agent/tools/declarations';
import { retriesOf } from '../chat/trace';
import type { Cost, CostLine } from '../protocol/server';
import type { ExecutionRecord } from '../repositories/executions';
import { type ItemRecord, isItemFinished } from '../repositories/items';
import { modelPrice, prices } from './prices';

/**
 * What a run costs on AWS, estimated from the path each item took through the state machine
 * (`statemachines/agent.asl.json`, counted state by state) and the trace its steps recorded.
 * Locally it is what the same run would have cost on AWS. A retried Parse, model call or tool run
 * counts (each start is recorded); a retried Append, Finish or task start is not seen.
 */

type Architecture = keyof typeof prices.lambdaGbSecond;

/** Each Lambda the run invokes: its memory and architecture, as stacks/functions.ts deploys it. */
export const functionSizes = {
  query: { memoryMb: 512, architecture: 'arm64' },
  Parse: { memoryMb: 512, architecture: 'arm64' },
  InvokeModel: { memoryMb: 512, architecture: 'arm64' },
  Dispatch: { memoryMb: 2048, architecture: 'x86_64' },
  Append: { memoryMb: 512, architecture: 'arm64' },
  RecordFailure: { memoryMb: 512, architecture: 'arm64' },
  Finish: { memoryMb: 512, architecture: 'arm64' },
} as const satisfies Record<string, { memoryMb: number; architecture: Architecture }>;

type LambdaName = keyof typeof functionSizes;

/** How long a step is assumed to take when its trace has no measurement (routing, bookkeeping). */
export const assumedStepMs = 250;

/**
 * DynamoDB, S3 and WebSocket requests per state, from each handler's code path with one open
 * connection, as `npm run bench -- requests` measures them at the local cloud's edge. The user's
 * connections are read once per item (in Parse): a Lambda container reuses them for 2 s, which
 * a batch's steps share; a lone item's steps in cold containers read them up to once per step.
 * S3 reads grow with the user's datasets (Parse lists them), and are counted for none here.
 */
export const requestsPerState = {
  run: { dynamoRead: 13, dynamoWrite: 17, s3Get: 1, s3Put: 0, messages: 2 },
  Parse: { dynamoRead: 3, dynamoWrite: 2, s3Get: 2, s3Put: 0, messages: 2 },
  InvokeModel: { dynamoRead: 1, dynamoWrite: 2, s3Get: 0, s3Put: 0, messages: 2 },
  /** A language model's turn also reads the session's earlier messages (the offline planner does not). */
  ModelHistory: { dynamoRead: 1, dynamoWrite: 0, s3Get: 0, s3Put: 0, messages: 0 },
  DispatchInline: { dynamoRead: 1, dynamoWrite: 2, s3Get: 1, s3Put: 1, messages: 2 },
  DispatchTask: { dynamoRead: 1, dynamoWrite: 1, s3Get: 0, s3Put: 1, messages: 1 },
  DispatchFinal: { dynamoRead: 0, dynamoWrite: 0, s3Get: 0, s3Put: 0, messages: 0 },
  Analysis: { dynamoRead: 0, dynamoWrite: 0, s3Get: 2, s3Put: 1, messages: 0 },
  /** After a tool that ran inside Dispatch: the state says what follows, so nothing is read. */
  AppendInline: { dynamoRead: 0, dynamoWrite: 0, s3Get: 0, s3Put: 0, messages: 2 },
  AppendTask: { dynamoRead: 1, dynamoWrite: 1, s3Get: 1, s3Put: 0, messages: 3 },
  AppendFinal: { dynamoRead: 1, dynamoWrite: 0, s3Get: 0, s3Put: 0, messages: 2 },
  ItemDone: { dynamoRead: 0, dynamoWrite: 2, s3Get: 0, s3Put: 0, messages: 1 },
  RecordFailure: { dynamoRead: 1, dynamoWrite: 0, s3Get: 0, s3Put: 0, messages: 1 },
} as const;

type Requests = { dynamoRead: number; dynamoWrite: number; s3Get: number; s3Put: number; messages: number };

/** What one run (or one item of it) used, before prices. */
export interface RunUsage {
  transitions: number;
  invocations: { name: LambdaName; ms: number }[];
  tasks: { tool: string; seconds: number }[];
  tokens: { model: string; input: number; output: number }[];
  requests: Requests;
}

const emptyRequests = (): Requests => ({ dynamoRead: 0, dynamoWrite: 0, s3Get: 0, s3Put: 0, messages: 0 });

function add(requests: Requests, more: Requests): void {
  for (const key of Object.keys(requests) as (keyof Requests)[]) requests[key] += more[key];
}

/**
 * One item's path, counted as the state machine runs it: Parse; per model turn InvokeModel, then
 * per tool call Dispatch, Route, RunAnalysis (a task), Append, Loop — or, for the final answer,
 * Dispatch, Route, Append, Loop; ItemDone once finished, RecordFailure on the way when it failed.
 */
export function itemUsage(item: ItemRecord): RunUsage {
  const usage: RunUsage = {
    transitions: 0,
    invocations: [],
    tasks: [],
    tokens: [],
    requests: emptyRequests(),
  };
  const state = (name: keyof typeof requestsPerState, lambda?: LambdaName, ms?: number) => {
    usage.transitions += 1;
    add(usage.requests, requestsPerState[name]);
    if (lambda) usage.invocations.push({ name: lambda, ms: ms ?? assumedStepMs });
  };
  const choice = () => {
    usage.transitions += 1;
  };
  if (item.status === 'PENDING') return usage;
  state('Parse', 'Parse', item.parsed?.durationMs);
  const turns = orderedTurns(item.turns);
  const tools = new Map(turns.filter((t) => t.kind === 'tool').map((t) => [`${t.turn}:${t.toolUseId}`, t]));
  for (const turn of turns) {
    if (turn.kind !== 'model') continue;
    state('InvokeModel', 'InvokeModel', turn.durationMs);
    if (turn.provider !== 'rules') add(usage.requests, requestsPerState.ModelHistory);
    const { decision } = turn;
    if (decision.model && decision.usage)
      usage.tokens.push({
        model: decision.model,
        input: decision.usage.inputTokens,
        output: decision.usage.outputTokens,
      });
    if (decision.kind === 'final') {
      if (!isItemFinished(item)) continue;
      state('DispatchFinal', 'Dispatch');
      choice(); // Route
      state('AppendFinal', 'Append');
      choice(); // Loop
      continue;
    }
    for (const call of callsOf(decision)) {
      const run = tools.get(`${turn.turn}:${call.toolUseId}`) as Extract<Turn, { kind: 'tool' }> | undefined;
      if (!run) break;
      if (run.where === 'task') {
        state('DispatchTask', 'Dispatch');
        choice(); // Route
        state('Analysis'); // RunAnalysis
        usage.tasks.push({ tool: run.name, seconds: ((run.queueMs ?? 0) + (run.runMs ?? 0)) / 1000 });
      } else {
        state('DispatchInline', 'Dispatch', run.durationMs);
        choice(); // Route
      }
      state(run.where === 'task' ? 'AppendTask' : 'AppendInline', 'Append');
      choice(); // Loop
    }
  }
  // A step that failed for good went through the Catch to RecordFailure (a spent step budget
  // fails the item in Append instead).
  // The state that failed ran too, though it recorded nothing: the model call, or a tool's Dispatch.
  if (item.failedIn === 'model') state('InvokeModel', 'InvokeModel');
  else if (item.failedInTask) {
    state('DispatchTask', 'Dispatch');
    choice(); // Route
    state('Analysis'); // RunAnalysis, billed for at least its minimum
    usage.tasks.push({
      tool: item.failedIn ?? 'profile',
      seconds: (item.failedStep?.durationMs ?? 0) / 1000,
    });
  } else if (item.failedIn !== undefined && item.failedIn !== 'parse' && item.failedIn !== 'append')
    state('DispatchInline', 'Dispatch');
  if (item.failedIn !== undefined) state('RecordFailure', 'RecordFailure');
  if (isItemFinished(item)) state('ItemDone');
  // A retried step ran again: one more transition and invocation each time (at the assumed time).
  for (const [key, times] of retriesOf(item)) {
    const lambda: LambdaName =
      key === 'parse' ? 'Parse' : key.endsWith('-model') ? 'InvokeModel' : 'Dispatch';
    for (let i = 0; i < times; i++) {
      usage.transitions += 1;
      usage.invocations.push({ name: lambda, ms: assumedStepMs });
    }
  }
  return usage;
}

/** The run's own states and functions: ProcessItems and Finish, the `query` route and Finish's Lambda. */
export function usageOfRun(execution: Pick<ExecutionRecord, 'status'>, items: ItemRecord[]): RunUsage {
  const usage: RunUsage = {
    transitions: 1,
    invocations: [{ name: 'query', ms: assumedStepMs }],
    tasks: [],
    tokens: [],
    requests: emptyRequests(),
  };
  add(usage.requests, requestsPerState.run);
  if (execution.status !== 'PENDING' && execution.status !== 'RUNNING') {
    usage.transitions += 1;
    usage.invocations.push({ name: 'Finish', ms: assumedStepMs });
  }
  for (const item of items) {
    const one = itemUsage(item);
    usage.transitions += one.transitions;
    usage.invocations.push(...one.invocations);
    usage.tasks.push(...one.tasks);
    usage.tokens.push(...one.tokens);
    add(usage.requests, one.requests);
  }
  return usage;
}

/** To a billionth of a dollar: a single item's lines are fractions of a cent. */
const round = (usd: number) => Math.round(usd * 1e9) / 1e9;
const line = (service: string, quantity: number, unit: string, usd: number): CostLine => ({
  service,
  quantity: Math.round(quantity * 1000) / 1000,
  unit,
  usd: round(usd),
});

/** The task size a tool's analysis runs at (functions.ts's RunAnalysis overrides). */
function taskSize(tool: string): { vcpu: number; gb: number } {
  const { cpu, memory } = taskOverridesFor(isEngineTool(tool) ? tool : 'profile');
  return { vcpu: Number(cpu) / 1024, gb: Number(memory) / 1024 };
}

/** Prices a run's usage into the lines `execution.get` shows: every figure an estimate. */
export function priceUsage(usage: RunUsage): Cost {
  const lines: CostLine[] = [];
  lines.push(
    line(
      'Step Functions state transitions',
      usage.transitions,
      'transitions',
      usage.transitions * prices.stateTransition,
    ),
  );
  lines.push(
    line(
      'Lambda requests',
      usage.invocations.length,
      'requests',
      usage.invocations.length * prices.lambdaRequest,
    ),
  );
  for (const architecture of ['arm64', 'x86_64'] as const) {
    const gbSeconds = usage.invocations
      .filter((i) => functionSizes[i.name].architecture === architecture)
      .reduce((sum, i) => sum + (functionSizes[i.name].memoryMb / 1024) * (Math.ceil(i.ms) / 1000), 0);
    if (gbSeconds > 0)
      lines.push(
        line(
          `Lambda compute (${architecture})`,
          gbSeconds,
          'GB-seconds',
          gbSeconds * prices.lambdaGbSecond[architecture],
        ),
      );
  }
  if (usage.tasks.length > 0) {
    let vcpuHours = 0;
    let gbHours = 0;
    let ipHours = 0;
    for (const task of usage.tasks) {
      const hours = Math.max(prices.fargateMinimumSeconds, Math.ceil(task.seconds)) / 3600;
      const size = taskSize(task.tool);
      vcpuHours += size.vcpu * hours;
      gbHours += size.gb * hours;
      ipHours += hours;
    }
    lines.push(line('Fargate vCPU', vcpuHours, 'vCPU-hours', vcpuHours * prices.fargateVcpuHour));
    lines.push(line('Fargate memory', gbHours, 'GB-hours', gbHours * prices.fargateGbHour));
    lines.push(line('Public IPv4 (Fargate tasks)', ipHours, 'hours', ipHours * prices.publicIpv4Hour));
  }
  const byModel = new Map<string, { input: number; output: number }>();
  for (const t of usage.tokens) {
    const sum = byModel.get(t.model) ?? { input: 0, output: 0 };
    byModel.set(t.model, { input: sum.input + t.input, output: sum.output + t.output });
  }
  for (const [model, tokens] of byModel) {
    const price = modelPrice(model);
    const known = price ? '' : ' (no price known)';
    lines.push(
      line(
        `${model} input tokens${known}`,
        tokens.input,
        'tokens',
        price ? (tokens.input / 1000) * price.input : 0,
      ),
    );
    lines.push(
      line(
        `${model} output tokens${known}`,
        tokens.output,
        'tokens',
        price ? (tokens.output / 1000) * price.output : 0,
      ),
    );
  }
  const { requests } = usage;
  lines.push(
    line(
      'DynamoDB writes',
      requests.dynamoWrite,
      'write request units',
      requests.dynamoWrite * prices.dynamoWrite,
    ),
  );
  lines.push(
    line(
      'DynamoDB reads',
      requests.dynamoRead,
      'read request units',
      requests.dynamoRead * prices.dynamoRead,
    ),
  );
  lines.push(
    line(
      'S3 requests',
      requests.s3Get + requests.s3Put,
      'requests',
      requests.s3Get * prices.s3Get + requests.s3Put * prices.s3Put,
    ),
  );
  lines.push(
    line(
      'API Gateway WebSocket messages',
      requests.messages,
      'messages',
      requests.messages * prices.websocketMessage,
    ),
  );
  return {
    usd: round(lines.reduce((sum, l) => sum + l.usd, 0)),
    estimate: true,
    region: prices.region,
    lines,
  };
}

export function executionCost(execution: Pick<ExecutionRecord, 'status'>, items: ItemRecord[]): Cost {
  return priceUsage(usageOfRun(execution, items));
}

import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDynamo, type TestDynamo } from '../../../../../test/support/dynamo';
import { unlimited } from '../../../../../test/support/links';
import { memoryS3 } from '../../../../../test/support/s3-memory';
import {
  ConnectionsRepository,
  createRateLimiter,
  DatasetCatalog,
  ExecutionsRepository,
  ItemsRepository,
  LocksRepository,
  MessagesRepository,
  type Notifier,
  RateLimitsRepository,
  type ServerMessage,
  SessionsRepository,
  startQuery,
} from '../../../src';
import type { ModelProvider } from '../../../src/agent/providers/types';
import { type Decision, turnKey } from '../../../src/agent/run/transcript';
import { append } from '../../../src/agent/steps/append';
import type { AgentDeps } from '../../../src/agent/steps/deps';
import { dispatch } from '../../../src/agent/steps/dispatch';
import { finishRun } from '../../../src/agent/steps/finish';
import { invokeModel } from '../../../src/agent/steps/invoke-model';
import { parseItem } from '../../../src/agent/steps/parse';
import { recordFailure } from '../../../src/agent/steps/record-failure';
import type { ItemState } from '../../../src/agent/steps/state';
import {
  isEngineTool,
  parquetInlineWeight,
  runsInDispatch,
  taskOverridesFor,
  toolNames,
} from '../../../src/agent/tools/declarations';

const bucket = 'data';
let dynamo: TestDynamo;
let s3: ReturnType<typeof memoryS3>;
let deps: AgentDeps;
const sent: ServerMessage[] = [];
const decisions: Decision[] = [];
const decide = vi.fn(async () => decisions.shift() ?? { kind: 'final' as const, text: 'done' });

beforeAll(async () => {
  dynamo = await startDynamo();
  s3 = memoryS3();
  s3.put(bucket, 'samples/tiny.csv', 'a,b\n1,x\n2,y\n');
  const table = (name: keyof TestDynamo['tableNames']) => ({
    client: dynamo.client,
    tableName: dynamo.tableNames[name],
  });
  const notifier: Notifier = {
    toConnection: async () => 'sent',
    disconnect: async () => undefined,
    toUser: async (_u, message) => {
      sent.push(message);
      return { sent: 1, gone: 0, failed: 0 };
    },
  };
  const client = new S3Client({ region: 'us-east-1' });
  deps = {
    sessions: new SessionsRepository(table('sessions')),
    messages: new MessagesRepository(table('messages')),
    executions: new ExecutionsRepository(table('executions')),
    items: new ItemsRepository(table('items')),
    locks: new LocksRepository(table('locks')),
    limits: createRateLimiter({
      connections: () => new ConnectionsRepository(table('connections')),
      counters: () => new RateLimitsRepository(table('locks')),
      limits: () => unlimited,
    }),
    notifier,
    datasets: new DatasetCatalog({ s3: client, bucket }),
    s3: client,
    bucket,
    provider: { name: 'scripted', decide } satisfies ModelProvider,
    maxSteps: 4,
  };
});
afterAll(async () => {
  s3.mock.restore();
  await dynamo.close();
});
beforeEach(() => {
  sent.length = 0;
  decisions.length = 0;
  decide.mockClear();
});

/** A recorded run with one item, as startQuery leaves it, and the item's state at Parse. */
async function newItem(content = 'describe tiny.csv'): Promise<ItemState> {
  let input: { executionId: string; sessionId: string } | undefined;
  await startQuery(
    {
      ...deps,
      connections: new ConnectionsRepository({
        client: dynamo.client,
        tableName: dynamo.tableNames.connections,
      }),
      orchestrator: {
        start: async (i) => {
          input = i;
        },
        exists: async () => false,
        stop: async () => undefined,
      },
    },
    { userId: 'u1', tenantId: 't' },
    { action: 'query', messageId: randomUUID(), payload: { content } },
    async () => undefined,
  );
  return {
    executionId: input!.executionId,
    sessionId: input!.sessionId,
    userId: 'u1',
    tenantId: 't',
    itemId: '1',
    turn: 0,
  };
}

const progressEvents = () => sent.filter((m) => m.action === 'progress');

/** A parsed item whose model has asked to describe tiny.csv on turn 0. */
async function modelCalledDescribe(): Promise<ItemState> {
  const state = await parseItem(deps, await newItem());
  decisions.push({
    kind: 'tool',
    calls: [{ toolUseId: 't0', name: 'describe_dataset', input: { datasetId: 'tiny.csv' } }],
  });
  await invokeModel(deps, state);
  return state;
}

/** An item that the model answered straight away, taken through Append, so it has SUCCEEDED. */
async function finishedItem(): Promise<ItemState> {
  const state = await parseItem(deps, await newItem());
  await invokeModel(deps, state);
  await append(deps, await dispatch(deps, state));
  return state;
}

describe('agent steps under retries', () => {
  it('a retried InvokeModel reuses the recorded decision and does not ask the model again', async () => {
    const state = await modelCalledDescribe();
    await invokeModel(deps, state);
    expect(decide).toHaveBeenCalledTimes(1);
  });

  it('a retried Dispatch does not run the tool again', async () => {
    const state = await modelCalledDescribe();
    const first = await dispatch(deps, state);
    const gets = s3.mock.calls().length;
    const second = await dispatch(deps, state);
    expect(first.route).toBe('inline');
    expect(second.route).toBe('inline');
    expect(s3.mock.calls().length).toBe(gets);
    const item = await deps.items.get(state.executionId, '1');
    expect(item?.turns?.[turnKey(0, 'tool')]).toMatchObject({ ok: true, name: 'describe_dataset' });
  });

  it('a retried Append after the final answer neither counts the item twice nor reports progress twice', async () => {
    const state = await parseItem(deps, await newItem());
    decisions.push({ kind: 'final', text: 'All good.' });
    await invokeModel(deps, state);
    const routed = await dispatch(deps, state);
    expect(routed.route).toBe('finish');
    const done = await append(deps, routed);
    const again = await append(deps, routed);
    expect(done).toMatchObject({ done: true, turn: 0 });
    expect(again).toMatchObject({ done: true });
    expect(await deps.executions.get(state.executionId)).toMatchObject({ completedItems: 1, failedItems: 0 });
    expect(progressEvents()).toHaveLength(1);
    expect(await deps.items.get(state.executionId, '1')).toMatchObject({
      status: 'SUCCEEDED',
      output: { text: 'All good.' },
    });
  });

  it('a retried Finish sends the response once', async () => {
    const state = await finishedItem();
    const input = { ...state, items: [{ id: '1' }], options: { maxConcurrency: 1 } };
    expect(await finishRun(deps, input)).toEqual({ status: 'SUCCEEDED' });
    expect(await finishRun(deps, input)).toEqual({ status: 'SUCCEEDED' });
    expect(sent.filter((m) => m.action === 'response')).toHaveLength(1);
  });

  it('an invalid tool call becomes an observation the model reads on its next turn', async () => {
    const state = await parseItem(deps, await newItem());
    decisions.push({ kind: 'tool', calls: [{ toolUseId: 't0', name: 'profile', input: { datasetId: 42 } }] });
    await invokeModel(deps, state);
    const routed = await dispatch(deps, state);
    expect(routed.route).toBe('inline');
    const next = await append(deps, routed);
    expect(next).toMatchObject({ turn: 1, done: false });
    expect((await deps.items.get(state.executionId, '1'))?.turns?.[turnKey(0, 'tool')]).toMatchObject({
      ok: false,
      observation: expect.stringContaining('The arguments for profile are invalid'),
    });
    await invokeModel(deps, next);
    const seen = decide.mock.calls.at(-1) as unknown as [{ turns: { kind: string }[] }];
    expect(seen[0].turns.map((t) => t.kind)).toEqual(['model', 'tool']);
  });

  it('an analysis of a dataset that does not exist fails as an observation, without starting a task', async () => {
    const state = await parseItem(deps, await newItem());
    decisions.push({
      kind: 'tool',
      calls: [{ toolUseId: 't0', name: 'profile', input: { datasetId: 'missing.csv' } }],
    });
    await invokeModel(deps, state);
    expect(await dispatch(deps, state)).toMatchObject({ route: 'inline' });
    expect(s3.keys(`${bucket}/jobs/`).filter((k) => k.includes(state.executionId))).toEqual([]);
  });

  it('final_answer arriving as a tool call is sent back to the model as a correction', async () => {
    const state = await parseItem(deps, await newItem());
    decisions.push({
      kind: 'tool',
      calls: [{ toolUseId: 't0', name: 'final_answer', input: { text: 'x' } }],
    });
    await invokeModel(deps, state);
    await dispatch(deps, state);
    expect((await deps.items.get(state.executionId, '1'))?.turns?.[turnKey(0, 'tool')]).toMatchObject({
      ok: false,
    });
  });

  it('a blank final_answer is sent back saying the answer needs its text', async () => {
    const state = await parseItem(deps, await newItem());
    decisions.push({
      kind: 'tool',
      calls: [{ toolUseId: 't0', name: 'final_answer', input: { text: '  ' } }],
    });
    await invokeModel(deps, state);
    await dispatch(deps, state);
    expect((await deps.items.get(state.executionId, '1'))?.turns?.[turnKey(0, 'tool')]).toMatchObject({
      ok: false,
      observation: expect.stringContaining('final_answer needs the text of your answer'),
    });
  });

  it('RecordFailure on an item that already finished changes nothing', async () => {
    const state = await finishedItem();
    sent.length = 0;
    const out = await recordFailure(deps, { ...state, error: { Error: 'States.Timeout' } });
    expect(out.done).toBe(true);
    expect((await deps.items.get(state.executionId, '1'))?.status).toBe('SUCCEEDED');
    expect(sent).toEqual([]);
  });

  it('Finish settles items the run left behind and reports why', async () => {
    const state = await newItem();
    const input = {
      ...state,
      items: [{ id: '1' }],
      options: { maxConcurrency: 1 },
      failure: { Error: 'States.Runtime', Cause: 'boom' },
    };
    expect(await finishRun(deps, input)).toEqual({ status: 'FAILED' });
    expect((await deps.items.get(state.executionId, '1'))?.error).toBe(
      'The run failed before this item finished: An internal step failed (States.Runtime); please try again.',
    );
  });

  it('Parse of an item that already finished passes it straight through', async () => {
    const state = await finishedItem();
    expect(await parseItem(deps, state)).toMatchObject({ done: true });
  });

  it('a step on an item that does not exist is an error, not a silent success', async () => {
    const state = await newItem();
    await expect(parseItem(deps, { ...state, itemId: 'ghost' })).rejects.toThrow('does not exist');
    await expect(dispatch(deps, state)).rejects.toThrow('has no model decision');
  });
});

describe('Dispatch and the analysis engine', () => {
  const result = {
    tool: 'query_data' as const,
    source: 'tiny.csv',
    sql: 'SELECT count(*) FROM data',
    columns: [{ name: 'count_star()', type: 'BIGINT' }],
    rows: [[2]],
    rowCount: 1,
    truncated: false,
    reading: [],
    warnings: [],
  };
  const output = { text: '1 row', tables: [{ columns: ['count_star()'], rows: [[2]] }] };
  const jobs: unknown[] = [];

  /** An engine that records its jobs and answers (or fails) as the test says. */
  function engine(answer: () => Promise<{ result: typeof result; output: typeof output }>) {
    return {
      run: async (job: unknown) => {
        jobs.push(job);
        return answer();
      },
    };
  }

  async function modelCalledQuery(): Promise<ItemState> {
    const state = await parseItem(deps, await newItem());
    decisions.push({
      kind: 'tool',
      calls: [
        {
          toolUseId: 't0',
          name: 'query_data',
          input: { datasetId: 'tiny.csv', sql: 'SELECT count(*) FROM data' },
        },
      ],
    });
    await invokeModel(deps, state);
    return state;
  }

  beforeEach(() => {
    jobs.length = 0;
  });

  it('runs a small dataset inside Dispatch: no task, the observation and output recorded, the result kept in S3', async () => {
    const state = await modelCalledQuery();
    const withEngine = { ...deps, engine: engine(async () => ({ result, output })) };
    expect(await dispatch(withEngine, state)).toMatchObject({ route: 'inline' });
    expect(jobs).toEqual([
      {
        tool: 'query_data',
        data: `s3://${bucket}/samples/tiny.csv`,
        args: { sql: 'SELECT count(*) FROM data' },
      },
    ]);
    const turn = (await deps.items.get(state.executionId, '1'))?.turns?.[turnKey(0, 'tool')];
    expect(turn).toMatchObject({ ok: true, name: 'query_data', output });
    expect(JSON.parse((turn as { observation: string }).observation)).toMatchObject({
      rowCount: 1,
      rows: [[2]],
    });
    const resultUri = (turn as { resultUri: string }).resultUri;
    expect(resultUri).toBe(`s3://${bucket}/results/${state.executionId}/1/000.json`);
    expect(s3.keys(`${bucket}/jobs/`).filter((k) => k.includes(state.executionId))).toEqual([]);
  });

  it("turns the engine's own refusal (a code and a sentence) into an observation the model can read", async () => {
    const state = await modelCalledQuery();
    const refused = Object.assign(new Error('Only one SELECT statement can run.'), { code: 'QueryRejected' });
    const withEngine = {
      ...deps,
      engine: engine(async () => {
        throw refused;
      }),
    };
    expect(await dispatch(withEngine, state)).toMatchObject({ route: 'inline' });
    expect((await deps.items.get(state.executionId, '1'))?.turns?.[turnKey(0, 'tool')]).toMatchObject({
      ok: false,
      observation: 'Only one SELECT statement can run.',
    });
    expect(sent).toContainEqual(
      expect.objectContaining({
        action: 'step',
        step: 'query_data',
        status: 'failed',
        detail: 'Only one SELECT statement can run.',
      }),
    );
  });

  it('lets an unexpected engine fault through, for Retry and Catch, recording nothing', async () => {
    const state = await modelCalledQuery();
    const withEngine = {
      ...deps,
      engine: engine(async () => {
        throw new TypeError('boom');
      }),
    };
    await expect(dispatch(withEngine, state)).rejects.toThrow('boom');
    expect((await deps.items.get(state.executionId, '1'))?.turns?.[turnKey(0, 'tool')]).toBeUndefined();
  });

  it('runs the calls of one reply one after another, the second on the task, before asking the model again', async () => {
    s3.put(bucket, 'samples/big2.csv', `a\n${'1\n'.repeat(9 * 1024 * 1024)}`);
    const state = await parseItem(deps, await newItem());
    decisions.push({
      kind: 'tool',
      calls: [
        { toolUseId: 'a', name: 'describe_dataset', input: { datasetId: 'tiny.csv' } },
        { toolUseId: 'b', name: 'profile', input: { datasetId: 'big2.csv' } },
      ],
    });
    await invokeModel(deps, state);
    const first = await dispatch(deps, state);
    expect(first).toMatchObject({ route: 'inline' });
    const second = await append(deps, first);
    expect(second).toMatchObject({ turn: 0, call: 1, done: false });
    expect(second).not.toHaveProperty('route');
    const routed = await dispatch(deps, second);
    expect(routed).toMatchObject({ route: 'task', job: { uri: expect.stringContaining('/000-01.json') } });
    const resultUri = `s3://${bucket}/results/${state.executionId}/1/000-01.json`;
    s3.put(bucket, `results/${state.executionId}/1/000-01.json`, JSON.stringify(result));
    const next = await append(deps, { ...routed, taskResult: { resultUri } });
    expect(next).toMatchObject({ turn: 1, done: false });
    expect(next).not.toHaveProperty('call');
    const turns = (await deps.items.get(state.executionId, '1'))!.turns!;
    expect(Object.keys(turns).sort()).toEqual(['000-model', '000-tool', '000-tool-01']);
    expect(turns['000-tool-01']).toMatchObject({ toolUseId: 'b', name: 'profile', ok: true, resultUri });
  });

  it('sends a dataset above the inline size to the task, and everything to the task without an engine', async () => {
    s3.put(bucket, 'samples/big.csv', `a\n${'1\n'.repeat(9 * 1024 * 1024)}`);
    const state = await parseItem(deps, await newItem());
    decisions.push({
      kind: 'tool',
      calls: [{ toolUseId: 't0', name: 'profile', input: { datasetId: 'big.csv' } }],
    });
    await invokeModel(deps, state);
    const withEngine = { ...deps, engine: engine(async () => ({ result, output })) };
    const routed = await dispatch(withEngine, state);
    expect(routed).toMatchObject({ route: 'task', job: { uri: expect.stringContaining('/jobs/') } });
    expect(jobs).toEqual([]);

    const small = await modelCalledQuery();
    expect(await dispatch(deps, small)).toMatchObject({ route: 'task' });
  });

  it('counts a Parquet file’s bytes five times against the inline size: it holds that much more than its CSV', async () => {
    const MB = 1024 * 1024;
    expect(parquetInlineWeight).toBe(5);
    expect(runsInDispatch('profile', 'samples/a.csv', 16 * MB)).toBe(true);
    expect(runsInDispatch('profile', 'samples/a.parquet', 16 * MB)).toBe(false);
    expect(runsInDispatch('profile', 'samples/a.parquet', 3 * MB)).toBe(true);
    expect(runsInDispatch('query_data', 'users/u/b.PARQUET', 12 * MB)).toBe(true);
    expect(runsInDispatch('query_data', 'users/u/b.PARQUET', 13 * MB)).toBe(false);

    // Dispatch decides by the name alone: these bytes are never read.
    s3.put(bucket, 'samples/mid.parquet', 'x'.repeat(4 * MB));
    s3.put(bucket, 'samples/mid.csv', 'x'.repeat(4 * MB));
    const routedProfile = async (datasetId: string) => {
      const state = await parseItem(deps, await newItem());
      decisions.push({ kind: 'tool', calls: [{ toolUseId: 't0', name: 'profile', input: { datasetId } }] });
      await invokeModel(deps, state);
      return dispatch({ ...deps, engine: engine(async () => ({ result, output })) }, state);
    };
    expect(await routedProfile('mid.csv')).toMatchObject({ route: 'inline' });
    expect(await routedProfile('mid.parquet')).toMatchObject({ route: 'task' });
  });

  it('names the dataset in the engine’s sentence about data it cannot read', async () => {
    const state = await modelCalledQuery();
    const unreadable = Object.assign(new Error('The Parquet file has no rows.'), { code: 'BadData' });
    await dispatch({ ...deps, engine: engine(async () => Promise.reject(unreadable)) }, state);
    expect((await deps.items.get(state.executionId, '1'))?.turns?.[turnKey(0, 'tool')]).toMatchObject({
      ok: false,
      observation: 'tiny.csv: The Parquet file has no rows.',
    });
    // A sentence that names it already, or is not about the file, is kept as it is.
    for (const sentence of [
      'The file tiny.csv has no data rows.',
      'No row meets the filters (a > 9); loosen them.',
    ]) {
      const asked = await modelCalledQuery();
      const refused = Object.assign(new Error(sentence), { code: 'BadData' });
      await dispatch({ ...deps, engine: engine(async () => Promise.reject(refused)) }, asked);
      expect((await deps.items.get(asked.executionId, '1'))?.turns?.[turnKey(0, 'tool')]).toMatchObject({
        observation: sentence,
      });
    }
  });

  it('names the dataset when the task fails on data it cannot read, and only then', async () => {
    s3.put(bucket, 'samples/huge.parquet', 'x'.repeat(4 * 1024 * 1024));
    const failedTask = async (datasetId: string, error: { Error: string; Cause: string }) => {
      const state = await parseItem(deps, await newItem());
      decisions.push({ kind: 'tool', calls: [{ toolUseId: 't0', name: 'profile', input: { datasetId } }] });
      await invokeModel(deps, state);
      const routed = await dispatch(deps, state);
      await recordFailure(deps, { ...routed, error });
      return (await deps.items.get(state.executionId, '1'))?.error;
    };
    const cause = 'The file could not be read as Parquet: it is damaged, or not Parquet at all.';
    expect(await failedTask('huge.parquet', { Error: 'BadData', Cause: cause })).toBe(
      `huge.parquet: ${cause}`,
    );
    expect(
      await failedTask('huge.parquet', { Error: 'ColumnNotFound', Cause: 'There is no column x.' }),
    ).toBe('There is no column x.');
  });

  it("sizes the task for its tool: 1 vCPU and 2 GB to profile, 2 vCPU and 4 GB to estimate an effect, the engine's memory limit 60 % of it", async () => {
    const routedCall = async (name: string, input: Record<string, unknown>) => {
      const state = await parseItem(deps, await newItem());
      decisions.push({ kind: 'tool', calls: [{ toolUseId: 't0', name, input }] });
      await invokeModel(deps, state);
      return dispatch(deps, state);
    };
    expect((await routedCall('profile', { datasetId: 'tiny.csv' })).job).toMatchObject({
      cpu: '1024',
      memory: '2048',
      memoryLimit: '1228MB',
    });
    const effect = { datasetId: 'tiny.csv', treatment: 'a', outcome: 'a', covariates: [] };
    expect((await routedCall('estimate_effect', effect)).job).toMatchObject({
      cpu: '2048',
      memory: '4096',
      memoryLimit: '2457MB',
    });
  });

  it("gives every engine tool a size Fargate offers (Fargate's CPU and memory combinations)", () => {
    const fargate: Record<number, [number, number]> = { 1024: [2048, 8192], 2048: [4096, 16384] };
    for (const tool of toolNames.filter(isEngineTool)) {
      const { cpu, memory } = taskOverridesFor(tool);
      const [least, most] = fargate[Number(cpu)]!;
      expect(Number(memory) % 1024, tool).toBe(0);
      expect(Number(memory), tool).toBeGreaterThanOrEqual(least);
      expect(Number(memory), tool).toBeLessThanOrEqual(most);
    }
  });
});

describe('what each step reads', () => {
  it('Parse reads the item alone: what the message said came with it', async () => {
    const state = await newItem('describe tiny.csv');
    const runs = vi.spyOn(deps.executions, 'get');
    try {
      await parseItem(deps, state);
      expect(runs).not.toHaveBeenCalled();
      const item = await deps.items.get(state.executionId, '1');
      expect(item?.message).toEqual({});
      expect(item?.request).toMatchObject({ datasetId: 'tiny.csv' });
    } finally {
      runs.mockRestore();
    }
  });

  it('Parse of an item written without the message reads it from the run', async () => {
    const state = await newItem('describe tiny.csv');
    await deps.items.createBatch(state.executionId, [
      { itemId: 'old', index: 1, input: 'describe tiny.csv' },
    ]);
    const runs = vi.spyOn(deps.executions, 'get');
    try {
      await parseItem(deps, { ...state, itemId: 'old' });
      expect(runs).toHaveBeenCalledTimes(1);
      expect((await deps.items.get(state.executionId, 'old'))?.request).toMatchObject({
        datasetId: 'tiny.csv',
      });
    } finally {
      runs.mockRestore();
    }
  });

  it('InvokeModel reads the session only for a provider that reads it', async () => {
    const recent = vi.spyOn(deps.messages, 'recent');
    try {
      const state = await parseItem(deps, await newItem());
      recent.mockClear();
      await invokeModel({ ...deps, provider: { name: 'planner', readsHistory: false, decide } }, state);
      expect(recent).not.toHaveBeenCalled();
      const other = await parseItem(deps, await newItem());
      recent.mockClear();
      await invokeModel(deps, other);
      expect(recent).toHaveBeenCalledTimes(1);
    } finally {
      recent.mockRestore();
    }
  });

  it('Dispatch of the final answer and Append after a tool Dispatch ran read no item: the state says where it goes', async () => {
    const reads = vi.spyOn(deps.items, 'get');
    try {
      const parsed = await parseItem(deps, await newItem());
      decisions.push({
        kind: 'tool',
        calls: [{ toolUseId: 't0', name: 'describe_dataset', input: { datasetId: 'tiny.csv' } }],
      });
      const decided = await invokeModel(deps, parsed);
      expect(decided.calls).toBe(1);
      const ran = await dispatch(deps, decided);
      reads.mockClear();
      const next = await append(deps, ran);
      expect(reads).not.toHaveBeenCalled();
      expect(next).toMatchObject({ turn: 1, done: false });
      expect(next.calls).toBeUndefined();

      const answered = await invokeModel(deps, next);
      expect(answered.calls).toBe(0);
      reads.mockClear();
      const routed = await dispatch(deps, answered);
      expect(routed.route).toBe('finish');
      expect(reads).not.toHaveBeenCalled();
      const done = await append(deps, routed);
      expect(done.done).toBe(true);
      expect(reads).toHaveBeenCalledTimes(1);
      expect((await deps.items.get(parsed.executionId, '1'))?.status).toBe('SUCCEEDED');
    } finally {
      reads.mockRestore();
    }
  });

  it('the last turn Append reads the item to fail it when the step budget is spent', async () => {
    const parsed = await parseItem(deps, await newItem());
    let state: ItemState = parsed;
    for (let turn = 0; turn < deps.maxSteps; turn++) {
      decisions.push({
        kind: 'tool',
        calls: [{ toolUseId: `t${turn}`, name: 'describe_dataset', input: { datasetId: 'tiny.csv' } }],
      });
      state = await append(deps, await dispatch(deps, await invokeModel(deps, state)));
    }
    expect(state.done).toBe(true);
    const item = await deps.items.get(parsed.executionId, '1');
    expect(item).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/within 4 steps/) });
  });

  it('a state that still carries the next call goes back to Dispatch for it without reading the item', async () => {
    const parsed = await parseItem(deps, await newItem());
    decisions.push({
      kind: 'tool',
      calls: [
        { toolUseId: 'a', name: 'describe_dataset', input: { datasetId: 'tiny.csv' } },
        { toolUseId: 'b', name: 'list_datasets', input: {} },
      ],
    });
    const first = await dispatch(deps, await invokeModel(deps, parsed));
    const reads = vi.spyOn(deps.items, 'get');
    try {
      const next = await append(deps, first);
      expect(next).toMatchObject({ turn: 0, call: 1, calls: 2 });
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
  });
});

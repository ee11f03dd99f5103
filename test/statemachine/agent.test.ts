import { LocksRepository, MessagesRepository, sessionLockName } from '@cascade/core';
import { describe, expect, it } from 'vitest';
import { bucket, useStateMachineHarness } from './harness';

const h = useStateMachineHarness();

/** A copy of the definition with shorter limits on the analysis task, so a test need not wait 15 minutes. */
const runAnalysis =
  (limits: { TimeoutSeconds?: number; HeartbeatSeconds?: number }) =>
  (definition: { States: { ProcessItems: { ItemProcessor: { States: { RunAnalysis: object } } } } }) => {
    Object.assign(definition.States.ProcessItems.ItemProcessor.States.RunAnalysis, limits);
  };

const threeQuestions = [
  { id: 'profile', input: 'profile lalonde.csv' },
  { id: 'columns', input: 'what columns does churn.csv have?' },
  { id: 'effect', input: 'what is the effect of treat on re78 in lalonde.csv, adjusting for age and educ?' },
];

describe('the agent state machine, run by the local engine with the real handlers', () => {
  it('answers three items: each succeeds, progress grows to 100 %, one response ends the run', async () => {
    const { executionId, replies, sessionId } = await h.run({
      content: 'Three questions',
      items: threeQuestions,
    });
    expect(replies.map((m) => m.action)).toEqual(['ack']);

    const execution = await h.executions.get(executionId);
    expect(execution).toMatchObject({
      status: 'SUCCEEDED',
      totalItems: 3,
      completedItems: 3,
      failedItems: 0,
    });
    const finished = await h.items.list(executionId);
    expect(finished.map((i) => [i.itemId, i.status])).toEqual([
      ['profile', 'SUCCEEDED'],
      ['columns', 'SUCCEEDED'],
      ['effect', 'SUCCEEDED'],
    ]);
    const [profile, columns, effect] = finished;
    expect(profile!.output?.text).toContain('**lalonde.csv** has 40 rows');
    expect(profile!.output?.charts?.[0]).toMatchObject({ kind: 'histogram', column: 're78' });
    expect(columns!.output?.text).toContain('| customer_id | free text |');
    expect(effect!.output?.text).toContain(
      'Regression adjustment estimates the ATE of **treat** on **re78** at **+1,500** (95 % CI 1,476 to 1,525), an interval that excludes zero.',
    );
    expect(effect!.output?.text).toContain('Adjusted for age and educ.');
    expect(effect!.output?.charts?.[0]).toMatchObject({ kind: 'intervals' });
    expect(effect!.turns).toBeDefined();
    const effectCall = Object.values(effect!.turns!).find(
      (t) => t.kind === 'model' && t.decision.kind === 'tool',
    );
    expect(effectCall).toMatchObject({
      decision: {
        calls: [
          {
            name: 'estimate_effect',
            input: { treatment: 'treat', outcome: 're78', covariates: ['age', 'educ'] },
          },
        ],
      },
    });

    const events = h.events();
    const progress = events.filter((e) => e.action === 'progress');
    expect(progress.map((p) => p.action === 'progress' && p.completed)).toEqual([1, 2, 3]);
    expect(progress.at(-1)).toMatchObject({ percent: 100, total: 3, failed: 0 });
    const steps = events
      .filter((e) => e.action === 'step' && e.itemId === 'profile')
      .map((e) => e.action === 'step' && `${e.step}:${e.status}`);
    expect(steps).toEqual([
      'parse:started',
      'parse:succeeded',
      'model:started',
      'model:succeeded',
      'profile:started',
      'profile:succeeded',
      'append:started',
      'append:succeeded',
      'model:started',
      'model:succeeded',
      'append:started',
      'append:succeeded',
    ]);
    const responses = events.filter((e) => e.action === 'response');
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ status: 'SUCCEEDED', executionId, sessionId });
    expect(events.indexOf(responses[0]!)).toBe(events.length - 1);

    const history = await new MessagesRepository({
      client: h.dynamo.client,
      tableName: h.dynamo.tableNames.messages,
    }).pageNewestFirst(sessionId);
    expect(history.items[0]).toMatchObject({
      role: 'assistant',
      executionId,
      content: expect.stringContaining('All 3 items succeeded'),
    });
    expect(
      await new LocksRepository({ client: h.dynamo.client, tableName: h.dynamo.tableNames.locks }).get(
        sessionLockName(sessionId),
      ),
    ).toBeUndefined();
  });

  it('dispatches every tool call of one reply in order, streams the answer and counts its tokens', async () => {
    const seen: string[][] = [];
    h.scriptModel(
      async (context) => {
        seen.push(context.turns.map((t) => (t.kind === 'model' ? 'model' : `${t.name}:${t.ok}`)));
        if (context.turn === 0)
          return {
            kind: 'tool',
            calls: [
              { toolUseId: 'a', name: 'describe_dataset', input: { datasetId: 'churn.csv' } },
              { toolUseId: 'b', name: 'list_datasets', input: {} },
              { toolUseId: 'c', name: 'final_answer', input: { text: 'too early' } },
            ],
            model: 'test-model',
            usage: { inputTokens: 1200, outputTokens: 80, cacheReadTokens: 1000 },
          };
        for (const piece of ['churn.csv has ', '6 columns.']) context.onText?.(piece);
        return {
          kind: 'final',
          text: 'churn.csv has 6 columns.',
          model: 'test-model',
          usage: { inputTokens: 1500, outputTokens: 20 },
        };
      },
      { name: 'bedrock', model: 'test-model' },
    );
    try {
      const { executionId } = await h.run({ content: 'how many columns does churn.csv have?' });
      const [item] = await h.items.list(executionId);
      expect(item).toMatchObject({ status: 'SUCCEEDED', output: { text: 'churn.csv has 6 columns.' } });
      expect(Object.keys(item!.turns!).sort()).toEqual([
        '000-model',
        '000-tool',
        '000-tool-01',
        '000-tool-02',
        '001-model',
      ]);
      // The model is asked again only once every call has its result, the premature answer refused.
      expect(seen).toEqual([
        [],
        ['model', 'describe_dataset:true', 'list_datasets:true', 'final_answer:false'],
      ]);
      expect(item!.turns!['000-tool-02']).toMatchObject({
        observation: expect.stringContaining('call it alone'),
      });
      const events = h.events();
      expect(events.filter((e) => e.action === 'delta').map((e) => e.action === 'delta' && e.text)).toEqual([
        'churn.csv has 6 columns.',
      ]);
      const usage = { inputTokens: 2700, outputTokens: 100, modelCalls: 2, cacheReadTokens: 1000 };
      expect(events.find((e) => e.action === 'response')).toMatchObject({
        usage,
        answeredBy: { provider: 'bedrock', model: 'test-model' },
        items: [{ usage }],
      });
      const { executionMessage } = await import('@cascade/core');
      expect(executionMessage((await h.executions.get(executionId))!, [item!])).toMatchObject({
        usage,
        items: [{ usage }],
      });
    } finally {
      h.scriptModel();
    }
  });

  it('keeps every state payload small: ids and pointers, never transcripts or results', async () => {
    await h.run({ content: 'Profile it', items: [{ id: 'p', input: 'profile lalonde.csv' }] });
    expect(Math.max(...h.lambdaInputs.map((i) => i.bytes))).toBeLessThan(2048);
    expect(h.s3.keys(`${bucket}/jobs/`).length).toBeGreaterThan(0);
  });

  it('one item whose analysis fails: that item fails with the task’s own sentence, the others succeed, the run is PARTIAL', async () => {
    h.setTaskBehaviour((tool) =>
      tool === 'estimate_effect'
        ? { fail: { error: 'ColumnNotFound', cause: 'The column "re78" is not numeric.' } }
        : 'succeed',
    );
    const { executionId } = await h.run({ content: 'Three again', items: threeQuestions });
    expect(await h.executions.get(executionId)).toMatchObject({
      status: 'PARTIAL',
      completedItems: 3,
      failedItems: 1,
    });
    const effect = await h.items.get(executionId, 'effect');
    expect(effect).toMatchObject({ status: 'FAILED', error: 'The column "re78" is not numeric.' });
    expect((await h.items.get(executionId, 'profile'))?.status).toBe('SUCCEEDED');
    const progress = h.events().filter((e) => e.action === 'progress');
    expect(progress.find((p) => p.action === 'progress' && p.item.id === 'effect')).toMatchObject({
      item: { status: 'FAILED', error: 'The column "re78" is not numeric.' },
    });
    expect(h.events().filter((e) => e.action === 'response')).toMatchObject([{ status: 'PARTIAL' }]);
  });

  it('a task that runs past its timeout fails only its item and is stopped', async () => {
    h.setTaskBehaviour((tool) => (tool === 'profile' ? 'hang' : 'succeed'));
    const { executionId } = await h.run(
      { content: 'Two', items: threeQuestions.slice(0, 2) },
      { patch: runAnalysis({ TimeoutSeconds: 1 }) },
    );
    expect(await h.items.get(executionId, 'profile')).toMatchObject({
      status: 'FAILED',
      error: 'The analysis took longer than its time limit and was stopped.',
    });
    expect((await h.items.get(executionId, 'columns'))?.status).toBe('SUCCEEDED');
    expect((await h.executions.get(executionId))?.status).toBe('PARTIAL');
    expect(h.stoppedTasks.length).toBeGreaterThan(0);
  });

  it('a task that stops heartbeating fails only its item', async () => {
    h.setTaskBehaviour(() => 'hang');
    const { executionId } = await h.run(
      { content: 'One', items: [{ id: 'quiet', input: 'profile lalonde.csv' }] },
      { patch: runAnalysis({ HeartbeatSeconds: 1 }) },
    );
    expect(await h.items.get(executionId, 'quiet')).toMatchObject({
      status: 'FAILED',
      error: 'The analysis task stopped responding and was given up.',
    });
    expect((await h.executions.get(executionId))?.status).toBe('FAILED');
  });

  it('retries a task that could not start for lack of capacity', async () => {
    h.setTaskBehaviour((_tool, attempt) => (attempt === 1 ? 'refuse-to-start' : 'succeed'));
    const { executionId } = await h.run({ content: 'profile lalonde.csv' });
    expect((await h.executions.get(executionId))?.status).toBe('SUCCEEDED');
  });

  it('a question without a dataset lists the datasets and says how to ask', async () => {
    const { executionId } = await h.run({ content: 'hello, what can you do?' });
    const [item] = await h.items.list(executionId);
    expect(item?.output?.text).toContain('You can analyse 2 datasets');
    expect(item?.output?.text).toContain('offline rules planner');
  });

  it('a follow-up in the same session finds the dataset the conversation was about', async () => {
    const first = await h.run({ content: 'what columns does churn.csv have?' });
    const second = await h.run({ content: 'now profile it', sessionId: first.sessionId });
    const [item] = await h.items.list(second.executionId);
    expect(item?.request).toMatchObject({ intent: 'profile', datasetId: 'churn.csv' });
  });

  it('answers a small analysis inside Dispatch with the real engine: no task, the numbers from the data', async () => {
    h.engineInDispatch(true);
    try {
      const { executionId } = await h.run({ content: 'average re78 by treat in lalonde.csv' });
      const [item] = await h.items.list(executionId);
      expect(item?.status).toBe('SUCCEEDED');
      // The harness's lalonde: re78 = 5000 + 1500·treat + 37·i with treat = 1 on every third row: means 5,721.5 and 7,221.5.
      expect(item?.output?.text).toContain('The average of re78 by treat: 0 **5,722**, 1 **7,222**.');
      expect(item?.output?.text).toContain('```sql\nSELECT "treat", avg("re78")');
      expect(item?.output?.charts?.[0]).toMatchObject({ kind: 'bar', x: 'treat' });
      // No job for the Fargate task: the result document Dispatch kept is the only trace in S3.
      expect(h.s3.keys(`${bucket}/jobs/`).filter((k) => k.includes(executionId))).toEqual([]);
      expect(h.s3.keys(`${bucket}/results/`).filter((k) => k.includes(executionId))).toHaveLength(1);
    } finally {
      h.engineInDispatch(false);
    }
  });
});

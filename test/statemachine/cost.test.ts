import { executionCost, type functionSizes, itemSteps, usageOfRun } from '@cascade/core';
import { describe, expect, it } from 'vitest';
import { useStateMachineHarness } from './harness';

/**
 * The run's trace and cost against the engine itself: the states each item entered and the
 * functions the engine invoked, counted by aws-local-stepfunctions while it ran the real ASL, must
 * be exactly what the estimate counts from the items' records afterwards.
 */
const h = useStateMachineHarness();

/** Lambda Task states by the function they invoke (RunAnalysis is the ECS task). */
const lambdaStates: Record<string, keyof typeof functionSizes> = {
  Parse: 'Parse',
  InvokeModel: 'InvokeModel',
  Dispatch: 'Dispatch',
  Append: 'Append',
  RecordFailure: 'RecordFailure',
  Finish: 'Finish',
};

async function counted(request: Parameters<typeof h.run>[0]) {
  const run = await h.run(request);
  const execution = (await h.executions.get(run.executionId))!;
  const records = await h.items.list(run.executionId);
  const usage = usageOfRun(execution, records);
  const invoked: Record<string, number> = {};
  for (const { name } of usage.invocations) invoked[name] = (invoked[name] ?? 0) + 1;
  const engineInvoked: Record<string, number> = {};
  for (const [state, count] of Object.entries(run.calls))
    if (lambdaStates[state]) engineInvoked[lambdaStates[state]] = count;
  return { run, execution, records, usage, invoked, engineInvoked };
}

describe("a run's cost, counted from its items' records", () => {
  it('matches the engine state for state: analyses on the task, a failed item, the run itself', async () => {
    h.setTaskBehaviour((tool) =>
      tool === 'estimate_effect'
        ? { fail: { error: 'ColumnNotFound', cause: 'The column is gone.' } }
        : 'succeed',
    );
    const { run, execution, records, usage, invoked, engineInvoked } = await counted({
      content: 'Three kinds',
      items: [
        { id: 'profile', input: 'profile lalonde.csv' },
        { id: 'describe', input: 'what columns does lalonde.csv have?' },
        {
          id: 'effect',
          input: 'what is the effect of treat on re78 in lalonde.csv, adjusting for age and educ?',
        },
      ],
    });
    expect(execution.status).toBe('PARTIAL');
    expect(run.retries()).toBe(0);
    // Every state entered, the Map and Finish included, is one transition.
    expect(usage.transitions).toBe(run.entered.length);
    expect(records.every((r) => !itemSteps(r, false).some((s) => s.retries))).toBe(true);
    // The `query` route is not the engine's: every other invocation is one the engine made.
    const { query, ...steps } = invoked;
    expect(query).toBe(1);
    expect(steps).toEqual(engineInvoked);
    expect(usage.tasks).toHaveLength(run.calls.RunAnalysis ?? 0);
    // The README's path for an analysis on Fargate: 13 transitions and 7 invocations.
    const profile = records.find((r) => r.itemId === 'profile')!;
    const effect = records.find((r) => r.itemId === 'effect')!;
    expect(itemSteps(profile, false).map((s) => s.node)).toEqual(['Parse', 'Model', 'Analysis', 'Model']);
    expect(itemSteps(effect, false).map((s) => [s.node, s.outcome])).toEqual([
      ['Parse', 'ok'],
      ['Model', 'ok'],
      ['Analysis', 'failed'],
      ['Failure', 'failed'],
    ]);
    const analysis = itemSteps(profile, false).find((s) => s.node === 'Analysis')!;
    expect(analysis).toMatchObject({ tool: 'profile', outcome: 'ok' });
    expect(analysis.durationMs).toBeGreaterThanOrEqual(0);
    const cost = executionCost(execution, records);
    expect(cost.lines.find((l) => l.service === 'Step Functions state transitions')).toEqual({
      service: 'Step Functions state transitions',
      quantity: run.entered.length,
      unit: 'transitions',
      usd: Math.round(run.entered.length * 0.000025 * 1e9) / 1e9,
    });
    expect(cost.usd).toBeCloseTo(
      cost.lines.reduce((sum, l) => sum + l.usd, 0),
      6,
    );
  });

  it('counts a retried model call, as the engine ran it', async () => {
    const provider = h.agent().provider;
    const decide = provider.decide.bind(provider);
    let calls = 0;
    h.scriptModel(
      async (input) => {
        calls += 1;
        if (calls === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return decide(input);
      },
      { name: 'rules' },
    );
    try {
      const { run, usage, invoked, engineInvoked, records } = await counted({
        content: 'what columns does lalonde.csv have?',
      });
      expect(run.retries()).toBe(1);
      expect(records[0]!.attempts).toEqual(['parse', '000-model', '000-model', '000-tool', '001-model']);
      // A retry is a transition of its own, and one more invocation.
      expect(usage.transitions).toBe(run.entered.length + run.retries());
      const { query: _query, ...steps } = invoked;
      expect(steps).toEqual(engineInvoked);
      expect(itemSteps(records[0]!, false).find((s) => s.node === 'Model')).toMatchObject({
        turn: 0,
        retries: 1,
      });
    } finally {
      h.scriptModel();
    }
  });

  it('matches the engine for an analysis Dispatch answers itself', async () => {
    h.engineInDispatch(true);
    try {
      const { run, usage, invoked, engineInvoked, records } = await counted({
        content: 'average re78 by treat in lalonde.csv',
      });
      expect(usage.transitions).toBe(run.entered.length);
      const { query: _query, ...steps } = invoked;
      expect(steps).toEqual(engineInvoked);
      // Parse, InvokeModel, Dispatch, Route, Append, Loop, InvokeModel, Dispatch, Route, Append, Loop,
      // ItemDone: 12, plus ProcessItems and Finish.
      expect(run.entered.length).toBe(14);
      expect(itemSteps(records[0]!, false).map((s) => s.node)).toEqual([
        'Parse',
        'Model',
        'Dispatch',
        'Model',
      ]);
    } finally {
      h.engineInDispatch(false);
    }
  });
});

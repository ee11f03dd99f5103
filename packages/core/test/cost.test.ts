import { describe, expect, it } from 'vitest';
import { type ItemRecord, itemSteps, itemUsage, modelPrice, prices, priceUsage, usageOfRun } from '../src';

/** Items as the steps leave them: one answered through a Fargate analysis, one still at its model call. */
const at = (second: number) => new Date(Date.UTC(2026, 11, 6, 12, 0, second)).toISOString();

const analysed: ItemRecord = {
  executionId: 'e',
  itemId: 'a',
  index: 0,
  input: 'profile big.csv',
  status: 'SUCCEEDED',
  durationMs: 95_000,
  parsed: { startedAt: at(0), durationMs: 400 },
  request: { text: 'profile big.csv', intent: 'profile' },
  turns: {
    '000-model': {
      kind: 'model',
      turn: 0,
      provider: 'bedrock',
      startedAt: at(1),
      durationMs: 3000,
      decision: {
        kind: 'tool',
        model: 'us.amazon.nova-pro-v1:0',
        usage: { inputTokens: 2500, outputTokens: 200 },
        calls: [{ toolUseId: 't1', name: 'profile', input: { datasetId: 'big.csv' } }],
      },
    },
    '000-tool': {
      kind: 'tool',
      turn: 0,
      toolUseId: 't1',
      name: 'profile',
      ok: true,
      observation: '{}',
      where: 'task',
      startedAt: at(4),
      durationMs: 88_000,
      queueMs: 40_000,
      runMs: 45_000,
    },
    '001-model': {
      kind: 'model',
      turn: 1,
      provider: 'bedrock',
      startedAt: at(92),
      durationMs: 2000,
      decision: {
        kind: 'final',
        text: 'It has 3 columns.',
        model: 'us.amazon.nova-pro-v1:0',
        usage: { inputTokens: 3000, outputTokens: 300 },
      },
    },
  },
};

const thinking: ItemRecord = {
  executionId: 'e',
  itemId: 'b',
  index: 1,
  input: 'how many rows?',
  status: 'RUNNING',
  step: 'model',
  parsed: { startedAt: at(0), durationMs: 300 },
  request: { text: 'how many rows?', intent: 'shape' },
  turns: {},
};

describe("an item's trace", () => {
  it('lists its steps in order, with times, tokens and a task split into its wait and its run', () => {
    expect(itemSteps(analysed, false)).toEqual([
      { node: 'Parse', outcome: 'ok', startedAt: at(0), durationMs: 400 },
      {
        node: 'Model',
        outcome: 'ok',
        turn: 0,
        startedAt: at(1),
        durationMs: 3000,
        provider: 'bedrock',
        model: 'us.amazon.nova-pro-v1:0',
        inputTokens: 2500,
        outputTokens: 200,
      },
      {
        node: 'Analysis',
        outcome: 'ok',
        turn: 0,
        tool: 'profile',
        startedAt: at(4),
        durationMs: 88_000,
        queueMs: 40_000,
        runMs: 45_000,
      },
      {
        node: 'Model',
        outcome: 'ok',
        turn: 1,
        startedAt: at(92),
        durationMs: 2000,
        provider: 'bedrock',
        model: 'us.amazon.nova-pro-v1:0',
        inputTokens: 3000,
        outputTokens: 300,
      },
    ]);
    expect(itemSteps(analysed, true)[2]).toMatchObject({ input: '{"datasetId":"big.csv"}' });
  });

  it('shows no model call in flight while a final answer goes through Dispatch and Append', () => {
    const answering: ItemRecord = { ...structuredClone(analysed), status: 'RUNNING', step: 'model' };
    expect(itemSteps(answering, false).map((s) => [s.node, s.outcome])).toEqual([
      ['Parse', 'ok'],
      ['Model', 'ok'],
      ['Analysis', 'ok'],
      ['Model', 'ok'],
    ]);
  });

  it('times a failed task from its dispatch to the failure, and bills it', () => {
    const failed: ItemRecord = structuredClone(analysed);
    delete failed.turns!['000-tool'];
    delete failed.turns!['001-model'];
    Object.assign(failed, {
      status: 'FAILED',
      error: 'The analysis task was killed by SIGKILL.',
      failedIn: 'profile',
      failedInTask: true,
      failedStep: { startedAt: at(4), durationMs: 120_000 },
    });
    expect(itemSteps(failed, false).slice(-2)).toEqual([
      {
        node: 'Analysis',
        outcome: 'failed',
        turn: 0,
        tool: 'profile',
        startedAt: at(4),
        durationMs: 120_000,
      },
      { node: 'Failure', outcome: 'failed', tool: 'profile' },
    ]);
    expect(itemUsage(failed).tasks).toEqual([{ tool: 'profile', seconds: 120 }]);
    // Parse, InvokeModel, Dispatch, Route, RunAnalysis, RecordFailure, ItemDone.
    expect(itemUsage(failed).transitions).toBe(7);
  });

  it('shows a step in flight as running', () => {
    expect(itemSteps(thinking, false).map((s) => [s.node, s.outcome])).toEqual([
      ['Parse', 'ok'],
      ['Model', 'running'],
    ]);
  });
});

describe("a run's cost", () => {
  it('counts the ASL path: 13 transitions and 7 invocations for an analysis on Fargate', () => {
    const usage = itemUsage(analysed);
    expect(usage.transitions).toBe(13);
    expect(usage.invocations.map((i) => i.name)).toEqual([
      'Parse',
      'InvokeModel',
      'Dispatch',
      'Append',
      'InvokeModel',
      'Dispatch',
      'Append',
    ]);
    expect(usage.tasks).toEqual([{ tool: 'profile', seconds: 85 }]);
  });

  it('prices each line from the one price table, exactly', () => {
    const cost = priceUsage(usageOfRun({ status: 'SUCCEEDED' }, [analysed]));
    const line = (service: string) => cost.lines.find((l) => l.service === service);
    // ProcessItems, Finish and the item's 13.
    expect(line('Step Functions state transitions')).toEqual({
      service: 'Step Functions state transitions',
      quantity: 15,
      unit: 'transitions',
      usd: 0.000375,
    });
    // query, Finish and the item's 7.
    expect(line('Lambda requests')).toMatchObject({ quantity: 9, usd: 0.0000018 });
    // arm64 at 512 MB: query, Finish, two Appends at 0.25 s; Parse 0.4 s; InvokeModel 3 s and 2 s.
    const armSeconds = 0.25 * 4 + 0.4 + 3 + 2;
    expect(line('Lambda compute (arm64)')).toMatchObject({
      quantity: armSeconds / 2,
      usd: Math.round((armSeconds / 2) * prices.lambdaGbSecond.arm64 * 1e9) / 1e9,
    });
    // x86-64 at 2048 MB: two Dispatches at the assumed 0.25 s.
    expect(line('Lambda compute (x86_64)')).toMatchObject({ quantity: 1 });
    // Fargate: 85 s at 1 vCPU / 2 GB (profile's size), above the one-minute minimum.
    expect(line('Fargate vCPU')).toMatchObject({ quantity: Math.round((85 / 3600) * 1000) / 1000 });
    expect(line('Fargate memory')!.usd).toBe(
      Math.round(((2 * 85) / 3600) * prices.fargateGbHour * 1e9) / 1e9,
    );
    // Nova Pro through its cross-region profile: the foundation model's price.
    expect(modelPrice('us.amazon.nova-pro-v1:0')).toEqual({ input: 0.0008, output: 0.0032 });
    expect(line('us.amazon.nova-pro-v1:0 input tokens')).toEqual({
      service: 'us.amazon.nova-pro-v1:0 input tokens',
      quantity: 5500,
      unit: 'tokens',
      usd: 0.0044,
    });
    expect(line('us.amazon.nova-pro-v1:0 output tokens')).toMatchObject({ quantity: 500, usd: 0.0016 });
    expect(cost).toMatchObject({ estimate: true, region: 'us-east-1' });
    expect(cost.usd).toBe(Math.round(cost.lines.reduce((sum, l) => sum + l.usd, 0) * 1e9) / 1e9);
  });

  it('bills a short task its one-minute minimum, and names a model it has no price for', () => {
    const quick: ItemRecord = structuredClone(analysed);
    const tool = quick.turns!['000-tool'] as { queueMs: number; runMs: number };
    tool.queueMs = 10_000;
    tool.runMs = 5_000;
    const model = quick.turns!['000-model'] as { decision: { model: string } };
    model.decision.model = 'llama3.1:8b';
    const cost = priceUsage(usageOfRun({ status: 'SUCCEEDED' }, [quick]));
    expect(cost.lines.find((l) => l.service === 'Public IPv4 (Fargate tasks)')).toMatchObject({
      quantity: Math.round((60 / 3600) * 1000) / 1000,
    });
    expect(cost.lines.find((l) => l.service === 'llama3.1:8b input tokens (no price known)')).toMatchObject({
      quantity: 2500,
      usd: 0,
    });
  });

  it('counts nothing for an item not yet parsed, and no Finish while the run goes on', () => {
    const pending: ItemRecord = { executionId: 'e', itemId: 'p', index: 2, input: 'x', status: 'PENDING' };
    expect(itemUsage(pending).transitions).toBe(0);
    const running = usageOfRun({ status: 'RUNNING' }, [pending]);
    expect(running.transitions).toBe(1);
    expect(running.invocations.map((i) => i.name)).toEqual(['query']);
  });
});

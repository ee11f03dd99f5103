import { describe, expect, it } from 'vitest';
import { type ItemRecord, itemSteps, itemUsage } from '../../src';
import { analysed, at, thinking } from '../fixtures/items';

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

import { describe, expect, it } from 'vitest';
import {
  type CostLine,
  type ItemRecord,
  itemUsage,
  modelPrice,
  prices,
  priceUsage,
  usageOfRun,
} from '../../src';
import { analysed } from '../fixtures/items';

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
    const expectLine = (service: string, figures: Omit<CostLine, 'service'>) =>
      expect(line(service)).toEqual({ service, ...figures });
    // ProcessItems, Finish and the item's 13.
    expectLine('Step Functions state transitions', { quantity: 15, unit: 'transitions', usd: 0.000375 });
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
    expectLine('us.amazon.nova-pro-v1:0 input tokens', { quantity: 5500, unit: 'tokens', usd: 0.0044 });
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

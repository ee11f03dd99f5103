import { randomUUID } from 'node:crypto';
import type { ServerMessageOf } from '@cascade/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectedSuite } from './connected-suite';
import { isResponseFor, uploadCsv } from './harness';

/**
 * What an item asks of AWS, counted at the local cloud's edge and in its engine: the bench
 * (`npm run bench -- requests`) reports it per item kind; this keeps the analysis-in-Dispatch
 * path from growing back. An item's own requests are the difference between a batch of four
 * and a batch of two, so each run's start and finish cancel out.
 */
const suite = connectedSuite();
beforeAll(() =>
  uploadCsv(suite.client, 'small.csv', 'order_id,region,amount\n1,north,10.5\n2,south,22\n3,north,7\n'),
);

async function batch(size: number): Promise<Record<string, number>> {
  const before = suite.cloud.requests.snapshot();
  const messageId = randomUUID();
  const question = 'profile small.csv';
  suite.client.send({
    action: 'query',
    messageId,
    payload: {
      content: question,
      items: Array.from({ length: size }, (_, i) => ({ id: `i${i}`, input: question })),
    },
  });
  const ack = await suite.client.waitFor<ServerMessageOf<'ack'>>(
    (m) => m.action === 'ack' && m.messageId === messageId,
  );
  const response = await suite.client.waitFor<ServerMessageOf<'response'>>(
    isResponseFor(ack.executionId),
    60_000,
  );
  expect(response.status).toBe('SUCCEEDED');
  const after = suite.cloud.requests.snapshot();
  return Object.fromEntries(Object.entries(after).map(([key, n]) => [key, n - (before[key] ?? 0)]));
}

describe('requests per item', () => {
  it('an analysis answered inside Dispatch takes 12 transitions, 7 invocations, 5 item reads and 10 writes', async () => {
    // A user's questions and a connection's messages are counted in one-minute windows, and the
    // first count of a window costs one more write: all three batches run inside one minute.
    const minute = () => Math.floor(Date.now() / 60_000);
    let two: Record<string, number> = {};
    let four: Record<string, number> = {};
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = minute();
      await batch(1);
      two = await batch(2);
      four = await batch(4);
      if (minute() === started) break;
    }
    const perItem = (key: string) => ((four[key] ?? 0) - (two[key] ?? 0)) / 2;
    expect(perItem('states:StateTransition')).toBe(12);
    expect(perItem('lambda:Invoke')).toBe(7);
    // Parse, both model turns, the tool's Dispatch and the answering Append read the item once each.
    expect(perItem('dynamodb:GetItem')).toBe(5);
    // Two writes each for Parse, both model turns and the tool; the item's end and its count.
    expect(perItem('dynamodb:UpdateItem')).toBe(10);
    // Parse's look at the conversation, and the user's connections at most once per step function
    // (the offline planner reads no history of its own).
    expect(perItem('dynamodb:Query')).toBeLessThanOrEqual(5);
    expect(perItem('execute-api:PostToConnection')).toBe(13);
  });
});

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { samplesDirectory } from '@cascade/analysis/datasets/directory';
import type { ServerMessageOf } from '@cascade/core';
import { describe, expect, it } from 'vitest';
import { connectedSuite } from './connected-suite';
import { isResponseFor } from './harness';

/**
 * The offline planner through the whole local cloud, as a person uses it: questions in one
 * session, each follow-up changing one part of the one before, answered from the data. The
 * expected numbers are computed here from the CSV itself, not by Cascade.
 */

const churn = readFileSync(join(samplesDirectory, 'churn.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  // The churn sample has no quoted commas before the free-text column at the end.
  .map((line) => line.split(','))
  .map((cells) => ({
    plan: cells[2]!,
    region: cells[3]!,
    fee: Number(cells[4]),
    autopay: cells[7] === 'true',
  }));

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
};
/** As the answers print numbers: four significant digits, thousands separated. */
const shown = (value: number) =>
  value.toLocaleString('en-US', {
    maximumFractionDigits: Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value)))),
  });

describe('a conversation with the offline planner through the local cloud', () => {
  const suite = connectedSuite();
  let sessionId: string | undefined;

  async function ask(content: string): Promise<ServerMessageOf<'response'>> {
    const messageId = randomUUID();
    suite.client.send({ action: 'query', messageId, ...(sessionId && { sessionId }), payload: { content } });
    const ack = await suite.client.waitFor<ServerMessageOf<'ack'>>(
      (m) => m.action === 'ack' && m.messageId === messageId,
    );
    sessionId = ack.sessionId;
    return suite.client.waitFor<ServerMessageOf<'response'>>(isResponseFor(ack.executionId), 60_000);
  }

  it('answers a grouped average, then follows "now by region", "and the median?" and "only for autopay customers"', async () => {
    const plans = ['basic', 'premium', 'standard'];
    const first = await ask('what is the average monthly fee by plan in the churn data?');
    expect(first.status).toBe('SUCCEEDED');
    expect(first.summary).toContain('_Question read as: the average of monthly_fee by plan in churn.csv._');
    for (const plan of plans)
      expect(first.summary).toContain(
        `${plan} **${shown(mean(churn.filter((r) => r.plan === plan).map((r) => r.fee)))}**`,
      );
    expect(first.summary).toContain('```sql');
    expect(first.items[0]!.output!.charts![0]).toMatchObject({ kind: 'bar', x: 'plan' });

    const byRegion = await ask('now by region');
    for (const region of ['east', 'north', 'south', 'west'])
      expect(byRegion.summary).toContain(
        `${region} **${shown(mean(churn.filter((r) => r.region === region).map((r) => r.fee)))}**`,
      );

    const medians = await ask('and the median?');
    expect(medians.summary).toContain(
      '_Question read as: the median of monthly_fee by region in churn.csv._',
    );
    expect(medians.summary).toContain(
      `north **${shown(median(churn.filter((r) => r.region === 'north').map((r) => r.fee)))}**`,
    );

    const autopay = await ask('only for customers on autopay');
    expect(autopay.summary).toContain('for rows where autopay = true');
    expect(autopay.summary).toContain(
      `south **${shown(median(churn.filter((r) => r.region === 'south' && r.autopay).map((r) => r.fee)))}**`,
    );
  });

  it('refuses what it does not understand, in the same session, and the next follow-up still builds on the last answer', async () => {
    const refused = await ask('and the average salary?');
    expect(refused.summary).toMatch(
      /^I can't answer that as asked\. churn\.csv has no column \(or value\) called "salary"/,
    );
    const next = await ask('what about the maximum instead?');
    expect(next.summary).toContain(
      '_I did not understand your previous question ("and the average salary?")',
    );
    expect(next.summary).toContain('the maximum of monthly_fee by region');
  });

  it('compares groups and carries a question to another dataset', async () => {
    const compared = await ask('is basket value different between mobile and desktop in the a/b test?');
    expect(compared.summary).toMatch(
      /basket_value (differs|does not differ significantly) between the groups of device/,
    );
    expect(compared.summary).toContain("Welch's t-test");
    const rows = await ask('how many rows does lalonde.csv have?');
    expect(rows.summary).toContain('**614**');
    const moved = await ask('same for churn.csv');
    expect(moved.summary).toContain('**2,000**');
  });
});

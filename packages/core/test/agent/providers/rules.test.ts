import { describe, expect, it } from 'vitest';
import { createRulesPlanner, rulesFooter } from '../../../src/agent/providers/rules';
import type { ModelContext } from '../../../src/agent/providers/types';
import { parseRequest } from '../../../src/agent/request/parse';
import type { Decision, ParsedRequest, Turn } from '../../../src/agent/run/transcript';
import { sampleDatasets, sampleSchema } from '../planner/fixtures';

const planner = createRulesPlanner();

async function requestFor(question: string): Promise<ParsedRequest> {
  return parseRequest({
    content: question,
    input: question,
    datasets: sampleDatasets,
    history: [],
    schemaOf: async (id) => sampleSchema(id),
  });
}

function context(request: ParsedRequest, turns: Turn[] = []): ModelContext {
  return { request, history: [], turns, turn: turns.length / 2, maxSteps: 6 };
}

/** The transcript grown by the planner's own call and the tool's answer. */
function answered(turns: Turn[], decision: Decision, observation: unknown, ok = true): Turn[] {
  if (decision.kind !== 'tool') throw new Error(`expected a tool call, got ${JSON.stringify(decision)}`);
  const turn = turns.length / 2;
  return [
    ...turns,
    { kind: 'model', turn, decision },
    {
      kind: 'tool',
      turn,
      toolUseId: decision.calls[0]!.toolUseId,
      name: decision.calls[0]!.name,
      ok,
      observation: typeof observation === 'string' ? observation : JSON.stringify(observation),
    },
  ];
}

const finalText = (decision: Decision) => {
  if (decision.kind !== 'final') throw new Error(`expected an answer, got ${JSON.stringify(decision)}`);
  return decision.text;
};

/**
 * A question put to the planner: its first call, and the answer it writes once that call's tool
 * has replied (most questions take one call; a test that needs two goes on from `request`).
 */
async function ask(question: string) {
  const request = await requestFor(question);
  const call = await planner.decide(context(request));
  const answerWith = async (observation: unknown, ok = true) =>
    finalText(await planner.decide(context(request, answered([], call, observation, ok))));
  return { request, call, answerWith };
}

/** A reply of one tool call, flattened for assertions: the planner makes one call per turn. */
function single(decision: Decision) {
  if (decision.kind !== 'tool') return decision;
  expect(decision.calls).toHaveLength(1);
  return { kind: decision.kind, ...decision.calls[0]! };
}

describe('the rules planner', () => {
  it('answers an aggregate with one query, the numbers in a sentence, the SQL to check them, and says what it is', async () => {
    const { call, answerWith } = await ask('average monthly fee by plan in the churn data');
    expect(single(call)).toMatchObject({
      kind: 'tool',
      name: 'query_data',
      input: {
        datasetId: 'churn.csv',
        sql: 'SELECT "plan", avg("monthly_fee") AS "mean_monthly_fee", count(*) AS rows\nFROM data\nGROUP BY "plan"\nORDER BY "plan"',
        chart: { kind: 'bar', x: 'plan', y: 'mean_monthly_fee' },
      },
    });
    const result = {
      sql: (call as unknown as { calls: [{ input: { sql: string } }] }).calls[0].input.sql,
      columns: [
        { name: 'plan', type: 'VARCHAR' },
        { name: 'mean_monthly_fee', type: 'DOUBLE' },
        { name: 'rows', type: 'BIGINT' },
      ],
      rows: [
        ['basic', 19.87, 1012],
        ['premium', 64.1234, 402],
        ['standard', 38.5, 586],
      ],
      rowCount: 3,
      warnings: [],
    };
    const text = await answerWith(result);
    expect(text).toContain('_Question read as: the average of monthly_fee by plan in churn.csv._');
    expect(text).toContain(
      'The average of monthly_fee by plan: basic **19.87**, premium **64.12**, standard **38.5**.',
    );
    expect(text).toContain('```sql\nSELECT "plan", avg("monthly_fee")');
    expect(text.endsWith(rulesFooter)).toBe(true);
  });

  it('names the top group and the runner-up, and says when groups tie', async () => {
    const { call, answerWith } = await ask('which plan has the highest churn rate?');
    expect((call as unknown as { calls: [{ input: { sql: string } }] }).calls[0].input.sql).toContain(
      'ORDER BY "share_churned" DESC NULLS LAST, "plan"',
    );
    const rows = (values: [string, number][]) => ({
      sql: 'SELECT …',
      columns: [
        { name: 'plan', type: 'VARCHAR' },
        { name: 'share_churned', type: 'DOUBLE' },
        { name: 'rows', type: 'BIGINT' },
      ],
      rows: values.map(([plan, share]) => [plan, share, 100]),
      rowCount: values.length,
    });
    const one = await answerWith(
      rows([
        ['basic', 0.312],
        ['standard', 0.2],
      ]),
    );
    expect(one).toContain(
      '**basic** has the highest share of churned = true: **31.2 %** (next: standard at 20 %).',
    );
    const tie = await answerWith(
      rows([
        ['basic', 0.3],
        ['premium', 0.3],
        ['standard', 0.1],
      ]),
    );
    expect(tie).toContain('**basic** and **premium** share the highest share of churned = true: **30 %**');
  });

  it('runs two queries for a distribution: the numbers, then the histogram', async () => {
    const { request, call: first } = await ask(
      'what does the distribution of tenure look like in churn.csv?',
    );
    expect(single(first)).toMatchObject({
      name: 'query_data',
      input: { sql: expect.stringContaining('quantile_cont("tenure_months", 0.25) AS q25') },
    });
    const stats = {
      sql: 'SELECT …',
      columns: ['n', 'missing', 'mean', 'std', 'min', 'q25', 'median', 'q75', 'max'].map((name) => ({
        name,
        type: 'DOUBLE',
      })),
      rows: [[2000, 0, 24.3, 12.1, 1, 15, 22, 33, 48]],
      rowCount: 1,
    };
    const turns = answered([], first, stats);
    const second = await planner.decide(context(request, turns));
    expect(single(second)).toMatchObject({
      name: 'query_data',
      input: {
        sql: 'SELECT "tenure_months"\nFROM data\nWHERE "tenure_months" IS NOT NULL',
        chart: { kind: 'histogram', x: 'tenure_months' },
      },
    });
    const text = finalText(
      await planner.decide(context(request, answered(turns, second, { ...stats, rows: [] }))),
    );
    expect(text).toContain(
      'tenure_months: 2,000 values, mean **24.3**, median **22**, standard deviation 12.1; from 1 to 48, with the middle half between 15 and 33 (quartiles; interquartile range 18).',
    );
  });

  it('compares groups with the test the outcome needs and says whether the difference is significant', async () => {
    const { call, answerWith } = await ask(
      'is basket value different between mobile and desktop in the a/b test?',
    );
    expect(single(call)).toMatchObject({
      name: 'compare_groups',
      input: {
        datasetId: 'checkout_ab.csv',
        outcome: 'basket_value',
        group: 'device',
        groups: ['mobile', 'desktop'],
      },
    });
    const result = {
      outcome: 'basket_value',
      group: 'device',
      outcomeKind: 'numeric',
      n: 4100,
      dropped: 0,
      groups: [
        { level: 'mobile', n: 2300, mean: 45.2, std: 10, median: 44 },
        { level: 'desktop', n: 1800, mean: 49.8, std: 11, median: 49 },
      ],
      tests: [
        {
          test: 'welch_t',
          statistic: -13.9,
          df: 3700,
          pValue: 1e-40,
          difference: { estimate: -4.6, ci: [-5.25, -3.95], label: 'mobile − desktop' },
          effectSize: { name: 'cohens_d', value: -0.44 },
        },
        { test: 'mann_whitney', statistic: 1.7e6, pValue: 2e-38 },
      ],
    };
    const text = await answerWith(result);
    expect(text).toContain(
      'basket_value differs between the groups of device: the difference is statistically significant at the 5 % level (p < 0.001).',
    );
    expect(text).toContain('device = mobile: mean **45.2**');
    expect(text).toContain(
      "Welch's t-test: t = -13.9, p < 0.001; difference mobile − desktop **-4.6** (95 % CI -5.25 to -3.95)",
    );
  });

  it('leads an effect with the method asked for and says which covariates it chose', async () => {
    const { call, answerWith } = await ask(
      'what is the effect of the new checkout on basket value, using ipw?',
    );
    expect(single(call)).toMatchObject({
      name: 'estimate_effect',
      input: {
        treatment: 'new_checkout',
        outcome: 'basket_value',
        covariates: ['device', 'country', 'returning'],
        method: 'ipw',
      },
    });
    const result = {
      treatment: 'new_checkout',
      outcome: 'basket_value',
      covariates: ['device', 'country', 'returning'],
      n: 5000,
      treated: 2500,
      control: 2500,
      dropped: 0,
      headline: 'ipw_hajek',
      estimates: [
        { method: 'difference_in_means', estimand: 'ATE', estimate: 2.4, se: 0.3, ci: [1.8, 3] },
        { method: 'ipw_hajek', estimand: 'ATE', estimate: 2.5, se: 0.3, ci: [1.9, 3.1] },
      ],
      warnings: [],
    };
    const text = await answerWith(result);
    expect(text).toContain(
      'IPW (Hájek) estimates the ATE of **new_checkout** on **basket_value** at **+2.5** (95 % CI 1.9 to 3.1), an interval that excludes zero.',
    );
    expect(text).toContain(
      'The question named no covariates, so I adjusted for device, country and returning',
    );
  });

  it('refuses honestly, saying what it can answer instead, without calling a tool', async () => {
    const decision = await planner.decide(
      context(await requestFor("what's the average salary in the churn data")),
    );
    const text = finalText(decision);
    expect(text).toMatch(
      /^I can't answer that as asked\. churn\.csv has no column \(or value\) called "salary"/,
    );
    expect(text).toContain(
      'Here is what I can answer about churn.csv, for example:\n- "average monthly_fee by plan"',
    );
    expect(text.endsWith(rulesFooter)).toBe(true);
  });

  it('gives up with the tool’s own explanation when a tool fails', async () => {
    const { answerWith } = await ask('average monthly fee in churn.csv');
    const text = await answerWith('The query ran longer than 10 s and was stopped.', false);
    expect(text).toBe(
      `I couldn't answer the average of monthly_fee in churn.csv: The query ran longer than 10 s and was stopped.${rulesFooter}`,
    );
  });

  it('lists the datasets', async () => {
    const { call, answerWith } = await ask('which datasets do I have?');
    expect(single(call)).toMatchObject({ name: 'list_datasets', input: {} });
    const text = await answerWith({
      datasets: [{ id: 'churn.csv', name: 'Churn', rows: 2000, columns: 12, sample: true }],
    });
    expect(text).toContain('You can analyse 1 dataset:');
    expect(text).toContain('| churn.csv | Churn | 2000 | 12 | sample |');
  });

  it('is deterministic', async () => {
    const request = await requestFor('median basket value for returning visitors on desktop');
    expect(await planner.decide(context(request))).toEqual(await planner.decide(context(request)));
  });
});

import { describe, expect, it } from 'vitest';
import {
  createRulesPlanner,
  type Decision,
  type ModelContext,
  type ParsedRequest,
  rulesFooter,
  type Turn,
} from '../../src';

const planner = createRulesPlanner();

function context(request: Partial<ParsedRequest>, turns: Turn[] = []): ModelContext {
  return {
    request: { text: 'q', intent: 'unknown', ...request },
    history: [],
    turns,
    turn: turns.length / 2,
    maxSteps: 6,
  };
}

/** The transcript after the planner's own call and the tool's answer. */
function after(decision: Decision, observation: unknown, ok = true): Turn[] {
  if (decision.kind !== 'tool') throw new Error('expected a tool call');
  return [
    { kind: 'model', turn: 0, decision },
    {
      kind: 'tool',
      turn: 0,
      toolUseId: decision.toolUseId,
      name: decision.name,
      ok,
      observation: typeof observation === 'string' ? observation : JSON.stringify(observation),
    },
  ];
}

const describeObservation = {
  datasetId: 'lalonde.csv',
  rows: 614,
  sampledRows: 200,
  columns: [
    { name: 'treat', type: 'boolean', examples: ['0', '1'] },
    { name: 'age', type: 'integer', examples: ['37'] },
    { name: 'race', type: 'categorical', examples: ['black'] },
    { name: 're78', type: 'numeric', examples: ['9930.05'] },
  ],
};

/** An effect question that names its treatment, outcome and covariates. */
const namedEffect = {
  intent: 'effect' as const,
  datasetId: 'lalonde.csv',
  treatment: 'treat',
  outcome: 're78',
  covariates: ['age'],
};

describe('the rules planner', () => {
  it('lists the datasets when the question names none, then says how to ask', async () => {
    const first = await planner.decide(context({ intent: 'profile' }));
    expect(first).toMatchObject({ kind: 'tool', name: 'list_datasets', input: {} });
    const answer = await planner.decide(
      context(
        { intent: 'profile' },
        after(first, { datasets: [{ id: 'churn.csv', rows: 10, columns: 3, sample: true }] }),
      ),
    );
    expect(answer.kind).toBe('final');
    expect((answer as { text: string }).text).toContain('| churn.csv | 10 | 3 | sample |');
    expect((answer as { text: string }).text).toContain('Name one of them');
  });

  it('says there is nothing to analyse when there are no datasets', async () => {
    const first = await planner.decide(context({ intent: 'list' }));
    const answer = await planner.decide(context({ intent: 'list' }, after(first, { datasets: [] })));
    expect(answer).toEqual({
      kind: 'final',
      text: `There are no datasets yet. Upload a CSV file to get started.${rulesFooter}`,
    });
  });

  it('describes a dataset with one tool call', async () => {
    const request = { intent: 'describe' as const, datasetId: 'lalonde.csv' };
    const first = await planner.decide(context(request));
    expect(first).toMatchObject({
      kind: 'tool',
      name: 'describe_dataset',
      input: { datasetId: 'lalonde.csv' },
    });
    const answer = (await planner.decide(context(request, after(first, describeObservation)))) as {
      text: string;
    };
    expect(answer.text).toContain('**lalonde.csv** has 614 rows and 4 columns');
    expect(answer.text).toContain('| race | categorical | black |');
  });

  it('profiles a dataset and writes the numbers from the result', async () => {
    const request = { intent: 'profile' as const, datasetId: 'churn.csv' };
    const first = await planner.decide(context(request));
    expect(first).toMatchObject({ kind: 'tool', name: 'profile', input: { datasetId: 'churn.csv' } });
    const profile = {
      rows: 2000,
      columns: [
        { name: 'tenure', type: 'integer', missing: 20, unique: 70, mean: 32.5, q50: 29 },
        { name: 'plan', type: 'categorical', missing: 0, unique: 3 },
      ],
      strongestCorrelations: [{ a: 'tenure', b: 'fee', r: -0.41 }],
    };
    const text = ((await planner.decide(context(request, after(first, profile)))) as { text: string }).text;
    expect(text).toContain('**churn.csv** has 2,000 rows and 2 columns.');
    expect(text).toContain('Missing values: tenure (1 %).');
    expect(text).toContain('tenure 32.5, 29');
    expect(text).toContain('between tenure and fee (r = -0.41)');
    expect(text.endsWith(rulesFooter)).toBe(true);
  });

  it('estimates an effect straight away when treatment, outcome and covariates are named', async () => {
    expect(await planner.decide(context(namedEffect))).toMatchObject({
      kind: 'tool',
      name: 'estimate_effect',
      input: { datasetId: 'lalonde.csv', treatment: 'treat', outcome: 're78', covariates: ['age'] },
    });
  });

  it('reads the columns first when no covariates are named, then adjusts for the numeric ones', async () => {
    const request = {
      intent: 'effect' as const,
      datasetId: 'lalonde.csv',
      treatment: 'treat',
      outcome: 're78',
    };
    const first = await planner.decide(context(request));
    expect(first).toMatchObject({ name: 'describe_dataset' });
    const second = await planner.decide(context(request, after(first, describeObservation)));
    expect(second).toMatchObject({ name: 'estimate_effect', input: { covariates: ['age'] } });
  });

  it('explains which column it could not identify, listing the columns', async () => {
    const request = { intent: 'effect' as const, datasetId: 'lalonde.csv', outcome: 're78' };
    const first = await planner.decide(context(request));
    const answer = (await planner.decide(context(request, after(first, describeObservation)))) as {
      text: string;
    };
    expect(answer.text).toContain('I could not tell which column is the treatment in **lalonde.csv**');
    expect(answer.text).toContain('`treat`, `age`, `race`, `re78`');
  });

  it('reports the estimates, the headline interval and the warnings', async () => {
    const first = await planner.decide(context(namedEffect));
    const effect = {
      n: 614,
      treated: 185,
      control: 429,
      estimates: [
        { method: 'difference_in_means', estimand: 'ATE', estimate: -635.03, se: 657, ci: [-1925, 655] },
        { method: 'ipw_att', estimand: 'ATT', estimate: 1214.2, se: 780, ci: [-316, 2744.4] },
      ],
      warnings: ['12 units have propensity scores above 0.95.'],
    };
    const text = ((await planner.decide(context(namedEffect, after(first, effect)))) as { text: string })
      .text;
    expect(text).toContain('n = 614: 185 treated, 429 control, adjusting for age');
    expect(text).toContain('IPW estimates the ATT of **treat** on **re78** at **1,214**');
    expect(text).toContain('includes zero');
    expect(text).toContain('| Difference in means | ATE | -635 | -1,925 to 655 |');
    expect(text).toContain('- 12 units have propensity scores above 0.95.');
  });

  it('gives up with the tool’s own explanation when a tool fails', async () => {
    const request = { intent: 'profile' as const, datasetId: 'gone.csv' };
    const first = await planner.decide(context(request));
    const answer = await planner.decide(
      context(request, after(first, 'Dataset gone.csv was not found.', false)),
    );
    expect(answer).toEqual({
      kind: 'final',
      text: `I could not finish this: Dataset gone.csv was not found.${rulesFooter}`,
    });
  });

  it('is deterministic', async () => {
    const request = { intent: 'profile' as const, datasetId: 'churn.csv' };
    expect(await planner.decide(context(request))).toEqual(await planner.decide(context(request)));
  });
});

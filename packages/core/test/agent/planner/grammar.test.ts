import { describe, expect, it } from 'vitest';
import type { Frame, Refusal } from '../../../src/agent/planner/frame';
import { understand } from '../../../src/agent/planner/understand';
import { context, conversation, sampleSchema } from './fixtures';

/** The grammar of the offline planner, case by case: what each everyday question reads as. */

async function frameOf(question: string, selected?: string): Promise<Frame> {
  const reading = await understand(question, context(selected ? { selected } : {}));
  if (!('frame' in reading)) throw new Error(`"${question}" was refused: ${reading.refusal.message}`);
  return reading.frame;
}

async function refusalOf(question: string, selected?: string): Promise<Refusal> {
  const reading = await understand(question, context(selected ? { selected } : {}));
  if (!('refusal' in reading)) throw new Error(`"${question}" was read as ${JSON.stringify(reading.frame)}`);
  return reading.refusal;
}

describe('datasets and their shape', () => {
  it.each([
    'what datasets do I have?',
    'which data sets can i use',
    'show me the available files',
    'do you have any data about churn?',
    // A count of the datasets is what the listing says.
    'how many datasets are there?',
    'how many datasets are loaded rn?',
  ])('"%s" lists the datasets', async (question) => {
    expect(await frameOf(question)).toEqual({ kind: 'datasets' });
  });

  it.each([
    [
      'how many rows are in the churn data?',
      { kind: 'aggregate', datasetId: 'churn.csv', measures: [{ fn: 'count' }], by: [], filters: [] },
    ],
    ['how big is the job training dataset', { kind: 'shape', datasetId: 'lalonde.csv' }],
    ['number of columns in checkout_ab.csv?', { kind: 'shape', datasetId: 'checkout_ab.csv' }],
    ['what columns does churn.csv have', { kind: 'columns', datasetId: 'churn.csv' }],
    [
      'what type is the satisfaction column in the churn data',
      { kind: 'columns', datasetId: 'churn.csv', columns: ['satisfaction'] },
    ],
    ['profile lalonde.csv', { kind: 'profile', datasetId: 'lalonde.csv' }],
  ])('"%s"', async (question, frame) => {
    expect(await frameOf(question)).toEqual(frame);
  });
});

describe('missing and distinct values', () => {
  it.each([
    ['are there missing values in churn.csv?', { kind: 'missing', datasetId: 'churn.csv', columns: [] }],
    [
      'how many satisfaction scores are missing?',
      { kind: 'missing', datasetId: 'churn.csv', columns: ['satisfaction'] },
    ],
    [
      'how many different countries are in the ab test',
      { kind: 'values', datasetId: 'checkout_ab.csv', column: 'country', filters: [] },
    ],
    [
      'what plans are there in the churn data',
      { kind: 'values', datasetId: 'churn.csv', column: 'plan', filters: [] },
    ],
    [
      'top 3 countries by number of sessions in the checkout test',
      { kind: 'top', datasetId: 'checkout_ab.csv', column: 'country', n: 3, least: false, filters: [] },
    ],
    [
      'which region has the most customers?',
      { kind: 'top', datasetId: 'churn.csv', column: 'region', n: 1, least: false, filters: [] },
    ],
    [
      'least common device in the a/b test',
      { kind: 'top', datasetId: 'checkout_ab.csv', column: 'device', n: 1, least: true, filters: [] },
    ],
  ])('"%s"', async (question, frame) => {
    expect(await frameOf(question)).toEqual(frame);
  });
});

describe('aggregates, groups and conditions', () => {
  it.each([
    ['average monthly fee in the churn data', [{ fn: 'mean', column: 'monthly_fee' }], [], []],
    ['whats the median tenure of our customers', [{ fn: 'median', column: 'tenure_months' }], [], []],
    ['mean 1978 earnings in the job training data?', [{ fn: 'mean', column: 're78' }], [], []],
    ['avg basket value by device', [{ fn: 'mean', column: 'basket_value' }], ['device'], []],
    [
      'total basket value across all sessions in the a/b test',
      [{ fn: 'sum', column: 'basket_value' }],
      [],
      [],
    ],
    ['standard deviation of age in the job training data', [{ fn: 'std', column: 'age' }], [], []],
    [
      'mean and median of tenure for each plan',
      [
        { fn: 'mean', column: 'tenure_months' },
        { fn: 'median', column: 'tenure_months' },
      ],
      ['plan'],
      [],
    ],
    [
      'avg 1978 earnings split by treatment and marital status',
      [{ fn: 'mean', column: 're78' }],
      ['treat', 'married'],
      [],
    ],
    [
      'average basket value for mobile users in Germany or France',
      [{ fn: 'mean', column: 'basket_value' }],
      [],
      [
        { column: 'device', op: '=', value: 'mobile' },
        { column: 'country', op: 'in', value: ['DE', 'FR'] },
      ],
    ],
    [
      'mean re78 for people aged between 20 and 30',
      [{ fn: 'mean', column: 're78' }],
      [],
      [{ column: 'age', op: 'between', value: [20, 30] }],
    ],
    [
      'how many customers made more than 3 support calls?',
      [{ fn: 'count' }],
      [],
      [{ column: 'support_calls', op: '>', value: 3 }],
    ],
    [
      'average satisfaction of customers who churned',
      [{ fn: 'mean', column: 'satisfaction' }],
      [],
      [{ column: 'churned', op: '=', value: true }],
    ],
    [
      'average re78 of people older than 30',
      [{ fn: 'mean', column: 're78' }],
      [],
      [{ column: 'age', op: '>', value: 30 }],
    ],
    [
      'how many customers in the south region are on the basic plan',
      [{ fn: 'count' }],
      [],
      [
        { column: 'region', op: '=', value: 'south' },
        { column: 'plan', op: '=', value: 'basic' },
      ],
    ],
    [
      'count sessions not on mobile',
      [{ fn: 'count' }],
      [],
      [{ column: 'device', op: '!=', value: 'mobile' }],
    ],
    [
      'how many were treated in the job training data?',
      [{ fn: 'count' }],
      [],
      [{ column: 'treat', op: '=', value: 1 }],
    ],
    [
      'how many customers received a retention offer',
      [{ fn: 'count' }],
      [],
      [{ column: 'retention_offer', op: '=', value: 1 }],
    ],
    ['on average how many items does a session view?', [{ fn: 'mean', column: 'items_viewed' }], [], []],
  ])('"%s"', async (question, measures, by, filters) => {
    expect(await frameOf(question)).toMatchObject({ kind: 'aggregate', measures, by, filters });
  });

  it.each([
    ['what share of customers churned?', { fn: 'rate', column: 'churned' }, []],
    ['churn rate by plan', { fn: 'rate', column: 'churned' }, ['plan']],
    [
      'what percentage of sessions were on mobile',
      { fn: 'rate', condition: { column: 'device', op: '=', value: 'mobile' } },
      [],
    ],
    [
      'what % of customers left no feedback?',
      { fn: 'rate', condition: { column: 'last_feedback', op: 'is missing' } },
      [],
    ],
    ['churn rate for customers with autopay vs without', { fn: 'rate', column: 'churned' }, ['autopay']],
  ])('a share: "%s"', async (question, measure, by) => {
    expect(await frameOf(question)).toMatchObject({ kind: 'aggregate', measures: [measure], by });
  });

  it('ranks groups: "which plan has the highest churn rate?"', async () => {
    expect(await frameOf('which plan has the highest churn rate?')).toMatchObject({
      kind: 'aggregate',
      measures: [{ fn: 'rate', column: 'churned' }],
      by: ['plan'],
      rank: { descending: true, limit: 1 },
    });
  });

  it('reads the largest value as a maximum and "top 5 customers by fee" as rows', async () => {
    expect(await frameOf('highest 1975 earnings in lalonde')).toMatchObject({
      kind: 'aggregate',
      measures: [{ fn: 'max', column: 're75' }],
    });
    expect(await frameOf('top 5 customers by monthly fee')).toMatchObject({
      kind: 'rows',
      column: 'monthly_fee',
      descending: true,
      n: 5,
    });
  });

  it('reads percentiles and distributions', async () => {
    expect(await frameOf('10th and 90th percentile of the monthly fee')).toMatchObject({
      kind: 'aggregate',
      measures: [
        { fn: 'median', column: 'monthly_fee', percentile: 0.1 },
        { fn: 'median', column: 'monthly_fee', percentile: 0.9 },
      ],
    });
    expect(await frameOf('what does the distribution of tenure look like?')).toEqual({
      kind: 'distribution',
      datasetId: 'churn.csv',
      column: 'tenure_months',
      filters: [],
    });
  });
});

describe('correlations, comparisons, regressions', () => {
  it.each([
    [
      'how correlated are age and education in the job training data?',
      { kind: 'correlation', columns: ['age', 'educ'] },
    ],
    ['correlation between 1974 and 1975 earnings', { kind: 'correlation', columns: ['re74', 're75'] }],
    ['which variable is most correlated with churned?', { kind: 'correlation', columns: ['churned'] }],
    ['correlation matrix for age, educ and re78', { kind: 'correlation', columns: ['age', 'educ', 're78'] }],
    [
      'corelation of items viewed and basket value, mobile only',
      {
        kind: 'correlation',
        columns: ['items_viewed', 'basket_value'],
        filters: [{ column: 'device', op: '=', value: 'mobile' }],
      },
    ],
  ])('"%s"', async (question, frame) => {
    expect(await frameOf(question)).toMatchObject(frame);
  });

  it.each([
    [
      'is basket value different between mobile and desktop?',
      { outcome: 'basket_value', group: 'device', groups: ['mobile', 'desktop'] },
    ],
    ['does churn depend on the plan?', { outcome: 'churned', group: 'plan' }],
    [
      'do returning visitors spend more?',
      { outcome: 'basket_value', group: 'returning', groups: ['true', 'false'] },
    ],
    ['is the new checkout better?', { outcome: 'basket_value', group: 'new_checkout', groups: ['1', '0'] }],
    [
      'do customers on autopay churn less?',
      { outcome: 'churned', group: 'autopay', groups: ['true', 'false'] },
    ],
    [
      'is satisfaction lower for people who churned',
      { outcome: 'satisfaction', group: 'churned', groups: ['true', 'false'] },
    ],
  ])('compares groups: "%s"', async (question, frame) => {
    expect(await frameOf(question)).toMatchObject({ kind: 'compare', ...frame });
  });

  it.each([
    ['predict re78 from age, education and 1975 earnings', 're78', ['age', 'educ', 're75']],
    [
      'regress basket value on items viewed, device and returning',
      'basket_value',
      ['items_viewed', 'device', 'returning'],
    ],
    ['how much does each extra year of education add to 1978 earnings?', 're78', ['educ']],
  ])('fits a regression: "%s"', async (question, outcome, predictors) => {
    expect(await frameOf(question)).toMatchObject({ kind: 'regression', outcome, predictors });
  });

  it('chooses the predictors of "what drives churn?" and says so', async () => {
    // Every column of churn.csv, in order, but its id, its date, the outcome and the free text.
    const left = new Set(['customer_id', 'signup_date', 'churned', 'last_feedback']);
    const predictors = sampleSchema('churn.csv')!
      .columns.map((c) => c.name)
      .filter((name) => !left.has(name));
    expect(predictors).toHaveLength(8);
    expect(await frameOf('what drives churn?')).toMatchObject({
      kind: 'regression',
      outcome: 'churned',
      chosen: true,
      predictors,
    });
  });

  it('takes the model a person names', async () => {
    expect(await frameOf('logistic regression of churn on tenure, support calls and autopay')).toMatchObject({
      kind: 'regression',
      model: 'logistic',
      outcome: 'churned',
      predictors: ['tenure_months', 'support_calls', 'autopay'],
    });
  });
});

describe('effects', () => {
  it('reads treatment, outcome and covariates, expanding "race" and "prior earnings"', async () => {
    expect(
      await frameOf(
        'effect of the training program on 1978 earnings adjusting for age, education, race and prior earnings',
      ),
    ).toEqual({
      kind: 'effect',
      datasetId: 'lalonde.csv',
      treatment: 'treat',
      outcome: 're78',
      covariates: ['age', 'educ', 'black', 'hispan', 're74', 're75'],
      filters: [],
    });
  });

  it.each([
    [
      'use inverse probability weighting to estimate the effect of treat on re78 with age, educ and re74 as covariates',
      'ipw',
      ['age', 'educ', 're74'],
    ],
    [
      'effect of job training on 1978 income with propensity score matching on age and education',
      'matching',
      ['age', 'educ'],
    ],
  ])('"%s" names its method', async (question, method, covariates) => {
    expect(await frameOf(question)).toMatchObject({
      kind: 'effect',
      treatment: 'treat',
      outcome: 're78',
      method,
      covariates,
    });
  });

  it("adjusts for the study's covariates when none are named, and says it chose them", async () => {
    expect(await frameOf('did the new checkout page increase basket value?')).toMatchObject({
      kind: 'effect',
      treatment: 'new_checkout',
      outcome: 'basket_value',
      covariates: ['device', 'country', 'returning'],
      chosen: true,
    });
  });

  it('reads the raw difference as a difference in means with no covariates', async () => {
    expect(
      await frameOf('whats the raw difference in 1978 earnings between participants and non participants'),
    ).toMatchObject({
      kind: 'effect',
      treatment: 'treat',
      outcome: 're78',
      method: 'difference_in_means',
      covariates: [],
    });
  });
});

describe('the dataset', () => {
  it('comes from the question, else the choice in the client, else the only dataset the words fit', async () => {
    expect(await frameOf('average monthly fee', 'checkout_ab.csv')).toMatchObject({ datasetId: 'churn.csv' });
    expect(await frameOf('how many rows?', 'lalonde.csv')).toMatchObject({ datasetId: 'lalonde.csv' });
    expect(await frameOf('avg basket value by device')).toMatchObject({ datasetId: 'checkout_ab.csv' });
  });

  it("knows a user's dataset by its column names alone", async () => {
    expect(await frameOf('total revenue by product line where units > 10', 'sales_2024.csv')).toEqual({
      kind: 'aggregate',
      datasetId: 'sales_2024.csv',
      measures: [{ fn: 'sum', column: 'revenue' }],
      by: ['product_line'],
      filters: [{ column: 'units', op: '>', value: 10 }],
    });
    expect(await frameOf('share of discounted orders by region', 'sales_2024.csv')).toMatchObject({
      measures: [{ fn: 'rate', column: 'discounted' }],
      by: ['region'],
    });
  });
});

describe('honest refusals', () => {
  it.each([
    [
      "what's the average salary in the churn data",
      'unknown_column',
      /no column \(or value\) called "salary"/,
    ],
    ['average age of customers in churn.csv', 'unknown_column', /no column \(or value\) called "age"/],
    ['profile sales.csv', 'unknown_dataset', /no dataset named sales\.csv/],
    ["forecast next month's churn rate", 'unsupported', /forecasting/],
    ['cluster the customers into segments', 'unsupported', /clustering/],
    ["what's the weather in berlin tomorrow", 'unsupported', /./],
    ['what is the effect of the training program on 1979 earnings?', 'unknown_words', /"1979"/],
    ['compare basket value between men and women in the a/b test', 'unknown_column', /"men" or "women"/],
    ['average plan in the churn data', 'wrong_type', /plan is categorical/],
    ['average monthly fee by monthly fee', 'wrong_type', /continuous/],
    ['effect of plan on churn', 'wrong_type', /plan is categorical, not true\/false/],
    ['how many rows?', 'no_dataset', /more than one dataset/],
    ['hello there', 'no_dataset', /can't tell which dataset/],
    ['average earnings in the job training data', 'incomplete', /./],
    ['compare churn.csv with lalonde.csv', 'unsupported', /one dataset at a time/],
  ])('"%s" → %s', async (question, reason, message) => {
    const refusal = await refusalOf(question);
    expect(refusal.reason).toBe(reason);
    expect(refusal.message).toMatch(message);
  });

  it('suggests questions it can answer about the dataset', async () => {
    const refusal = await refusalOf("what's the average salary in the churn data");
    expect(refusal.datasetId).toBe('churn.csv');
    expect(refusal.suggestions.length).toBeGreaterThan(1);
    expect(refusal.suggestions.join(' ')).toMatch(/monthly_fee/);
  });

  it('does not read "it" as Italy, nor a value that is not in the data as one', async () => {
    expect(await refusalOf('how many sessions came from japan', 'checkout_ab.csv')).toMatchObject({
      reason: 'unknown_column',
      message: expect.stringMatching(/no column \(or value\) called "japan"/),
    });
    expect(
      await frameOf('is it different between mobile and desktop for basket value', 'checkout_ab.csv'),
    ).toMatchObject({
      kind: 'compare',
      filters: [],
    });
  });
});

describe('follow-ups', () => {
  it('change one part of the previous question', async () => {
    const [fee, median, byPlan, premium, everyone] = await conversation([
      "what's the average monthly fee in the churn data?",
      'and the median?',
      'now by plan',
      'only for customers on autopay',
      'for everyone again',
    ]);
    expect(fee).toMatchObject({ frame: { measures: [{ fn: 'mean', column: 'monthly_fee' }] } });
    expect(median).toMatchObject({
      followUp: true,
      frame: { measures: [{ fn: 'median', column: 'monthly_fee' }], by: [] },
    });
    expect(byPlan).toMatchObject({
      frame: { measures: [{ fn: 'median', column: 'monthly_fee' }], by: ['plan'] },
    });
    expect(premium).toMatchObject({
      frame: { by: ['plan'], filters: [{ column: 'autopay', op: '=', value: true }] },
    });
    expect(everyone).toMatchObject({ frame: { by: ['plan'], filters: [] } });
  });

  it('carry a question to another dataset, or say why it does not fit', async () => {
    const [, churn, ab] = await conversation([
      'how many rows does lalonde have',
      'same for churn.csv',
      'and the a/b test?',
    ]);
    expect(churn).toMatchObject({ frame: { kind: 'aggregate', datasetId: 'churn.csv' } });
    expect(ab).toMatchObject({ frame: { kind: 'aggregate', datasetId: 'checkout_ab.csv' } });
    const [, moved] = await conversation(['average basket value by device', 'same for churn.csv']);
    expect(moved).toMatchObject({
      refusal: { message: expect.stringMatching(/churn\.csv has no column basket_value, device/) },
    });
  });

  it('adjust an effect, change its method and restrict it', async () => {
    const [, adjusted, matched, mobile] = await conversation([
      'what was the effect of the new checkout on basket value?',
      'adjust that for device and returning',
      'use matching',
      'only for mobile',
    ]);
    expect(adjusted).toMatchObject({ frame: { kind: 'effect', covariates: ['device', 'returning'] } });
    expect(matched).toMatchObject({ frame: { method: 'matching', covariates: ['device', 'returning'] } });
    expect(mobile).toMatchObject({
      frame: { method: 'matching', filters: [{ column: 'device', op: '=', value: 'mobile' }] },
    });
  });

  it('turn a comparison into an adjusted effect, and grow a regression', async () => {
    const [, effect] = await conversation(['is the new checkout better?', 'adjust for device and country']);
    expect(effect).toMatchObject({
      frame: {
        kind: 'effect',
        treatment: 'new_checkout',
        outcome: 'basket_value',
        covariates: ['device', 'country'],
      },
    });
    const [, grown, other] = await conversation([
      'fit a regression of 1978 earnings on age, education, black, hispanic and married',
      'add 1974 and 1975 earnings',
      'now predict 1975 earnings instead',
    ]);
    expect(grown).toMatchObject({
      frame: { predictors: ['age', 'educ', 'black', 'hispan', 'married', 're74', 're75'] },
    });
    expect(other).toMatchObject({
      frame: { outcome: 're75', predictors: ['age', 'educ', 'black', 'hispan', 'married', 're74'] },
    });
  });

  it('refuse a change that names nothing they know', async () => {
    const [, gender] = await conversation([
      'average basket value per country in the checkout data',
      'now by gender',
    ]);
    expect(gender).toMatchObject({ refusal: { reason: 'unknown_column' } });
  });

  it('is deterministic', async () => {
    const question =
      'what is the effect of the training on 1978 earnings, controlling for age and education?';
    expect(await frameOf(question)).toEqual(await frameOf(question));
  });
});

describe('both sides of a yes/no column', () => {
  it.each([
    'churn rate with and without autopay',
    'churn rate for customers with vs without autopay',
    'churn rate for autopay customers versus the rest',
    'churn rate for customers on autopay vs those who are not',
    'churn rate autopay vs non-autopay',
  ])('"%s" groups by the column instead of keeping one side', async (question) => {
    expect(await frameOf(question, 'churn.csv')).toMatchObject({
      kind: 'aggregate',
      measures: [{ fn: 'rate', column: 'churned' }],
      by: ['autopay'],
      filters: [],
    });
  });

  it('compares the two sides and keeps the other conditions as filters', async () => {
    expect(
      await frameOf('In the north, is churn different for autopay vs non-autopay customers?', 'churn.csv'),
    ).toMatchObject({
      kind: 'compare',
      outcome: 'churned',
      group: 'autopay',
      filters: [{ column: 'region', op: '=', value: 'north' }],
    });
    expect(await frameOf('effect of autopay vs non-autopay on churn', 'churn.csv')).toMatchObject({
      kind: 'effect',
      treatment: 'autopay',
      outcome: 'churned',
    });
  });
});

describe('everyday phrasings', () => {
  it.each([
    [
      'Mean 1974 earnings for people aged 30 to 40?',
      'lalonde.csv',
      { column: 'age', op: 'between', value: [30, 40] },
    ],
    [
      'churn rate for customers with 2 to 4 support calls',
      'churn.csv',
      { column: 'support_calls', op: 'between', value: [2, 4] },
    ],
    ['how many customers have no region recorded', 'churn.csv', { column: 'region', op: 'is missing' }],
    [
      'how many customers actually have a satisfaction score?',
      'churn.csv',
      { column: 'satisfaction', op: 'is not missing' },
    ],
    [
      'total basket value by country, new checkout sessions only',
      'checkout_ab.csv',
      { column: 'new_checkout', op: '=', value: 1 },
    ],
    [
      'How many standard-plan customers called support at least four times?',
      'churn.csv',
      { column: 'plan', op: '=', value: 'standard' },
    ],
  ])('"%s" reads its condition', async (question, dataset, filter) => {
    const frame = await frameOf(question, dataset);
    expect('filters' in frame && frame.filters).toContainEqual(filter);
  });

  it('takes the subject of a rate from the words right before "rate"', async () => {
    expect(await frameOf("What's our retention rate on the basic plan?", 'churn.csv')).toMatchObject({
      measures: [{ fn: 'rate', column: 'churned', value: false }],
      filters: [{ column: 'plan', op: '=', value: 'basic' }],
    });
  });

  it('ranks groups by an aggregate, top or bottom, and counts how many from the number before the noun', async () => {
    expect(await frameOf('top 3 countries by total basket value', 'checkout_ab.csv')).toMatchObject({
      measures: [{ fn: 'sum', column: 'basket_value' }],
      by: ['country'],
      rank: { descending: true, limit: 3 },
    });
    expect(await frameOf('bottom two regions by average tenure', 'churn.csv')).toMatchObject({
      by: ['region'],
      rank: { descending: false, limit: 2 },
    });
    expect(await frameOf('which 3 customers pay the highest monthly fee?', 'churn.csv')).toMatchObject({
      kind: 'rows',
      column: 'monthly_fee',
      n: 3,
      descending: true,
    });
    expect(await frameOf('5 most common education levels in lalonde, with counts')).toMatchObject({
      kind: 'top',
      column: 'educ',
      n: 5,
    });
  });

  it('reads a Spearman correlation, a skewness, a slope and a type', async () => {
    expect(
      await frameOf('spearman correlation between support calls and satisfaction', 'churn.csv'),
    ).toMatchObject({
      kind: 'correlation',
      columns: ['support_calls', 'satisfaction'],
      method: 'spearman',
    });
    expect(await frameOf('describe the distribution of monthly fee in the churn data')).toMatchObject({
      kind: 'distribution',
      column: 'monthly_fee',
    });
    expect(
      await frameOf(
        'by how much does the monthly fee go up per extra month of tenure? (regression slope)',
        'churn.csv',
      ),
    ).toMatchObject({
      kind: 'regression',
      outcome: 'monthly_fee',
      predictors: ['tenure_months'],
      association: 'tenure_months',
    });
    expect(await frameOf('what data type is items_viewed?')).toEqual({
      kind: 'columns',
      datasetId: 'checkout_ab.csv',
      columns: ['items_viewed'],
    });
  });

  it('leaves out a chatty opening with no analysis words in it', async () => {
    expect(
      await frameOf(
        'im doing a class project - can you run a logistic regression of churned on satisfaction, monthly fee and autopay?',
        'churn.csv',
      ),
    ).toMatchObject({
      kind: 'regression',
      model: 'logistic',
      predictors: ['satisfaction', 'monthly_fee', 'autopay'],
    });
    expect(await refusalOf('my boss wants a forecast - average fee by plan', 'churn.csv')).toMatchObject({
      reason: 'unsupported',
    });
  });

  it('reads the effect on the treated, and a method it does not have as a refusal with the ones it has', async () => {
    expect(
      await frameOf(
        'Use propensity score matching to estimate the effect of the retention offer on churn for those who got it',
        'churn.csv',
      ),
    ).toMatchObject({ kind: 'effect', treatment: 'retention_offer', method: 'matching', estimand: 'ATT' });
    expect(
      await refusalOf("doubly robust (AIPW) estimate of the offer's effect on churn", 'churn.csv'),
    ).toMatchObject({
      reason: 'unsupported',
      message: expect.stringMatching(
        /regression adjustment, inverse probability weighting \(IPW\) and 1:1 propensity score matching/,
      ),
    });
  });

  it('does not answer about another dataset when the question points at this one', async () => {
    expect(await refusalOf("what's the average age of the subscription customers?")).toMatchObject({
      reason: 'unknown_column',
      message: expect.stringMatching(/churn\.csv has no column .*"age".*lalonde\.csv has those columns/),
    });
  });

  it('reads the side a phrase means, and both sides as groups', async () => {
    expect(await frameOf('how many of the treated men have a degree?', 'lalonde.csv')).toMatchObject({
      filters: [
        { column: 'treat', value: 1 },
        { column: 'nodegree', value: 0 },
      ],
    });
    expect(await frameOf('churn rate: autopay vs manual payers', 'churn.csv')).toMatchObject({
      by: ['autopay'],
      filters: [],
    });
    expect(
      await frameOf('share of men with zero earnings in 1978, treated vs untreated', 'lalonde.csv'),
    ).toMatchObject({
      measures: [{ fn: 'rate', condition: { column: 're78', op: '=', value: 0 } }],
      by: ['treat'],
      filters: [],
    });
    expect(
      await frameOf(
        'Did the new checkout change how many items returning visitors viewed?',
        'checkout_ab.csv',
      ),
    ).toMatchObject({
      kind: 'effect',
      outcome: 'items_viewed',
    });
  });

  it('does not take the outcome of an effect for a condition on it', async () => {
    expect(
      await frameOf(
        "what's the effect of retention_offer on churned if I adjust for support_calls?",
        'churn.csv',
      ),
    ).toMatchObject({
      kind: 'effect',
      outcome: 'churned',
      covariates: ['support_calls'],
      filters: [],
    });
  });
});

describe('more follow-ups', () => {
  it('refer to the previous rows with "their" and "the ones"', async () => {
    const [, average, old] = await conversation([
      'how many sessions from France got the new checkout?',
      'what was their average basket?',
      'and the ones with the old checkout?',
    ]);
    expect(average).toMatchObject({
      frame: {
        measures: [{ fn: 'mean', column: 'basket_value' }],
        filters: [
          { column: 'country', value: 'FR' },
          { column: 'new_checkout', value: 1 },
        ],
      },
    });
    expect(old).toMatchObject({
      frame: {
        filters: [
          { column: 'country', value: 'FR' },
          { column: 'new_checkout', value: 0 },
        ],
      },
    });
    expect(await frameOf('average fee of customers by their plan', 'churn.csv')).toMatchObject({
      by: ['plan'],
    });
  });

  it('change how many, and which end, of a ranking', async () => {
    const [, five, bottom] = await conversation([
      'top 3 countries by total basket value',
      'top 5',
      'bottom 3 instead',
    ]);
    expect(five).toMatchObject({ frame: { rank: { descending: true, limit: 5 } } });
    expect(bottom).toMatchObject({ frame: { rank: { descending: false, limit: 3 } } });
    const [, highest] = await conversation([
      '5 customers in the churn data with the lowest satisfaction',
      'and the highest?',
    ]);
    expect(highest).toMatchObject({ frame: { kind: 'rows', descending: true, n: 5 } });
    const [, least] = await conversation([
      'what are the 2 most common regions in the churn data',
      'and the least common?',
    ]);
    expect(least).toMatchObject({ frame: { kind: 'top', least: true, n: 2 } });
  });

  it('drop a filter, a covariate or a predictor', async () => {
    const [, , , everyone] = await conversation([
      'average satisfaction by plan in the churn data',
      'only churned customers',
      'and the median?',
      'drop the churned filter',
    ]);
    expect(everyone).toMatchObject({ frame: { measures: [{ fn: 'median' }], by: ['plan'], filters: [] } });
    const [, all, fewer] = await conversation([
      'effect of the new checkout on basket value for returning visitors',
      'drop that filter',
      'remove country',
    ]);
    expect(all).toMatchObject({ frame: { filters: [], covariates: ['device', 'country', 'returning'] } });
    expect(fewer).toMatchObject({ frame: { covariates: ['device', 'returning'] } });
    const [, , refused] = await conversation([
      'regress re78 on age, educ, re74 and re75',
      'drop re74 and re75',
      'remove married',
    ]);
    expect(refused).toMatchObject({ refusal: { message: expect.stringMatching(/married is not among/) } });
  });

  it('add covariates "as controls", switch to Spearman and ask for the ATT', async () => {
    const [, controls] = await conversation([
      "what's the effect of retention_offer on churned if I adjust for support_calls?",
      'add tenure and plan as controls',
    ]);
    expect(controls).toMatchObject({ frame: { covariates: ['support_calls', 'tenure_months', 'plan'] } });
    const [, , spearman] = await conversation([
      'correlation between re74 and re78',
      'only treated',
      'use spearman instead',
    ]);
    expect(spearman).toMatchObject({
      frame: { method: 'spearman', filters: [{ column: 'treat', value: 1 }] },
    });
    const [, att] = await conversation(['effect of training on re78', 'and the ATT?']);
    expect(att).toMatchObject({ frame: { kind: 'effect', estimand: 'ATT' } });
  });

  it('keep what was measured when only the grouping or the percentile changes', async () => {
    const [, byPlan] = await conversation([
      'what share of churn.csv customers have no satisfaction score',
      'and that share broken down by plan?',
    ]);
    expect(byPlan).toMatchObject({
      frame: {
        measures: [{ fn: 'rate', condition: { column: 'satisfaction', op: 'is missing' } }],
        by: ['plan'],
      },
    });
    const [, p90, control] = await conversation([
      'average age of the treated in lalonde',
      'and their 90th percentile?',
      'what about for the control group?',
    ]);
    expect(p90).toMatchObject({ frame: { measures: [{ fn: 'median', column: 'age', percentile: 0.9 }] } });
    expect(control).toMatchObject({
      frame: { measures: [{ percentile: 0.9 }], filters: [{ column: 'treat', value: 0 }] },
    });
  });

  it('rank a table by group, and ask an estimate again for its significance', async () => {
    const [, lowest, , there] = await conversation([
      'average basket value by country in checkout_ab.csv',
      'which one is the lowest?',
      'average basket value for mobile',
      "what's the effect of the new checkout on basket value there?",
    ]);
    expect(lowest).toMatchObject({
      frame: { by: ['country'], rank: { descending: false, limit: 1 } },
      followUp: true,
    });
    // "there" is the condition the previous question picked; a new kind of question keeps it.
    expect(there).toMatchObject({
      frame: {
        kind: 'effect',
        outcome: 'basket_value',
        filters: [{ column: 'device', op: '=', value: 'mobile' }],
      },
    });
    expect(there).not.toHaveProperty('followUp');
    const [, , again] = await conversation([
      'average basket value for mobile',
      "what's the effect of the new checkout on basket value there?",
      'is it significant?',
    ]);
    expect(again).toMatchObject({
      frame: { kind: 'effect', filters: [{ column: 'device' }] },
      followUp: true,
    });
    // An average has no p-value, and a condition it already had changes nothing.
    const [, average] = await conversation([
      'average basket value for mobile',
      'is it significant for them?',
    ]);
    expect(average).toMatchObject({
      refusal: { message: expect.stringMatching(/couldn't tell what to change/) },
    });
  });

  it('refuse "there" when no group was picked, and an aggregate a column cannot have', async () => {
    const [, , there] = await conversation([
      'average basket value by country in checkout_ab.csv',
      'which one is the lowest?',
      "what's the new checkout's effect on basket value there, and is it significant?",
    ]);
    expect(there).toMatchObject({
      refusal: { reason: 'no_previous', message: expect.stringMatching(/where "there" is/) },
    });
    const [, country, items] = await conversation([
      'average basket value in checkout_ab.csv',
      'what about country?',
      'what about items viewed?',
    ]);
    expect(country).toMatchObject({
      refusal: {
        reason: 'wrong_type',
        message: expect.stringMatching(/country is categorical, so it has no mean/),
      },
    });
    expect(items).toMatchObject({ frame: { measures: [{ fn: 'mean', column: 'items_viewed' }] } });
    expect(await frameOf('how many columns does the churn data have, and name them')).toMatchObject({
      kind: 'columns',
      datasetId: 'churn.csv',
    });
  });

  it("carry a question to another study through each one's treatment and outcome", async () => {
    const [, checkout, churn] = await conversation([
      'how many people in lalonde were treated?',
      'and in the checkout test?',
      'and in churn?',
    ]);
    expect(checkout).toMatchObject({
      frame: { datasetId: 'checkout_ab.csv', filters: [{ column: 'new_checkout', op: '=', value: 1 }] },
      corrections: [{ from: 'treat', to: 'new_checkout' }],
    });
    expect(churn).toMatchObject({
      frame: { datasetId: 'churn.csv', filters: [{ column: 'retention_offer', op: '=', value: 1 }] },
    });
    const [, moved] = await conversation([
      'what is the effect of the training on 1978 earnings',
      'and in churn.csv?',
    ]);
    expect(moved).toMatchObject({
      frame: { treatment: 'retention_offer', outcome: 'churned', chosen: true },
    });
  });
});

describe('Parquet datasets', () => {
  /** The user has uploaded orders.parquet, and both sales.csv and sales.parquet. */
  const withParquet = (selected?: string) =>
    context({
      datasets: [
        ...context().datasets,
        { id: 'orders.parquet', title: 'Orders 2026.parquet' },
        { id: 'sales.csv' },
        { id: 'sales.parquet' },
        { id: 'broken.parquet' },
      ],
      schemaOf: async (id) =>
        id === 'broken.parquet'
          ? {
              id,
              columns: [],
              unreadable: 'The file could not be read as Parquet: it is too short to be Parquet.',
            }
          : id.endsWith('.parquet') || id === 'sales.csv'
            ? {
                id,
                columns: [
                  { name: 'region', type: 'categorical', values: ['north', 'south'] },
                  { name: 'amount', type: 'numeric' },
                ],
              }
            : context().schemaOf(id),
      ...(selected && { selected }),
    });
  const read = (question: string, selected?: string) => understand(question, withParquet(selected));

  it.each([
    ['profile orders.parquet', { kind: 'profile', datasetId: 'orders.parquet' }],
    ['what columns does orders.parquet have?', { kind: 'columns', datasetId: 'orders.parquet' }],
    ['how many rows are in the orders parquet file', { kind: 'aggregate', datasetId: 'orders.parquet' }],
    ['average amount by region in sales.parquet', { kind: 'aggregate', datasetId: 'sales.parquet' }],
  ])('"%s" is about the Parquet file it names', async (question, frame) => {
    expect(await read(question, 'churn.csv')).toMatchObject({ frame });
  });

  it('refuses a .parquet name that is no dataset, and says Parquet files can be uploaded', async () => {
    expect(await read('profile missing.parquet')).toMatchObject({
      refusal: {
        reason: 'unknown_dataset',
        message: expect.stringMatching(
          /^There is no dataset named missing\.parquet\. .*; upload a CSV or Parquet file to add one\.$/,
        ),
      },
    });
  });

  it('asks which file is meant when a name fits a CSV and a Parquet file alike', async () => {
    expect(await read('profile sales')).toEqual({
      refusal: {
        reason: 'unknown_dataset',
        message: '"sales" could be sales.csv or sales.parquet; name the file you mean.',
        suggestions: ['the same question about sales.csv', 'the same question about sales.parquet'],
      },
    });
    expect(await read('profile sales.parquet')).toMatchObject({ frame: { datasetId: 'sales.parquet' } });
  });

  it('says why a file it cannot read cannot be read, and reads the question against the others', async () => {
    expect(await read('profile broken.parquet')).toMatchObject({
      refusal: {
        reason: 'unknown_dataset',
        datasetId: 'broken.parquet',
        message:
          'I could not read broken.parquet. The file could not be read as Parquet: it is too short to be Parquet.',
      },
    });
    expect(await read('average basket value by device')).toMatchObject({
      frame: { datasetId: 'checkout_ab.csv' },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { detectIntent, findDataset, findEffectColumns, parseRequest } from '../../src';

const lalondeColumns = [
  'treat',
  'age',
  'educ',
  'black',
  'hispan',
  'married',
  'nodegree',
  're74',
  're75',
  're78',
];

describe('detectIntent', () => {
  it.each([
    ['What is the effect of treat on re78?', 'effect'],
    ['Does training increase earnings?', 'effect'],
    ['estimate the ATT', 'effect'],
    ['profile churn.csv', 'profile'],
    ['summarise the distributions', 'profile'],
    ['any missing values or outliers?', 'profile'],
    ['what columns are there', 'describe'],
    ['show me the schema', 'describe'],
  ])('%s → %s', (text, intent) => {
    expect(detectIntent(text, true)).toBe(intent);
  });

  it('lists datasets only when no dataset is named', () => {
    expect(detectIntent('which datasets do I have?', false)).toBe('list');
    expect(detectIntent('tell me about this file', true)).toBe('describe');
  });

  it('falls back to describing a named dataset, and to unknown without one', () => {
    expect(detectIntent('hello', true)).toBe('describe');
    expect(detectIntent('hello', false)).toBe('unknown');
  });
});

describe('findDataset', () => {
  const datasets = ['lalonde.csv', 'churn.csv', 'sales-2024.csv'];

  it('finds a dataset by file name or bare name, as a whole word', () => {
    expect(findDataset('profile churn.csv please', datasets)).toBe('churn.csv');
    expect(findDataset('look at lalonde', datasets)).toBe('lalonde.csv');
    expect(findDataset('the SALES-2024 numbers', datasets)).toBe('sales-2024.csv');
    expect(findDataset('churning customers', datasets)).toBeUndefined();
  });

  it('takes the first one mentioned', () => {
    expect(findDataset('compare churn.csv with lalonde.csv', datasets)).toBe('churn.csv');
  });
});

describe('findEffectColumns', () => {
  it('reads "effect of X on Y adjusting for A and B"', () => {
    expect(
      findEffectColumns('What is the effect of treat on re78, adjusting for age and educ?', lalondeColumns),
    ).toEqual({
      treatment: 'treat',
      outcome: 're78',
      covariates: ['age', 'educ'],
    });
  });

  it('reads "does X increase Y" and "controlling for"', () => {
    expect(
      findEffectColumns('does married increase re78 controlling for age, black', lalondeColumns),
    ).toEqual({
      treatment: 'married',
      outcome: 're78',
      covariates: ['age', 'black'],
    });
  });

  it('guesses a treatment named like one when the sentence does not say', () => {
    expect(findEffectColumns('impact on re78 of treat', lalondeColumns)).toMatchObject({
      treatment: 'treat',
      outcome: 're78',
    });
  });

  it('does not confuse re78 with re7 or re781', () => {
    expect(findEffectColumns('effect of treat on re781', [...lalondeColumns, 're7'])).toEqual({
      treatment: 'treat',
    });
  });

  it('leaves covariates unset when none are named', () => {
    expect(findEffectColumns('effect of treat on re78', lalondeColumns)).toEqual({
      treatment: 'treat',
      outcome: 're78',
    });
  });
});

describe('parseRequest', () => {
  const base = {
    datasets: ['lalonde.csv', 'churn.csv'],
    history: [],
    columnsOf: async (id: string) => (id === 'lalonde.csv' ? lalondeColumns : undefined),
  };

  it('joins a batch item to the message and reads columns from the dataset', async () => {
    const request = await parseRequest({
      ...base,
      content: 'Estimate effects in lalonde.csv',
      input: 'effect of treat on re78 adjusting for age',
    });
    expect(request).toEqual({
      text: 'Estimate effects in lalonde.csv\n\neffect of treat on re78 adjusting for age',
      intent: 'effect',
      datasetId: 'lalonde.csv',
      columns: lalondeColumns,
      treatment: 'treat',
      outcome: 're78',
      covariates: ['age'],
    });
  });

  it("prefers the item's own dataset over the client's choice, and that over the message", async () => {
    const request = await parseRequest({
      ...base,
      content: 'profile lalonde.csv',
      input: 'churn.csv',
      datasetId: 'lalonde.csv',
    });
    expect(request.datasetId).toBe('churn.csv');
    const chosen = await parseRequest({
      ...base,
      content: 'profile it',
      input: 'profile it',
      datasetId: 'churn.csv',
    });
    expect(chosen.datasetId).toBe('churn.csv');
  });

  it('finds the dataset in the conversation when the question only says "it"', async () => {
    const request = await parseRequest({
      ...base,
      content: 'now profile it',
      input: 'now profile it',
      history: [
        { role: 'user', content: 'describe lalonde.csv' },
        { role: 'assistant', content: 'It has 10 columns' },
        { role: 'user', content: 'and churn.csv?' },
      ],
    });
    expect(request).toMatchObject({ datasetId: 'churn.csv', intent: 'profile' });
    expect(request).not.toHaveProperty('columns');
  });

  it('leaves the dataset out when nothing names one', async () => {
    expect(await parseRequest({ ...base, content: 'hi', input: 'hi' })).toEqual({
      text: 'hi',
      intent: 'unknown',
    });
  });
});

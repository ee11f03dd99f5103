import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../../src/agent/request/parse';
import { sampleDatasets, sampleSchema } from '../planner/fixtures';

/** Parse: a question (with its batch item and its conversation) becomes the request every later step reads. */
const base = {
  datasets: sampleDatasets,
  history: [],
  schemaOf: async (id: string) => sampleSchema(id),
};

describe('parseRequest', () => {
  it("reads the question into a frame, with the dataset's columns and a compact schema for writing SQL", async () => {
    const request = await parseRequest({
      ...base,
      content: 'average monthly fee by plan in churn.csv',
      input: 'average monthly fee by plan in churn.csv',
    });
    expect(request).toMatchObject({
      text: 'average monthly fee by plan in churn.csv',
      intent: 'aggregate',
      datasetId: 'churn.csv',
      frame: { kind: 'aggregate', measures: [{ fn: 'mean', column: 'monthly_fee' }], by: ['plan'] },
    });
    expect(request.columns).toHaveLength(12);
    expect(request.schema?.columns.find((c) => c.name === 'plan')).toEqual({
      name: 'plan',
      type: 'categorical',
      values: ['basic', 'premium', 'standard'],
    });
    // The dictionary stays out of the item: it is read again when needed.
    expect(request.schema).not.toHaveProperty('dictionary');
  });

  it('joins a batch item to the message; the item names its own dataset', async () => {
    const request = await parseRequest({
      ...base,
      content: 'how many rows does lalonde.csv have',
      input: 'churn.csv',
    });
    expect(request).toMatchObject({
      text: 'how many rows does lalonde.csv have\n\nchurn.csv',
      datasetId: 'churn.csv',
    });
  });

  it("takes the client's choice of dataset when the question names none", async () => {
    const request = await parseRequest({
      ...base,
      content: 'how many rows?',
      input: 'how many rows?',
      datasetId: 'lalonde.csv',
    });
    expect(request).toMatchObject({
      datasetId: 'lalonde.csv',
      frame: { kind: 'aggregate', datasetId: 'lalonde.csv' },
    });
  });

  it('reads the conversation again so that a follow-up knows what it follows', async () => {
    const request = await parseRequest({
      ...base,
      content: 'now by region',
      input: 'now by region',
      history: [
        { role: 'user', content: 'churn rate by plan' },
        { role: 'assistant', content: 'Churn by plan: basic 0.3, …' },
        { role: 'user', content: 'and the median monthly fee?' },
        { role: 'assistant', content: '…' },
      ],
    });
    expect(request).toMatchObject({
      followUp: true,
      datasetId: 'churn.csv',
      frame: { kind: 'aggregate', measures: [{ fn: 'median', column: 'monthly_fee' }], by: ['region'] },
    });
  });

  it('keeps a refusal with the dataset it was about', async () => {
    const request = await parseRequest({
      ...base,
      content: 'average salary in churn.csv',
      input: 'average salary in churn.csv',
    });
    expect(request).toMatchObject({
      intent: 'refusal',
      datasetId: 'churn.csv',
      refusal: { reason: 'unknown_column' },
    });
    expect(request.columns).toContain('monthly_fee');
    expect(request).not.toHaveProperty('frame');
  });

  it('refuses without a dataset when nothing names one and no dataset fits', async () => {
    expect(await parseRequest({ ...base, content: 'hi', input: 'hi' })).toEqual({
      text: 'hi',
      intent: 'refusal',
      refusal: expect.objectContaining({ reason: 'no_dataset' }),
    });
  });
});

import { describe, expect, it } from 'vitest';
import { toolInputSchema, validateToolCall } from '../../../src/agent/tools/declarations';

describe('validateToolCall', () => {
  it('accepts a call that matches the declaration and returns the parsed input', () => {
    expect(
      validateToolCall('estimate_effect', { datasetId: 'a.csv', treatment: 't', outcome: 'y', extra: 1 }),
    ).toEqual({
      ok: true,
      name: 'estimate_effect',
      input: { datasetId: 'a.csv', treatment: 't', outcome: 'y' },
    });
    expect(validateToolCall('list_datasets', undefined)).toMatchObject({ ok: true });
  });

  it('turns an unknown tool into a sentence that lists the real ones', () => {
    expect(validateToolCall('drop_table', {})).toEqual({
      ok: false,
      problem:
        'There is no tool named "drop_table". The tools are: list_datasets, describe_dataset, query_data, compare_groups, fit_regression, profile, estimate_effect, final_answer.',
    });
  });

  it('turns bad arguments into a sentence naming each field', () => {
    const result = validateToolCall('estimate_effect', { datasetId: '../x', treatment: '' });
    expect(result.ok).toBe(false);
    const { problem } = result as { problem: string };
    expect(problem).toMatch(
      /^The arguments for estimate_effect are invalid \(datasetId: .*; treatment: .*; outcome: .*\)\. Fix them and call it again\.$/,
    );
  });

  it('describes inputs as JSON Schema without the $schema key Bedrock does not want', () => {
    expect(toolInputSchema('profile')).toEqual({
      type: 'object',
      properties: {
        datasetId: expect.objectContaining({
          type: 'string',
          description: 'The dataset id, e.g. "churn.csv".',
        }),
      },
      required: ['datasetId'],
      additionalProperties: false,
    });
  });
});

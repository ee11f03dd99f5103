import { describe, expect, it } from 'vitest';
import { binaryValue, type DatasetSchema, showValue } from '../../../src/agent/planner/schema';
import { suggestionsFor } from '../../../src/agent/planner/suggest';
import { salesSchema, sampleSchema } from './fixtures';

/** How the planner writes a yes/no column's values, and what it suggests instead of an answer. */

describe('the values of a yes/no column', () => {
  it('are written as the file writes them: 1/0, Y/N in its case, or true/false', () => {
    const column = (values: string[]) => ({ name: 'x', type: 'boolean' as const, values });
    expect([binaryValue(column(['0', '1']), true), binaryValue(column(['1', '0']), false)]).toEqual([1, 0]);
    expect([binaryValue(column(['Y', 'N']), true), binaryValue(column(['N', 'Y']), false)]).toEqual([
      'Y',
      'N',
    ]);
    expect([binaryValue(column(['y', 'n']), true), binaryValue(column(['n']), false)]).toEqual(['y', 'n']);
    expect([
      binaryValue(column(['yes', 'no']), true),
      binaryValue({ name: 'x', type: 'boolean' }, false),
    ]).toEqual([true, false]);
    expect([showValue('north'), showValue(1), showValue(false)]).toEqual(['north', '1', 'false']);
  });
});

describe('suggestions', () => {
  it("start from the columns the question named, and end with the study's effect", () => {
    expect(suggestionsFor(sampleSchema('churn.csv')!, { columns: ['tenure_months', 'autopay'] })).toEqual([
      'average tenure_months by plan',
      'share of autopay by plan',
      'is tenure_months different between the plan groups?',
      'effect of retention_offer on churned',
    ]);
  });

  it('make do with what a dataset without a dictionary has', () => {
    expect(suggestionsFor(salesSchema)).toEqual([
      'average units by region',
      'share of discounted by region',
      'is units different between the region groups?',
      'what drives units?',
    ]);
    const numbers: DatasetSchema = {
      id: 'n.csv',
      columns: [
        { name: 'row_id', type: 'integer' },
        { name: 'x', type: 'numeric' },
      ],
    };
    expect(suggestionsFor(numbers)).toEqual([
      'average x',
      'what drives x?',
      'which columns have missing values in n.csv?',
    ]);
    const flags: DatasetSchema = {
      id: 'f.csv',
      columns: [{ name: 'ok', type: 'boolean', values: ['0', '1'] }],
    };
    expect(suggestionsFor(flags)).toEqual([
      'how many rows have ok true',
      'which columns have missing values in f.csv?',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { batchContent, parseBatch } from '../src/state/batch';

describe('parseBatch', () => {
  it('makes one item per non-blank line, with ids from "id:" prefixes or item-N', () => {
    const parsed = parseBatch(
      'churn: profile churn.csv\n\nwhat columns does lalonde.csv have?\n  q-3.x: which datasets are there?  ',
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.items).toEqual([
      { id: 'churn', input: 'profile churn.csv' },
      { id: 'item-2', input: 'what columns does lalonde.csv have?' },
      { id: 'q-3.x', input: 'which datasets are there?' },
    ]);
    expect(parsed.lineOf).toEqual([1, 3, 4]);
  });

  it('names the lines that reuse an id', () => {
    const { problems } = parseBatch('a: one\nb: two\na: three\n\na: four');
    expect(problems).toEqual([
      { lines: [1, 3, 5], message: 'Lines 1, 3, 5 use the same id "a"; ids must be unique.' },
    ]);
  });

  it('names the lines whose id has characters the protocol refuses', () => {
    const { problems } = parseBatch('ok: fine\nq#2: bad id\nq 3 has spaces: no id at all');
    expect(problems).toEqual([
      { lines: [2], message: 'Line 2: an id may use only letters, digits, _ . - (at most 64).' },
    ]);
  });

  it('refuses more than 500 items and points at the first line over', () => {
    const text = Array.from({ length: 502 }, (_, i) => `question ${i}`).join('\n');
    const { problems } = parseBatch(text);
    expect(problems[0]).toMatchObject({ lines: [501, 502] });
    expect(problems[0]!.message).toContain('at most 500');
    expect(problems[0]!.message).toContain('line 501');
  });

  it('refuses a question over 4000 characters and an id with no question', () => {
    const { problems } = parseBatch(`short\n${'x'.repeat(4001)}\nempty:  `);
    expect(problems.map((p) => p.lines)).toEqual([[3], [2]]);
    expect(problems[1]!.message).toContain('at most 4000 characters');
  });

  it('asks for at least one item', () => {
    expect(parseBatch(' \n\n').problems).toEqual([
      { lines: [], message: 'Add at least one item, one per line.' },
    ]);
  });

  it('writes a short message text for the batch', () => {
    expect(
      batchContent([
        { id: 'a', input: 'profile churn.csv' },
        { id: 'b', input: 'x' },
      ]),
    ).toBe('Batch of 2 items: profile churn.csv …');
  });
});

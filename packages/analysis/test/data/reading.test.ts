import { readFile } from 'node:fs/promises';
import { ItemOutput } from '@cascade/core/protocol';
import { describe, expect, it } from 'vitest';
import { estimateEffect } from '../../src/engines/causal/estimate-effect';
import { profileCsv } from '../../src/engines/profile/profile';
import { toItemOutput } from '../../src/output/item-output';
import { dataset, scratchDirectory } from '../support/files';

/** Every tool's answer says how messy data was read: the notes reach the result and the chat text. */

const files = scratchDirectory();

describe('a "?" in a numeric covariate', () => {
  it('is a missing value: the rows are dropped, the answer says so, and the estimates are those without them', async () => {
    // Prepare: lalonde with "?" for educ on two rows (file lines 12 and 301), and the same file without those rows.
    const lines = (await readFile(dataset('lalonde.csv'), 'utf8')).trimEnd().split('\n');
    const educ = lines[0]!.split(',').indexOf('educ');
    const marked = lines.map((line, i) => {
      if (i !== 11 && i !== 300) return line;
      const cells = line.split(',');
      cells[educ] = '?';
      return cells.join(',');
    });
    const withQuestionMarks = await files.file(`${marked.join('\n')}\n`);
    const withoutThoseRows = await files.file(
      `${lines.filter((_, i) => i !== 11 && i !== 300).join('\n')}\n`,
    );
    const spec = {
      treatment: 'treat',
      outcome: 're78',
      covariates: ['age', 'educ', 'black', 're74', 're75'],
    };

    // Act
    const result = await estimateEffect(withQuestionMarks, spec);
    const reference = await estimateEffect(withoutThoseRows, spec);
    const output = ItemOutput.parse(toItemOutput(result));

    // Assess
    expect(result.reading).toEqual([
      {
        kind: 'coerced',
        column: 'educ',
        count: 2,
        examples: [
          { value: '?', line: 12 },
          { value: '?', line: 301 },
        ],
      },
    ]);
    expect(result).toMatchObject({ n: 612, dropped: 2, covariates: spec.covariates });
    expect(result.estimates.map((e) => [e.estimate, e.se])).toEqual(
      reference.estimates.map((e) => [e.estimate, e.se]),
    );
    expect(output.text).toContain(
      '- ⚠ 2 rows were left out because one of the requested columns is missing there.',
    );
    expect(output.text).toContain(
      '- educ is read as numbers; 2 values are not a number and counted as missing ("?" on line 12, "?" on line 301).',
    );
  });
});

describe('a profile of messy data', () => {
  it('says how the file was read, and profiles the column as numbers', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i};${i === 150 ? 'n.v.' : `${i},5`};${i % 3}`);
    const result = await profileCsv(await files.file(`id;price;price\n${rows.join('\n')}\n`, 'prices.csv'));
    const price = result.columns.find((c) => c.name === 'price')!;
    // 0.5, 1.5, …, 199.5 without 150.5: 199 values.
    expect(price).toMatchObject({ type: 'numeric', count: 199, missing: 1, min: 0.5, max: 199.5 });
    expect(price.mean).toBeCloseTo((200 * 100 - 150.5) / 199, 12);
    expect(toItemOutput(result).text.split('\n').slice(-3)).toEqual([
      '- Two columns are headed "price"; column 3 is called price_1.',
      '- Numbers use decimal commas (price) and were read that way.',
      '- price is read as numbers; 1 value is not a number and counted as missing ("n.v." on line 152).',
    ]);
  });

  it('carries values beyond 2^53 as doubles, so they survive JSON and the chat message', async () => {
    const path = await files.file(
      'id,big,huge\n1,9007199254740993,7460000000000000000000\n2,9007199254740995,-1.5e21\n3,12,3\n',
    );
    const result = await profileCsv(path);
    const [big, huge] = [result.columns[1]!, result.columns[2]!];
    expect(big).toMatchObject({ type: 'numeric', min: 12, max: 9007199254740996, unique: 3 });
    expect(huge).toMatchObject({ type: 'numeric', min: -1.5e21, max: 7.46e21 });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    const output = ItemOutput.parse(toItemOutput(result));
    const table = output.tables!.find((t) => t.title === 'Columns')!;
    expect(table.rows.find((row) => row[0] === 'huge')!.slice(7)).toEqual([-1.5e21, 3, 7.46e21]);
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAnalysis } from '../../src/analysis';
import { withDatabase } from '../../src/data/database';
import { stringLiteral } from '../../src/data/sql';
import type { ProfileResult } from '../../src/engines/profile/types';
import { BadDataError, DataNotFoundError } from '../../src/errors';
import { dataset, scratchDirectory } from '../support/files';
import { expectAllClose } from '../support/reference';

const files = scratchDirectory();
const s3 = () => {
  throw new Error('no S3 here');
};

/** Writes what `select` returns as a Parquet file, as any tool exporting Parquet would. */
async function parquet(select: string, name: string): Promise<string> {
  const path = join(await files.file('', `${name}.placeholder`), '..', `${name}.parquet`);
  await withDatabase({}, (db) => db.run(`COPY (${select}) TO ${stringLiteral(path)} (FORMAT parquet)`));
  return path;
}

const fromCsv = (name: string) =>
  parquet(
    `SELECT * FROM read_csv(${stringLiteral(dataset(name))}, nullstr = ['NA', ''])`,
    name.replace('.csv', ''),
  );

/** Equal up to the last few bits of a double (Parquet rows may come out in another order, so sums round apart). */
const expectClose = (actual: unknown, expected: unknown) => expectAllClose(actual, expected, 1e-12);

const withoutSource = <T extends { source?: string }>(result: T) => ({ ...result, source: undefined });

describe('a dataset saved as Parquet', () => {
  it('profiles as the CSV it was saved from: same types, counts, quartiles, top values and correlations', async () => {
    const path = await fromCsv('churn.csv');
    const [fromParquet, fromText] = await Promise.all([
      runAnalysis({ tool: 'profile', data: path }, { s3 }),
      runAnalysis({ tool: 'profile', data: dataset('churn.csv') }, { s3 }),
    ]);
    expect(fromParquet.source).toBe('churn.parquet');
    expectClose(withoutSource(fromParquet), withoutSource(fromText));
  });

  it('answers every other tool as the CSV does', async () => {
    const lalonde = await fromCsv('lalonde.csv');
    const checkout = await fromCsv('checkout_ab.csv');
    const churn = await fromCsv('churn.csv');
    const requests = [
      {
        tool: 'estimate_effect',
        data: 'lalonde',
        args: { treatment: 'treat', outcome: 're78', covariates: ['age', 'educ', 'black', 're74', 're75'] },
      },
      { tool: 'compare_groups', data: 'checkout_ab', args: { outcome: 'basket_value', group: 'device' } },
      {
        tool: 'fit_regression',
        data: 'churn',
        args: { outcome: 'churned', predictors: ['tenure_months', 'support_calls', 'plan'] },
      },
      {
        tool: 'query_data',
        data: 'churn',
        args: {
          sql: 'SELECT plan, count(*) AS n, avg(monthly_fee) AS fee FROM data GROUP BY plan ORDER BY plan',
        },
      },
    ] as const;
    const parquetPaths: Record<string, string> = { lalonde, checkout_ab: checkout, churn };
    for (const request of requests) {
      const [fromParquet, fromText] = await Promise.all([
        runAnalysis({ ...request, data: parquetPaths[request.data]! } as never, { s3 }),
        runAnalysis({ ...request, data: dataset(`${request.data}.csv`) } as never, { s3 }),
      ]);
      expectClose(
        withoutSource(fromParquet as { source?: string }),
        withoutSource(fromText as { source?: string }),
      );
    }
  });

  it('reads nested columns as their text and integers beyond 2^53 as doubles', async () => {
    const path = await parquet(
      'SELECT i AS n, [i, i + 1] AS pair, 9007199254740993 * (i % 2) AS big FROM range(100) t(i)',
      'odd-types',
    );
    const result = (await runAnalysis({ tool: 'profile', data: path }, { s3 })) as ProfileResult;
    expect(result.columns.map((c) => [c.name, c.type])).toEqual([
      ['n', 'integer'],
      ['pair', 'text'],
      ['big', 'numeric'],
    ]);
    expect(result.columns[1]!.top?.[0]?.value).toBe('[0, 1]');
    expect(result.columns[2]!.max).toBe(9007199254740992);
  });

  it('says plainly when a file named .parquet is not one, has no rows, or is not there', async () => {
    const fake = await files.file('a,b\n1,2\n', 'fake.parquet');
    await expect(runAnalysis({ tool: 'profile', data: fake }, { s3 })).rejects.toThrow(
      new BadDataError(
        'The file could not be read as Parquet: it is damaged, or not Parquet at all; export it again as Parquet or CSV and try again.',
      ),
    );
    const empty = await parquet('SELECT 1 AS a WHERE false', 'empty');
    await expect(runAnalysis({ tool: 'profile', data: empty }, { s3 })).rejects.toThrow(
      new BadDataError('The Parquet file has no rows.'),
    );
    await expect(
      runAnalysis({ tool: 'profile', data: join(await files.file(''), '..', 'missing.parquet') }, { s3 }),
    ).rejects.toBeInstanceOf(DataNotFoundError);
  });
});

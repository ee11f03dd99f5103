import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvField } from '../../src/datasets/csv-writer';
import { samplesDirectory } from '../../src/datasets/directory';
import { samples, writeSamples } from '../../src/datasets/samples';
import { estimateEffect } from '../../src/engines/causal/estimate-effect';
import { profileCsv } from '../../src/engines/profile/profile';
import { dataset, scratchDirectory } from '../support/files';

const files = scratchDirectory();

describe('the sample datasets', () => {
  it('are exactly what the seeded generator writes, catalog included', async () => {
    const directory = (await files.file('', 'marker')).replace(/marker$/, '');
    await writeSamples(directory);
    for (const name of [...samples.map((s) => s.file), 'catalog.json'])
      expect(await readFile(join(directory, name), 'utf8'), name).toBe(
        await readFile(join(samplesDirectory, name), 'utf8'),
      );
  });

  it('are each under 1 MB and listed in the catalog with their true shape', async () => {
    const catalog = JSON.parse(await readFile(join(samplesDirectory, 'catalog.json'), 'utf8'));
    const csvs = (await readdir(samplesDirectory)).filter((name) => name.endsWith('.csv')).sort();
    expect(catalog.map((entry: { file: string }) => entry.file).sort()).toEqual(csvs);
    for (const entry of catalog) {
      const content = await readFile(dataset(entry.file));
      expect(content.length).toBeLessThan(1024 * 1024);
      const profile = await profileCsv(dataset(entry.file));
      expect(profile.rows).toBe(entry.rows);
      expect(profile.columns.map((c) => c.name)).toEqual(entry.columnNames);
      expect(entry.columns).toBe(entry.columnNames.length);
    }
  });

  it('give churn every column type the profile knows, with gaps', async () => {
    const profile = await profileCsv(dataset('churn.csv'));
    expect(new Set(profile.columns.map((c) => c.type))).toEqual(
      new Set(['numeric', 'integer', 'boolean', 'categorical', 'datetime', 'text']),
    );
    expect(profile.columns.filter((c) => c.missing > 0).length).toBeGreaterThanOrEqual(2);
  });

  it("let the effect-on-the-treated estimators find lalonde's stated true effect", async () => {
    const catalog = JSON.parse(await readFile(join(samplesDirectory, 'catalog.json'), 'utf8'));
    const truth = Number(
      /\$([\d,]+) for the participants/.exec(catalog[0].description)![1]!.replace(',', ''),
    );
    const result = await estimateEffect(dataset('lalonde.csv'), {
      treatment: 'treat',
      outcome: 're78',
      covariates: ['age', 'educ', 'black', 'hispan', 'married', 'nodegree', 're74', 're75'],
    });
    const raw = result.estimates.find((e) => e.method === 'difference_in_means')!;
    expect(raw.estimate).toBeLessThan(0);
    for (const e of result.estimates.filter((e) => e.estimand === 'ATT')) {
      expect(e.ci[0]).toBeLessThan(truth);
      expect(e.ci[1]).toBeGreaterThan(truth);
    }
  });

  it('quote CSV fields only when they need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(null)).toBe('');
    expect(csvField(false)).toBe('false');
  });
});

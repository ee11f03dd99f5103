import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkout } from './checkout';
import { churn } from './churn';
import { writeCsv } from './csv-writer';
import { lalonde } from './lalonde';
import type { GeneratedTable } from './table';

export interface CatalogEntry {
  file: string;
  title: string;
  description: string;
  rows: number;
  columns: number;
  columnNames: string[];
}

interface Sample {
  file: string;
  title: string;
  generate: () => GeneratedTable;
  describe: (truth: Record<string, number>) => string;
}

const money = (value: number) => `$${Math.round(value).toLocaleString('en-US')}`;

/** The datasets the repository ships, each from a fixed seed, so regenerating them changes nothing. */
export const samples: Sample[] = [
  {
    file: 'lalonde.csv',
    title: 'Job training and earnings (synthetic LaLonde)',
    generate: () => lalonde(),
    describe: (truth) =>
      `Synthetic data shaped like LaLonde's job-training study (not the real data): 614 men, whether they joined the programme (treat), age, education, race, marriage, degree, and earnings in 1974, 1975 and 1978. Participants differ from non-participants, so the raw difference in 1978 earnings is misleading. True effect of treat on re78: ${money(truth.att!)} for the participants (ATT), ${money(truth.ate!)} for everyone (ATE).`,
  },
  {
    file: 'churn.csv',
    title: 'Subscription customers and churn',
    generate: () => churn(),
    describe: (truth) =>
      `2,000 customers of a subscription service: plan, region, fee, tenure, support calls, autopay, satisfaction (some missing), whether they got a retention offer, whether they churned, and free-text feedback. Offers went mostly to customers at risk. True effect of retention_offer on churned: ${truth.att!.toFixed(3)} for those who got one (ATT), about 8 points less churn.`,
  },
  {
    file: 'checkout_ab.csv',
    title: 'Checkout page A/B test',
    generate: () => checkout(),
    describe: (truth) =>
      `5,000 sessions of a randomized test of a new checkout page (new_checkout), with device, country, returning visitor, items viewed and basket value. Assignment was random, so groups are comparable. True effect of new_checkout on basket_value: +$${truth.ate!.toFixed(2)} per session.`,
  },
];

/** Writes every sample CSV and catalog.json into `directory`. */
export async function writeSamples(directory: string): Promise<CatalogEntry[]> {
  const catalog: CatalogEntry[] = [];
  for (const sample of samples) {
    const table = sample.generate();
    const rows = [...table.rows];
    await writeCsv(join(directory, sample.file), table.columns, rows);
    catalog.push({
      file: sample.file,
      title: sample.title,
      description: sample.describe(table.truth),
      rows: rows.length,
      columns: table.columns.length,
      columnNames: table.columns,
    });
  }
  await writeFile(join(directory, 'catalog.json'), `${JSON.stringify(catalog, null, 2)}\n`);
  return catalog;
}

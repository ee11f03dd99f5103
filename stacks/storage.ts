import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dictionaryKey, expiresAfterDays, sampleKey } from '@cascade/core/bucket';
import { contentTypeOf } from '@cascade/core/protocol';
import { type KeyAttribute, keyAttributes, type TableKey, tables } from '@cascade/core/tables';
import type { TableName } from '@cascade/functions/definitions';
import { samplesDirectory } from './settings';

/**
 * The tables, built from core's definitions (the same ones LocalStack's init and the local
 * cloud use), and the data bucket: samples/ (seeded here), users/<id>/ (presigned uploads from
 * the browser), jobs/ and results/ (the analysis task's pointers, expired after a while).
 */

const fieldType = (attribute: KeyAttribute) => (attribute.type === 'S' ? 'string' : 'number');

interface CatalogEntry {
  file: string;
  title?: string;
  rows?: number;
  columns?: number;
}

/** How long a replaced or deleted object's previous version is kept. */
export const uploadHistoryDays = 30;

/** S3 user metadata travels in HTTP headers: ASCII only. */
const ascii = (text: string) => text.replace(/[^\x20-\x7e]/g, '-');

export function storage() {
  const byName = {} as Record<TableName, sst.aws.Dynamo>;
  for (const key of Object.keys(tables) as TableKey[]) {
    const table = tables[key];
    byName[table.name] = new sst.aws.Dynamo(table.name, {
      fields: Object.fromEntries(keyAttributes(table).map((a) => [a.name, fieldType(a)])),
      primaryIndex: {
        hashKey: table.partitionKey.name,
        ...('sortKey' in table && { rangeKey: table.sortKey.name }),
      },
      globalIndexes: Object.fromEntries(
        table.indexes.map((index) => [
          index.name,
          {
            hashKey: index.partitionKey.name,
            ...('sortKey' in index && index.sortKey && { rangeKey: index.sortKey.name }),
            projection: 'all' as const,
          },
        ]),
      ),
      ...('ttlAttribute' in table && { ttl: table.ttlAttribute }),
      deletionProtection: $app.protect,
    });
  }

  const bucket = new sst.aws.Bucket('Datasets', {
    // The web stack allows PUT from the site's origin once the site's URL exists.
    cors: false,
    // An upload under a name already used replaces it (users/<id>/<name>): the replaced file stays
    // recoverable as a noncurrent version for uploadHistoryDays, then goes.
    versioning: true,
    lifecycle: Object.entries(expiresAfterDays).map(([prefix, days]) => ({
      id: `expire-${prefix.replace(/\/$/, '')}`,
      prefix,
      expiresIn: `${days} days` as const,
    })),
    transform: {
      lifecycle: (args) => {
        args.rules = $output(args.rules).apply((rules) => [
          ...(rules ?? []),
          {
            id: 'expire-replaced-versions',
            status: 'Enabled',
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: uploadHistoryDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ]);
      },
    },
  });

  seedSamples(bucket);

  return { tables: byName, bucket };
}

/**
 * Uploads each sample (CSV or Parquet) with its catalog metadata (title, rows, columns), which the dataset
 * list shows without reading the files. A checkout without the analysis package seeds nothing.
 */
function seedSamples(bucket: sst.aws.Bucket) {
  const catalogPath = join(samplesDirectory, 'catalog.json');
  if (!existsSync(catalogPath)) {
    console.warn(`No ${catalogPath}: the stage gets no sample datasets.`);
    return;
  }
  const catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as CatalogEntry[];
  for (const entry of catalog) {
    new aws.s3.BucketObjectv2(`DatasetsSample${entry.file.replace(/[^A-Za-z0-9]/g, '')}`, {
      bucket: bucket.name,
      key: sampleKey(entry.file),
      source: new $util.asset.FileAsset(join(samplesDirectory, entry.file)),
      contentType: contentTypeOf(entry.file),
      metadata: {
        ...(entry.title && { title: ascii(entry.title) }),
        ...(entry.rows !== undefined && { rows: String(entry.rows) }),
        ...(entry.columns !== undefined && { columns: String(entry.columns) }),
      },
    });
    // The sample's data dictionary (column aliases the offline planner reads), beside the CSV.
    const dictionary = join(samplesDirectory, `${entry.file}.dictionary.json`);
    if (existsSync(dictionary))
      new aws.s3.BucketObjectv2(`DatasetsDictionary${entry.file.replace(/[^A-Za-z0-9]/g, '')}`, {
        bucket: bucket.name,
        key: dictionaryKey(sampleKey(entry.file)),
        source: new $util.asset.FileAsset(dictionary),
        contentType: 'application/json',
      });
  }
}

export type Storage = ReturnType<typeof storage>;

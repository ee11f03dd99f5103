import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { contentTypeOf } from '@cascade/core';
import { dictionaryKey, sampleKey } from '@cascade/core/bucket';
import S3rver from 's3rver';

export interface LocalS3 {
  handle: RequestListener;
}

/** A sample dataset (CSV or Parquet) as packages/analysis/datasets/catalog.json describes it. */
interface SampleEntry {
  file: string;
  title?: string;
  rows?: number;
  columns?: number;
}

/** s3rver keeps only keys it knows; every SigV4 credential is mapped to its account. */
function anyAccessKey(request: IncomingMessage) {
  const rewrite = (value: string) => value.replace(/(Credential=|X-Amz-Credential=)[^/%&]+/gi, '$1S3RVER');
  if (request.headers.authorization) request.headers.authorization = rewrite(request.headers.authorization);
  if (request.url?.includes('X-Amz-Credential')) request.url = rewrite(request.url);
}

/** S3: s3rver storing under a directory, served through the edge, with the datasets bucket. */
export async function startS3(options: { directory: string; bucket: string }): Promise<LocalS3> {
  await mkdir(options.directory, { recursive: true });
  const s3rver = new S3rver({
    directory: options.directory,
    silent: true,
    allowMismatchedSignatures: true,
    configureBuckets: [{ name: options.bucket, configs: [] }],
  });
  await s3rver.configureBuckets();
  const listener = s3rver.getMiddleware() as (req: IncomingMessage, res: ServerResponse) => void;
  return {
    handle: (request, response) => {
      anyAccessKey(request);
      listener(request, response);
    },
  };
}

/**
 * Puts the sample datasets the repository ships into the bucket, with their row and column
 * counts as object metadata and their data dictionaries beside them. A sample already there
 * with the same size is left alone.
 */
export async function seedSamples(
  endpoint: string,
  bucket: string,
  datasetsDirectory: string,
): Promise<string[]> {
  const catalogPath = join(datasetsDirectory, 'catalog.json');
  if (!existsSync(catalogPath)) return [];
  const catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as SampleEntry[];
  const s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    for (const sample of catalog) {
      const body = readFileSync(join(datasetsDirectory, sample.file));
      const key = sampleKey(sample.file);
      // The data dictionary beside it (column aliases for the offline planner), always refreshed: it is small.
      const dictionary = join(datasetsDirectory, `${sample.file}.dictionary.json`);
      if (existsSync(dictionary))
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: dictionaryKey(key),
            Body: readFileSync(dictionary),
            ContentType: 'application/json',
          }),
        );
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
      if (head?.ContentLength === body.length) continue;
      const metadata: Record<string, string> = {};
      if (sample.title) metadata.title = sample.title;
      if (sample.rows !== undefined) metadata.rows = String(sample.rows);
      if (sample.columns !== undefined) metadata.columns = String(sample.columns);
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          // A sample is CSV or Parquet, as its name says.
          ContentType: contentTypeOf(sample.file),
          Metadata: metadata,
        }),
      );
    }
    return catalog.map((sample) => sample.file);
  } finally {
    s3.destroy();
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { downloadObject, isS3Uri, parseS3Uri } from './s3';

/**
 * Runs `work` on a local copy of the data: a path is used as it is, an s3:// object is
 * downloaded to a private temporary file (under its own name, which reports show) and removed
 * afterwards. DuckDB reads local files only here, since its S3 extension would be downloaded
 * at run time.
 */
export async function withLocalData<T>(
  data: string,
  s3: () => S3Client,
  work: (path: string) => Promise<T>,
): Promise<T> {
  if (!isS3Uri(data)) return work(data);
  const { key } = parseS3Uri(data, 'The data location');
  const directory = await mkdtemp(join(tmpdir(), 'cascade-data-'));
  try {
    const path = join(directory, basename(key));
    await downloadObject(s3(), data, path);
    return await work(path);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ConflictError, NotFoundError } from '../errors';
import type { DatasetSummary } from '../protocol/server';

/**
 * Datasets are CSV objects in one bucket: the shared samples under `samples/`, each user's
 * uploads under `users/<userId>/`. A dataset's id is its file name; uploads may not reuse a
 * sample's name, so an id always means one object for a given user.
 */
export const samplesPrefix = 'samples/';
export const userPrefix = (userId: string) => `users/${userId}/`;

/** At most this many datasets are listed per prefix; more would not fit one message anyway. */
const listLimit = 200;

export interface DatasetLocation {
  bucket: string;
  key: string;
  sample: boolean;
}

export interface DatasetHead {
  /** The file's first bytes as text. */
  text: string;
  /** True when `text` is the whole file. */
  complete: boolean;
  sizeBytes: number;
  rows?: number;
}

/** A CSV file directly under a prefix (nothing in sub-folders). */
function isDatasetFile(name: string): boolean {
  return name.toLowerCase().endsWith('.csv') && !name.includes('/');
}

function intMetadata(value: string | undefined): number | undefined {
  const n = value === undefined ? Number.NaN : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export class DatasetCatalog {
  constructor(private readonly deps: { s3: S3Client; bucket: string }) {}

  /** Samples first, then the user's own, each by name. Row and column counts come from object metadata when known. */
  async list(userId: string): Promise<DatasetSummary[]> {
    const [samples, own] = await Promise.all([
      this.listPrefix(samplesPrefix, true),
      this.listPrefix(userPrefix(userId), false),
    ]);
    return [...samples, ...own];
  }

  /** The ids of every dataset the user can read, without reading their metadata. */
  async ids(userId: string): Promise<string[]> {
    const keys = await Promise.all(
      [samplesPrefix, userPrefix(userId)].map(async (prefix) => {
        const out = await this.deps.s3.send(
          new ListObjectsV2Command({ Bucket: this.deps.bucket, Prefix: prefix, MaxKeys: listLimit }),
        );
        return (out.Contents ?? []).map((o) => o.Key!.slice(prefix.length)).filter(isDatasetFile);
      }),
    );
    return [...new Set(keys.flat())];
  }

  /** The first `bytes` of a dataset: enough to read its header and a sample of rows. */
  async head(location: DatasetLocation, bytes = 64 * 1024): Promise<DatasetHead> {
    const out = await this.deps.s3.send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key, Range: `bytes=0-${bytes - 1}` }),
    );
    const text = (await out.Body?.transformToString('utf-8')) ?? '';
    const total = Number(out.ContentRange?.split('/')[1] ?? out.ContentLength ?? text.length);
    const head: DatasetHead = { text, complete: total <= bytes, sizeBytes: total };
    const rows = intMetadata(out.Metadata?.rows);
    if (rows !== undefined) head.rows = rows;
    return head;
  }

  /**
   * A presigned PUT for a new dataset of the user's, valid for 15 minutes and only for exactly
   * `sizeBytes` of CSV. A sample's name is refused, so an id never means two files.
   */
  async uploadUrl(
    userId: string,
    name: string,
    sizeBytes: number,
  ): Promise<{ url: string; headers: Record<string, string>; expiresAt: string }> {
    if (await this.exists(`${samplesPrefix}${name}`)) {
      throw new ConflictError(
        `${name} is the name of a sample dataset; rename your file and upload it again.`,
        { field: 'payload.name' },
      );
    }
    const expiresIn = 15 * 60;
    const url = await getSignedUrl(
      this.deps.s3,
      new PutObjectCommand({
        Bucket: this.deps.bucket,
        Key: `${userPrefix(userId)}${name}`,
        ContentType: 'text/csv',
        ContentLength: sizeBytes,
      }),
      { expiresIn, signableHeaders: new Set(['content-type', 'content-length']) },
    );
    return {
      url,
      headers: { 'content-type': 'text/csv' },
      expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
    };
  }

  /** Where a dataset the user may read lives: their own upload, else a sample. */
  async locate(userId: string, datasetId: string): Promise<DatasetLocation> {
    for (const [prefix, sample] of [
      [userPrefix(userId), false],
      [samplesPrefix, true],
    ] as const) {
      const key = `${prefix}${datasetId}`;
      if (await this.exists(key)) return { bucket: this.deps.bucket, key, sample };
    }
    throw new NotFoundError(`Dataset ${datasetId} was not found; list the datasets to see what is there.`);
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.deps.s3.send(new HeadObjectCommand({ Bucket: this.deps.bucket, Key: key }));
      return true;
    } catch (error) {
      if (error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey')) return false;
      throw error;
    }
  }

  private async listPrefix(prefix: string, sample: boolean): Promise<DatasetSummary[]> {
    const out = await this.deps.s3.send(
      new ListObjectsV2Command({ Bucket: this.deps.bucket, Prefix: prefix, MaxKeys: listLimit }),
    );
    const objects = (out.Contents ?? []).filter((o) => isDatasetFile(o.Key!.slice(prefix.length)));
    const summaries = await Promise.all(
      objects.map(async (object) => {
        const key = object.Key!;
        const head = await this.deps.s3.send(new HeadObjectCommand({ Bucket: this.deps.bucket, Key: key }));
        const id = key.slice(prefix.length);
        const summary: DatasetSummary = {
          id,
          name: head.Metadata?.title || id,
          sizeBytes: object.Size ?? 0,
          sample,
        };
        const rows = intMetadata(head.Metadata?.rows);
        const columns = intMetadata(head.Metadata?.columns);
        if (rows !== undefined) summary.rows = rows;
        if (columns !== undefined) summary.columns = columns;
        return summary;
      }),
    );
    return summaries.sort((a, b) => a.id.localeCompare(b.id));
  }
}

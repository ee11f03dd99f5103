import {
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ConflictError, NotFoundError } from '../errors';
import type { DatasetSummary } from '../protocol/server';
import { DataDictionary, dictionaryKey } from './dictionary';
import { datasetIdFor, decodeTitle, encodeTitle, withSuffix } from './upload-names';

/**
 * Datasets are CSV objects in one bucket: the shared samples under `samples/`, each user's
 * uploads under `users/<userId>/`. A dataset's id is its file name, made safe for a key (the
 * name as uploaded is kept as its title); uploads never take a sample's id, so an id always
 * means one object for a given user.
 */
export const samplesPrefix = 'samples/';
export const userPrefix = (userId: string) => `users/${userId}/`;

/** How many uploads may share a name's id (`sales.csv`, `sales-2.csv`, …). */
const maxSuffix = 99;

/** At most this many datasets are listed per prefix; more would not fit one message anyway. */
const listLimit = 200;

export interface DatasetLocation {
  bucket: string;
  key: string;
  sample: boolean;
  /** The object's size, when the lookup learned it. */
  sizeBytes?: number;
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
   * A presigned PUT for a dataset of the user's, valid for 15 minutes and only for exactly
   * `sizeBytes` of CSV, under an id derived from the file name (upload-names.ts), which the
   * object keeps as its title. The same name again replaces that upload; another name with the
   * same id, or a sample's id, gets the next free suffix (`sales-2.csv`), so an id never means
   * two files.
   */
  async uploadUrl(
    userId: string,
    name: string,
    sizeBytes: number,
  ): Promise<{ datasetId: string; url: string; headers: Record<string, string>; expiresAt: string }> {
    const datasetId = await this.uploadId(userId, name);
    const expiresIn = 15 * 60;
    // The title travels in the URL's query (x-amz-meta-title), signed with it, so the client sends only these headers.
    const url = await getSignedUrl(
      this.deps.s3,
      new PutObjectCommand({
        Bucket: this.deps.bucket,
        Key: `${userPrefix(userId)}${datasetId}`,
        ContentType: 'text/csv',
        ContentLength: sizeBytes,
        Metadata: { title: encodeTitle(name) },
      }),
      { expiresIn, signableHeaders: new Set(['content-type', 'content-length']) },
    );
    return {
      datasetId,
      url,
      headers: { 'content-type': 'text/csv' },
      expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
    };
  }

  /** The id an upload of `name` goes to: its own slug unless another file holds it. */
  private async uploadId(userId: string, name: string): Promise<string> {
    const base = datasetIdFor(name);
    for (let n = 1; n <= maxSuffix; n++) {
      const id = n === 1 ? base : withSuffix(base, n);
      if (await this.exists(`${samplesPrefix}${id}`)) continue;
      const own = await this.headOf(`${userPrefix(userId)}${id}`);
      // An upload from before titles were kept was named by its id.
      if (!own || (decodeTitle(own.Metadata?.title) ?? id) === name) return id;
    }
    throw new ConflictError(
      `Too many of your datasets are named like ${name}; rename the file and upload it again.`,
      {
        field: 'payload.name',
      },
    );
  }

  /**
   * The data dictionary beside a dataset, if it has one. A dictionary that does not parse is
   * ignored: it only helps the planner understand words, and its absence is never an error.
   */
  async dictionary(location: DatasetLocation): Promise<DataDictionary | undefined> {
    try {
      const out = await this.deps.s3.send(
        new GetObjectCommand({ Bucket: location.bucket, Key: dictionaryKey(location.key) }),
      );
      const parsed = DataDictionary.safeParse(JSON.parse((await out.Body?.transformToString('utf-8')) ?? ''));
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      if (error instanceof SyntaxError) return undefined;
      if (
        error instanceof Error &&
        (error.name === 'NoSuchKey' || error.name === 'NotFound' || error.name === 'AccessDenied')
      )
        return undefined;
      throw error;
    }
  }

  /** Where a dataset the user may read lives: their own upload, else a sample. */
  async locate(userId: string, datasetId: string): Promise<DatasetLocation> {
    for (const [prefix, sample] of [
      [userPrefix(userId), false],
      [samplesPrefix, true],
    ] as const) {
      const key = `${prefix}${datasetId}`;
      const size = await this.sizeOf(key);
      if (size !== undefined) return { bucket: this.deps.bucket, key, sample, sizeBytes: size };
    }
    throw new NotFoundError(`Dataset ${datasetId} was not found; list the datasets to see what is there.`);
  }

  private async exists(key: string): Promise<boolean> {
    return (await this.sizeOf(key)) !== undefined;
  }

  /** The object's size in bytes, or undefined when there is no such object. */
  private async sizeOf(key: string): Promise<number | undefined> {
    const head = await this.headOf(key);
    return head && (head.ContentLength ?? 0);
  }

  /** The object's HEAD, or undefined when there is no such object. */
  private async headOf(key: string): Promise<HeadObjectCommandOutput | undefined> {
    try {
      return await this.deps.s3.send(new HeadObjectCommand({ Bucket: this.deps.bucket, Key: key }));
    } catch (error) {
      if (error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey'))
        return undefined;
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
          name: decodeTitle(head.Metadata?.title) || id,
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

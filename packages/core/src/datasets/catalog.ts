import {
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AsyncBuffer } from 'hyparquet';
import { bucketPrefixes, dictionaryKey, userPrefix } from '../bucket';
import { ConflictError, NotFoundError } from '../errors';
import { logger } from '../logger';
import { type DatasetFormat, datasetFormatOf, datasetFormats } from '../protocol/dataset-files';
import type { DatasetSummary } from '../protocol/server';
import { DataDictionary } from './dictionary';
import { type ParquetFooter, type ParquetHead, ParquetReadError, type ParquetReader } from './parquet-reader';
import { datasetIdFor, decodeTitle, encodeTitle, withSuffix } from './upload-names';

/**
 * Datasets are CSV or Parquet objects in one bucket: the shared samples under `samples/`, each
 * user's uploads under `users/<userId>/`. A dataset's id is its file name, made safe for a key
 * (the name as uploaded is kept as its title), and its extension says its format; uploads never
 * take a sample's id, so an id always means one object for a given user.
 */
const samplesPrefix = bucketPrefixes.samples;

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
  /** The object's ETag, when the lookup learned it: a footer read once holds until the file changes. */
  etag?: string;
}

export interface DatasetHead {
  /** The file's first bytes as text. */
  text: string;
  /** True when `text` is the whole file. */
  complete: boolean;
  sizeBytes: number;
  rows?: number;
}

/** A CSV or Parquet file directly under a prefix (nothing in sub-folders). */
function isDatasetFile(name: string): boolean {
  return datasetFormatOf(name) !== undefined && !name.includes('/');
}

/** The format of the dataset at `key`, as its name says (every dataset's name ends in a format's extension). */
export const formatOfKey = (key: string): DatasetFormat => datasetFormatOf(key) ?? 'csv';

/**
 * Parquet footers already read, by object and version: a listing reads each Parquet dataset's
 * footer for its row and column counts, and a warm Lambda need not read it again.
 */
const footers = new Map<string, ParquetFooter>();
const footerCacheSize = 100;

/** An S3 object as a Parquet reader reads a file: each slice is one ranged GET. */
function s3File(s3: S3Client, bucket: string, key: string, byteLength: number): AsyncBuffer {
  return {
    byteLength,
    async slice(start, end = byteLength) {
      if (end <= start) return new ArrayBuffer(0);
      const out = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
      );
      const bytes = (await out.Body?.transformToByteArray()) ?? new Uint8Array(0);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

function intMetadata(value: string | undefined): number | undefined {
  const n = value === undefined ? Number.NaN : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export interface DatasetCatalogDeps {
  s3: S3Client;
  bucket: string;
  /** How this function reads Parquet, if it does (see parquet-reader.ts); without it, Parquet datasets are listed without counts. */
  parquet?: ParquetReader;
}

export class DatasetCatalog {
  constructor(private readonly deps: DatasetCatalogDeps) {}

  /** The same datasets, read with `parquet`: what a function that shows or reads Parquet datasets uses. */
  withParquet(parquet: ParquetReader): DatasetCatalog {
    return new DatasetCatalog({ ...this.deps, parquet });
  }

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
   * A Parquet dataset's exact row count and its columns, as this function's reader describes them
   * (with examples and categories' values where it reads the first rows). Throws ParquetReadError
   * when the file is not Parquet, or when this function cannot read Parquet.
   */
  async parquetHead(location: DatasetLocation): Promise<ParquetHead & { rows: number }> {
    const footer = await this.parquetFooter(location);
    const head = await this.parquetReader(location).head(this.file(location), footer);
    return { rows: footer.rows, ...head };
  }

  /**
   * The dataset as a file to read in byte ranges (each slice one ranged GET), for readers that
   * need only parts of it: a Parquet file's footer and the first rows of its columns.
   */
  private file(location: DatasetLocation): AsyncBuffer {
    if (location.sizeBytes === undefined) throw new Error(`The size of ${location.key} is not known`);
    return s3File(this.deps.s3, location.bucket, location.key, location.sizeBytes);
  }

  /** This function's Parquet reader; a function without one says so, as a file it cannot read. */
  private parquetReader(location: DatasetLocation): ParquetReader {
    if (this.deps.parquet) return this.deps.parquet;
    logger.warn('a Parquet dataset was read where no Parquet reader is plugged in', { key: location.key });
    throw new ParquetReadError('Parquet files cannot be read here.');
  }

  /** A Parquet dataset's footer: its exact row count and columns. Throws ParquetReadError when it is not Parquet. */
  private async parquetFooter(location: DatasetLocation): Promise<ParquetFooter> {
    const cacheKey = location.etag && `${location.bucket}/${location.key}#${location.etag}`;
    const cached = cacheKey ? footers.get(cacheKey) : undefined;
    if (cached) return cached;
    const footer = await this.parquetReader(location).footer(this.file(location));
    if (cacheKey) {
      if (footers.size >= footerCacheSize) footers.delete(footers.keys().next().value!);
      footers.set(cacheKey, footer);
    }
    return footer;
  }

  /**
   * A presigned PUT for a dataset of the user's, valid for 15 minutes and only for exactly
   * `sizeBytes` of CSV or Parquet (the content type its extension says), under an id derived
   * from the file name (upload-names.ts), which the object keeps as its title. The same name
   * again replaces that upload; another name with the same id, or a sample's id, gets the next
   * free suffix (`sales-2.csv`), so an id never means two files.
   */
  async uploadUrl(
    userId: string,
    name: string,
    sizeBytes: number,
  ): Promise<{ datasetId: string; url: string; headers: Record<string, string>; expiresAt: string }> {
    const datasetId = await this.uploadId(userId, name);
    const { contentType } = datasetFormats[formatOfKey(datasetId)];
    const expiresIn = 15 * 60;
    // The title travels in the URL's query (x-amz-meta-title), signed with it, so the client sends only these headers.
    const url = await getSignedUrl(
      this.deps.s3,
      new PutObjectCommand({
        Bucket: this.deps.bucket,
        Key: `${userPrefix(userId)}${datasetId}`,
        ContentType: contentType,
        ContentLength: sizeBytes,
        Metadata: { title: encodeTitle(name) },
      }),
      { expiresIn, signableHeaders: new Set(['content-type', 'content-length']) },
    );
    return {
      datasetId,
      url,
      headers: { 'content-type': contentType },
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
      const head = await this.headOf(key);
      if (head)
        return {
          bucket: this.deps.bucket,
          key,
          sample,
          sizeBytes: head.ContentLength ?? 0,
          ...(head.ETag && { etag: head.ETag }),
        };
    }
    throw new NotFoundError(`Dataset ${datasetId} was not found; list the datasets to see what is there.`);
  }

  private async exists(key: string): Promise<boolean> {
    return (await this.headOf(key)) !== undefined;
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

  /**
   * A Parquet dataset's rows and columns for the listing, from its footer. A file that cannot be
   * read, or a function that reads no Parquet, lists it without them: the listing is no place to
   * fail, and a question about it says why.
   */
  private async parquetShape(location: DatasetLocation): Promise<Pick<DatasetSummary, 'rows' | 'columns'>> {
    if (!this.deps.parquet) return {};
    try {
      const footer = await this.parquetFooter(location);
      return { rows: footer.rows, columns: footer.columnNames.length };
    } catch (error) {
      if (error instanceof ParquetReadError) return {};
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
        if (rows === undefined && formatOfKey(key) === 'parquet')
          Object.assign(
            summary,
            await this.parquetShape({
              bucket: this.deps.bucket,
              key,
              sample,
              sizeBytes: summary.sizeBytes,
              ...(head.ETag && { etag: head.ETag }),
            }),
          );
        return summary;
      }),
    );
    return summaries.sort((a, b) => a.id.localeCompare(b.id));
  }
}

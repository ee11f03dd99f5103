import { createHash } from 'node:crypto';
import { DatasetId } from '../protocol/client';
import { datasetFormatOf, datasetFormats } from '../protocol/dataset-files';

/**
 * An upload keeps the file name a person gave it for display (S3 metadata `title`) and gets a
 * dataset id that is safe in an S3 key, a URL and a tool call: letters, digits, `_`, `.` and
 * `-`, as the protocol's DatasetId. A name that already is one is its own id, as it always was.
 */

/** Room for a suffix ("-99") and the extension within DatasetId's 128 characters. */
const maxStem = 100;

/**
 * The id a file name slugs to, keeping its extension as written: `beauty and the labor market.csv`
 * → `beauty-and-the-labor-market.csv`, `Sales 2026.parquet` → `Sales-2026.parquet`. The name is an
 * UploadFileName: it ends in one of the dataset formats' extensions.
 */
export function datasetIdFor(name: string): string {
  if (DatasetId.safeParse(name).success) return name;
  const format = datasetFormatOf(name);
  if (!format) throw new Error(`${name} does not end in a dataset file's extension`);
  const extension = name.slice(-datasetFormats[format].extension.length);
  const stem = name
    .slice(0, -extension.length)
    // Letters with accents become plain letters (é → e); everything else between words, a dash.
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, maxStem)
    .replace(/[-.]+$/, '');
  // A name with no Latin letters or digits at all gets an id from its hash: still one id per name.
  const safe = stem || `upload-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  return `${safe}${extension}`;
}

/** The n-th alternative to an id that is taken: `sales.csv` → `sales-2.csv`. */
export function withSuffix(id: string, n: number): string {
  const dot = id.lastIndexOf('.');
  return `${id.slice(0, dot)}-${n}${id.slice(dot)}`;
}

const encodedWord = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/i;

/**
 * A title as an S3 metadata value, which travels as an HTTP header: printable ASCII as it is,
 * anything else as an RFC 2047 encoded word (the form S3 itself uses for such metadata).
 */
export function encodeTitle(title: string): string {
  return /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(title)
    ? title
    : `=?UTF-8?B?${Buffer.from(title, 'utf8').toString('base64')}?=`;
}

export function decodeTitle(value: string | undefined): string | undefined {
  const encoded = value === undefined ? undefined : encodedWord.exec(value);
  return encoded ? Buffer.from(encoded[1]!, 'base64').toString('utf8') : value;
}

/**
 * The files a dataset may be, declared once for the server, the web client and the CLI: the
 * extension that names each format, the content type an upload is stored with, and how a
 * Parquet file's own bytes say what it is.
 */
export const datasetFormats = {
  csv: { extension: '.csv', contentType: 'text/csv', label: 'CSV' },
  parquet: { extension: '.parquet', contentType: 'application/vnd.apache.parquet', label: 'Parquet' },
} as const;

export type DatasetFormat = keyof typeof datasetFormats;

const formats = Object.keys(datasetFormats) as DatasetFormat[];

/** "a .csv or .parquet file": the extensions as a person reads them. */
export const datasetExtensionsText = formats.map((f) => datasetFormats[f].extension).join(' or ');

/** The content type a file is stored with: its format's, and CSV's for a name without one. */
export const contentTypeOf = (name: string) => datasetFormats[datasetFormatOf(name) ?? 'csv'].contentType;

/** The format a file name says (by its extension, in any case), or undefined for any other name. */
export function datasetFormatOf(name: string): DatasetFormat | undefined {
  const lower = name.toLowerCase();
  return formats.find((format) => {
    const { extension } = datasetFormats[format];
    return lower.length > extension.length && lower.endsWith(extension);
  });
}

/** A Parquet file begins and ends with this marker, as text and as bytes. */
export const parquetMarker = 'PAR1';
const parquetMagic = new TextEncoder().encode(parquetMarker);

/** The smallest Parquet file: its two markers and the four bytes of the footer's length between. */
const smallestParquet = 12;

const isMagic = (bytes: Uint8Array) =>
  bytes.length === parquetMagic.length && parquetMagic.every((b, i) => bytes[i] === b);

/** Whether a file's first bytes are Parquet's marker (a Parquet file named .csv, say). */
export const startsAsParquet = (head: Uint8Array) => isMagic(head.subarray(0, parquetMagic.length));

/**
 * What is wrong with a file named .parquet, in a sentence about `name`, or undefined when its
 * first and last four bytes are Parquet's marker. `head` and `tail` are the file's first and last
 * bytes (at least four of each when the file has them); `sizeBytes` is its whole size.
 */
export function parquetProblem(
  name: string,
  sizeBytes: number,
  head: Uint8Array,
  tail: Uint8Array,
): string | undefined {
  const again = 'Export it again as Parquet (or as CSV) and upload that.';
  if (sizeBytes < smallestParquet || !startsAsParquet(head))
    return `${name} is not a Parquet file: it does not begin with Parquet's "PAR1" marker. ${again}`;
  if (!isMagic(tail.subarray(tail.length - parquetMagic.length)))
    return `${name} is not a whole Parquet file: it does not end with Parquet's "PAR1" marker (cut short while copying?). ${again}`;
  return undefined;
}

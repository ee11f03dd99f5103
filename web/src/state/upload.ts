import {
  datasetExtensionsText,
  datasetFormatOf,
  datasetFormats,
  limits,
  parquetProblem,
  startsAsParquet,
} from '@cascade/core/protocol';

/** "812 B", "1.5 KB", "3.2 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** How much of a file is read to tell text from binary (and Parquet by its first bytes). */
const sniffBytes = 64 * 1024;

/** What the file picker offers: each format's extension and content type. */
export const uploadAccept = Object.values(datasetFormats)
  .flatMap((f) => [f.extension, f.contentType])
  .join(',');

/**
 * What is wrong with a file as a dataset upload, in a sentence, or undefined when it can go:
 * checked before anything is sent, so an empty, oversized, binary or mislabelled file never
 * becomes a dataset that fails at the first question. A CSV must be UTF-8 text; a Parquet file
 * must begin and end with Parquet's marker.
 */
export async function checkDatasetFile(
  file: File,
  maxBytes = limits.uploadBytes,
): Promise<string | undefined> {
  const format = datasetFormatOf(file.name);
  if (!format)
    return `${file.name} is not a ${datasetExtensionsText} file. Save it as CSV (comma-separated values) or Parquet and upload that.`;
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > maxBytes)
    return `${file.name} is ${formatBytes(file.size)}; the largest file Cascade takes is ${formatBytes(maxBytes)}.`;
  const head = new Uint8Array(await file.slice(0, sniffBytes).arrayBuffer());
  if (format === 'parquet') {
    const tail = new Uint8Array(await file.slice(-4).arrayBuffer());
    return parquetProblem(file.name, file.size, head, tail);
  }
  if (startsAsParquet(head))
    return `${file.name} is a Parquet file named .csv. Rename it to end in .parquet and upload it again.`;
  if (head.includes(0))
    return `${file.name} holds binary data, not CSV text (a spreadsheet or another format renamed .csv?). Export it as CSV and upload that.`;
  try {
    // `stream`: a character cut at the end of the sample is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return `${file.name} is not UTF-8 text. Save it as "CSV UTF-8" and upload it again.`;
  }
  return undefined;
}

/** The server's refusal of an upload, as a sentence about the file. */
export function uploadRefusal(
  fileName: string,
  error: { code: string; message: string; details?: Record<string, unknown> },
) {
  if (error.code === 'BAD_REQUEST' && error.details?.field === 'payload.name') {
    const why = error.message.replace(/^Invalid payload\.name:\s*/i, '').replace(/\.$/, '');
    return `${fileName} cannot be uploaded under that name: ${why}. Rename the file and try again.`;
  }
  return error.message;
}

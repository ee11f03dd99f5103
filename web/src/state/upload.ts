import { limits } from '@cascade/core/protocol';

/** "812 B", "1.5 KB", "3.2 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** How much of a file is read to tell text from binary. */
const sniffBytes = 64 * 1024;

/**
 * What is wrong with a file as a CSV upload, in a sentence, or undefined when it can go: checked
 * before anything is sent, so an empty, oversized or binary file never becomes a dataset that
 * fails at the first question.
 */
export async function checkCsvFile(file: File, maxBytes = limits.uploadBytes): Promise<string | undefined> {
  if (!file.name.toLowerCase().endsWith('.csv'))
    return `${file.name} is not a .csv file. Save it as CSV (comma-separated values) and upload that.`;
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > maxBytes)
    return `${file.name} is ${formatBytes(file.size)}; the largest file Cascade takes is ${formatBytes(maxBytes)}.`;
  const head = new Uint8Array(await file.slice(0, sniffBytes).arrayBuffer());
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

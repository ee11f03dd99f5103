/**
 * How Cascade reads a CSV file's text, wherever it reads it: the agent's quick look at a file's
 * head (csv-head.ts) and the analysis engine's full reading. One set of rules, so what the
 * agent shows and plans with is what the engine computes on. No dependencies: Lambda bundles
 * that import it stay small.
 */

/** The cells pandas reads as missing by default, so Cascade and pandas agree on what "missing" means. */
export const missingMarkers = [
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
] as const;

const markers: ReadonlySet<string> = new Set(missingMarkers);

/** Whether a cell's text (as written, spaces and all, as pandas compares it) is a missing value. */
export const isMissing = (cell: string): boolean => markers.has(cell);

export const delimiterCandidates = [',', ';', '\t', '|'] as const;

/**
 * The delimiter is the candidate the header line uses most outside quotes (a comma on a tie or
 * none). DuckDB's own sniffer falls back to reading a ragged file as one text column, which
 * would hide the real problem.
 */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (delimiterCandidates as readonly string[]).includes(char))
      counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const candidate of delimiterCandidates) {
    const count = counts.get(candidate) ?? 0;
    if (count > bestCount) [best, bestCount] = [candidate, count];
  }
  return best;
}

import type { ContextMessage, ParsedRequest } from './transcript';

/**
 * Turns an item's text into a structured request with plain rules: which dataset, what kind of
 * analysis, and — for effects — which columns are treatment, outcome and covariates. Both model
 * providers get it; the offline planner acts on it directly.
 */
export interface ParseInput {
  content: string;
  /** The item's own input in a batch; equal to content for a single question. */
  input: string;
  /** The dataset chosen in the client, if any. */
  datasetId?: string;
  /** Ids of the datasets the user can read. */
  datasets: string[];
  /** Earlier messages of the session, oldest first: "now profile it" refers back to them. */
  history: ContextMessage[];
  /** Reads a dataset's column names, undefined if it cannot be read. */
  columnsOf(datasetId: string): Promise<string[] | undefined>;
}

const intents: [ParsedRequest['intent'], RegExp][] = [
  [
    'effect',
    /\b(effects?|impacts?|causal|caus(e|es|ed)|uplift|ATE|ATT|treatment|does .+ (affect|increase|decrease|raise|lower|change))\b/i,
  ],
  [
    'profile',
    /\b(profil\w*|summar\w*|distribution\w*|EDA|explor\w*|statistics|stats|overview|correlat\w*|histogram\w*|missing|outliers?|analy[sz]e)\b/i,
  ],
  [
    'describe',
    /\b(columns?|schema|fields?|head|preview|look like|describe|variables?|what is in|what's in)\b/i,
  ],
  ['list', /\b(datasets?|data ?sets?|which data|what data|files?|list)\b/i],
];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A name as a whole word, case-insensitive: `re78` in "on re78," but not in "re781". */
function wordPattern(name: string): RegExp {
  return new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(name)}(?=$|[^A-Za-z0-9_])`, 'i');
}

/** Where each name first occurs in the text, in order of appearance. */
function mentions(text: string, names: string[]): { name: string; at: number }[] {
  const found: { name: string; at: number }[] = [];
  for (const name of names) {
    const match = wordPattern(name).exec(text);
    if (match) found.push({ name, at: match.index + match[1]!.length });
  }
  return found.sort((a, b) => a.at - b.at || b.name.length - a.name.length);
}

export function findDataset(text: string, datasets: string[]): string | undefined {
  const candidates = datasets.flatMap((id) => [
    { id, name: id },
    { id, name: id.replace(/\.csv$/i, '') },
  ]);
  const hit = mentions(
    text,
    candidates.map((c) => c.name),
  )[0];
  return hit && candidates.find((c) => c.name === hit.name)?.id;
}

export function detectIntent(text: string, hasDataset: boolean): ParsedRequest['intent'] {
  for (const [intent, pattern] of intents) {
    if (intent === 'list' && hasDataset) continue;
    if (pattern.test(text)) return intent;
  }
  return hasDataset ? 'describe' : 'unknown';
}

/** The column right after one of the cue phrases ("effect of", "on", "adjusting for"), if any. */
function columnAfter(text: string, cues: RegExp, columns: string[]): string | undefined {
  for (const cue of text.matchAll(new RegExp(cues, 'gi'))) {
    const rest = text.slice(cue.index + cue[0].length);
    const first = mentions(rest, columns)[0];
    if (first && /^[\s"'`*(]*$/.test(rest.slice(0, first.at))) return first.name;
  }
  return undefined;
}

/** Treatment, outcome and covariates named in a question about effects. */
export function findEffectColumns(
  text: string,
  columns: string[],
): Pick<ParsedRequest, 'treatment' | 'outcome' | 'covariates'> {
  const mentioned = mentions(text, columns).map((m) => m.name);
  let treatment =
    columnAfter(text, /\b(?:effects?|impacts?|influence) of\b/, columns) ??
    columnAfter(text, /\bdoes\b/, columns);
  let outcome =
    columnAfter(text, /\b(?:on|upon)\b/, columns) ??
    columnAfter(text, /\b(?:affect|increase|decrease|raise|lower|change)s?\b/, columns);
  treatment ??= mentioned.find((name) => /treat/i.test(name) && name !== outcome);
  outcome ??= mentioned.find((name) => name !== treatment);
  const adjustAt = /\b(adjust\w*|control\w*|account\w*|condition\w*) (for|on)\b|\bgiven\b/i.exec(text);
  const covariates = adjustAt
    ? mentions(text.slice(adjustAt.index), columns)
        .map((m) => m.name)
        .filter((name) => name !== treatment && name !== outcome)
    : [];
  const request: Pick<ParsedRequest, 'treatment' | 'outcome' | 'covariates'> = {};
  if (treatment) request.treatment = treatment;
  if (outcome) request.outcome = outcome;
  if (covariates.length > 0) request.covariates = [...new Set(covariates)];
  return request;
}

export async function parseRequest(input: ParseInput): Promise<ParsedRequest> {
  const text = input.input === input.content ? input.content : `${input.content}\n\n${input.input}`;
  // The item's own words first, then the client's choice, then the message, then the conversation.
  let datasetId =
    (input.input !== input.content ? findDataset(input.input, input.datasets) : undefined) ??
    input.datasetId ??
    findDataset(input.content, input.datasets);
  if (!datasetId) {
    // "now profile it": the most recent dataset the conversation mentioned.
    for (const message of [...input.history].reverse()) {
      datasetId = findDataset(message.content, input.datasets);
      if (datasetId) break;
    }
  }
  const request: ParsedRequest = { text, intent: detectIntent(text, datasetId !== undefined) };
  if (!datasetId) return request;
  request.datasetId = datasetId;
  const columns = await input.columnsOf(datasetId);
  if (columns) {
    request.columns = columns;
    if (request.intent === 'effect') Object.assign(request, findEffectColumns(text, columns));
  }
  return request;
}

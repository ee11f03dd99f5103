import { limits, type QueryItem } from '@cascade/core/protocol';

export interface ParsedBatch {
  items: QueryItem[];
  /** The first problem that would make the server refuse the batch, naming its line; absent when none. */
  problem?: string;
}

/** `id: question`: an id is one word up to the first colon, followed by a space (as the web client reads a batch). */
const explicitId = /^([^\s:]+):(?:\s+(.*))?$/;

/**
 * A batch file: one question per line, optionally `id: question`; blank lines and `#` comments
 * are skipped. Lines without an id get `item-N` (N = the item's position), as in the web client.
 * Checks what the server would refuse — count, id characters, unique ids, question length.
 */
export function parseBatchFile(text: string): ParsedBatch {
  const items: QueryItem[] = [];
  const lineOfId = new Map<string, number>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = explicitId.exec(trimmed);
    const id = match ? match[1]! : `item-${items.length + 1}`;
    const input = (match ? (match[2] ?? '') : trimmed).trim();
    if (match && !limits.itemIdPattern.test(id))
      problems.push(`Line ${line}: the id "${id}" may use only letters, digits, _ . - (at most 64).`);
    if (input === '') problems.push(`Line ${line} has an id but no question.`);
    if (input.length > limits.itemInputChars)
      problems.push(`Line ${line}: a question may be at most ${limits.itemInputChars} characters.`);
    const first = lineOfId.get(id);
    if (first === undefined) lineOfId.set(id, line);
    else problems.push(`Lines ${first} and ${line} use the same id "${id}": ids must be unique.`);
    items.push({ id, input });
  });
  if (items.length === 0) problems.push('The file has no questions: write one per line.');
  if (items.length > limits.items)
    problems.push(`The file has ${items.length} questions; a batch may have at most ${limits.items}.`);
  const [first] = problems;
  if (first === undefined) return { items };
  const more = problems.length - 1;
  return {
    items,
    problem:
      more > 0 ? `${first.replace(/\.$/, '')} (and ${more} more problem${more === 1 ? '' : 's'}).` : first,
  };
}

/** The message text of a batch: what the session's title and history show (the web client's wording). */
export function batchContent(items: readonly QueryItem[]): string {
  const first = items[0]?.input ?? '';
  const head = `Batch of ${items.length} ${items.length === 1 ? 'item' : 'items'}`;
  const text = first ? `${head}: ${first}${items.length > 1 ? ' …' : ''}` : head;
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

import { limits, type QueryItem } from '@cascade/core/protocol';

export interface BatchProblem {
  /** 1-based line numbers the problem is about (empty when it is about the whole batch). */
  lines: number[];
  message: string;
}

export interface ParsedBatch {
  items: QueryItem[];
  /** The line each item came from, by item index. */
  lineOf: number[];
  problems: BatchProblem[];
}

/** `id: question` — an id is one word, up to the first colon, followed by a space. */
const explicitId = /^([^\s:]+):(?:\s+(.*))?$/;

/**
 * Turns the batch text into items, one per non-blank line. A line may start with `id:`; other
 * lines get `item-N` (N = the item's position). Checks what the server would refuse — count,
 * id characters, unique ids, input length — and names the offending lines.
 */
export function parseBatch(text: string): ParsedBatch {
  const items: QueryItem[] = [];
  const lineOf: number[] = [];
  const problems: BatchProblem[] = [];
  const badIds: number[] = [];
  const tooLong: number[] = [];
  const firstLine = new Map<string, number>();
  const duplicates = new Map<string, number[]>();

  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '') return;
    const match = explicitId.exec(trimmed);
    const id = match ? match[1]! : `item-${items.length + 1}`;
    const input = (match ? (match[2] ?? '') : trimmed).trim();
    if (match && !limits.itemIdPattern.test(id)) badIds.push(line);
    if (input.length > limits.itemInputChars) tooLong.push(line);
    if (input === '') problems.push({ lines: [line], message: `Line ${line} has an id but no question.` });
    const first = firstLine.get(id);
    if (first === undefined) firstLine.set(id, line);
    else duplicates.set(id, [...(duplicates.get(id) ?? [first]), line]);
    items.push({ id, input });
    lineOf.push(line);
  });

  if (items.length === 0) problems.push({ lines: [], message: 'Add at least one item, one per line.' });
  if (items.length > limits.items)
    problems.push({
      lines: lineOf.slice(limits.items),
      message: `${items.length} items; a batch may have at most ${limits.items}. Remove ${items.length - limits.items} (from line ${lineOf[limits.items]}).`,
    });
  if (badIds.length > 0)
    problems.push({
      lines: badIds,
      message: `${plural(badIds, 'Line', 'Lines')} ${list(badIds)}: an id may use only letters, digits, _ . - (at most 64).`,
    });
  for (const [id, lines] of duplicates)
    problems.push({ lines, message: `Lines ${list(lines)} use the same id "${id}"; ids must be unique.` });
  if (tooLong.length > 0)
    problems.push({
      lines: tooLong,
      message: `${plural(tooLong, 'Line', 'Lines')} ${list(tooLong)}: a question may be at most ${limits.itemInputChars} characters.`,
    });
  return { items, lineOf, problems };
}

const plural = (values: unknown[], one: string, many: string) => (values.length === 1 ? one : many);

function list(lines: number[]): string {
  const shown = lines.slice(0, 8).join(', ');
  return lines.length > 8 ? `${shown} and ${lines.length - 8} more` : shown;
}

/** The message text of a batch: what the session's title and history show. */
export function batchContent(items: QueryItem[]): string {
  const first = items[0]?.input ?? '';
  const head = `Batch of ${items.length} ${items.length === 1 ? 'item' : 'items'}`;
  const text = first ? `${head}: ${first}${items.length > 1 ? ' …' : ''}` : head;
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/** The text a batch was written as, from its items: `id: question` lines, bare where the id was given for it. */
export function batchText(items: readonly QueryItem[]): string {
  return items
    .map((item, i) => (item.id === `item-${i + 1}` ? item.input : `${item.id}: ${item.input}`))
    .join('\n');
}

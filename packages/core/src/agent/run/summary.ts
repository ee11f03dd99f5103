import type { ResponseStatus } from '../../protocol/codes';
import type { ItemRecord } from '../../repositories/items';
import { markdownTable } from './format';

/** Batches list at most this many items in the summary; the items list shows the rest. */
const summaryRows = 50;

function firstLine(text: string, max = 120): string {
  const line =
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The final summary in markdown: the answer itself for one item, an overview for a batch. */
export function summarizeRun(items: ItemRecord[], status: ResponseStatus): string {
  if (items.length === 1) {
    const [item] = items as [ItemRecord];
    return item.status === 'SUCCEEDED' && item.output
      ? item.output.text
      : `This could not be answered: ${item.error ?? 'the run stopped early.'}`;
  }
  const succeeded = items.filter((i) => i.status === 'SUCCEEDED').length;
  const headline =
    status === 'SUCCEEDED'
      ? `**All ${items.length} items succeeded.**`
      : `**${succeeded} of ${items.length} items succeeded**, ${items.length - succeeded} failed.`;
  const rows = items
    .slice(0, summaryRows)
    .map((i) => [
      i.itemId,
      i.status === 'SUCCEEDED' ? '✓' : '✗',
      i.status === 'SUCCEEDED' ? firstLine(i.output?.text ?? '') : (i.error ?? ''),
    ]);
  const more = items.length > summaryRows ? `\n\n…and ${items.length - summaryRows} more items.` : '';
  return `${headline}\n\n${markdownTable(['item', '', 'result'], rows)}${more}`;
}

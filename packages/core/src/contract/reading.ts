import { formatCount } from './format';
import type { ReadNote } from './results';

const quoted = (value: string) => `"${value.length > 40 ? `${value.slice(0, 39)}…` : value}"`;

/** Each note as a sentence for the person reading the answer. */
export function describeReading(notes: readonly ReadNote[]): string[] {
  return notes.map(describeNote);
}

function describeNote(note: ReadNote): string {
  switch (note.kind) {
    case 'coerced': {
      const shown = note.examples.map((e) => `${quoted(e.value)} on line ${formatCount(e.line)}`).join(', ');
      const more =
        note.count > note.examples.length
          ? `, and ${formatCount(note.count - note.examples.length)} more`
          : '';
      return `${note.column} is read as numbers; ${formatCount(note.count)} ${note.count === 1 ? 'value is' : 'values are'} not a number and counted as missing (${shown}${more}).`;
    }
    case 'renamed':
      return note.from === ''
        ? `Column ${note.position} has no header; it is called ${note.to}.`
        : `Two columns are headed ${quoted(note.from)}; column ${note.position} is called ${note.to}.`;
    case 'decimal_comma':
      return `Numbers use decimal commas (${note.columns.join(', ')}) and were read that way.`;
    case 'decimal_comma_suspected':
      return `${note.columns.join(', ')} ${note.columns.length === 1 ? 'looks' : 'look'} like numbers written with decimal commas, so ${note.columns.length === 1 ? 'it is' : 'they are'} read as text; save the file with decimal points (or separate fields with semicolons) to use them as numbers.`;
  }
}

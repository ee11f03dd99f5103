import { datasetOf, type Frame } from '../planner/frame';
import type { DatasetName, DatasetSchema } from '../planner/schema';
import { understand } from '../planner/understand';
import type { ContextMessage, ParsedRequest } from '../run/transcript';

/**
 * Parse: reads an item's question with the offline grammar into a frame (what to compute, on
 * which dataset) or a refusal. The offline planner acts on the frame; a language model gets the
 * dataset and its columns as hints and decides for itself.
 */
export interface ParseInput {
  content: string;
  /** The item's own input in a batch; equal to content for a single question. */
  input: string;
  /** The dataset chosen in the client, if any. */
  datasetId?: string;
  /** The datasets the user can read, with their titles and other names. */
  datasets: DatasetName[];
  /** Earlier messages of the session, oldest first: "now by country" refers back to them. */
  history: ContextMessage[];
  /** A dataset's columns, types and dictionary; undefined if it cannot be read. */
  schemaOf(datasetId: string): Promise<DatasetSchema | undefined>;
}

/** The schema as the item keeps it: names, types and a few values, without the dictionary. */
function compact(schema: DatasetSchema): DatasetSchema {
  return {
    id: schema.id,
    columns: schema.columns.map((c) => ({
      name: c.name,
      type: c.type,
      ...(c.values && { values: c.values.slice(0, 20) }),
    })),
  };
}

export async function parseRequest(input: ParseInput): Promise<ParsedRequest> {
  const text = input.input === input.content ? input.content : `${input.content}\n\n${input.input}`;
  const schemas = new Map<string, Promise<DatasetSchema | undefined>>();
  const schemaOf = (id: string) => {
    if (!schemas.has(id)) schemas.set(id, input.schemaOf(id));
    return schemas.get(id)!;
  };
  const context = {
    datasets: input.datasets,
    schemaOf,
    ...(input.datasetId && { selected: input.datasetId }),
  };
  const batch = input.input !== input.content;

  // The conversation's earlier questions, read again in order, so a follow-up knows what it follows.
  // A follow-up builds on the last question that was understood; when the one just before was
  // not, the answer says which question it builds on.
  let previous: Frame | undefined;
  let recent: string | undefined;
  let skipped: string | undefined;
  for (const message of input.history) {
    if (message.role !== 'user') continue;
    const earlier = await understand(message.content, {
      ...context,
      ...(previous && { previous }),
      ...(recent && { recent }),
    });
    if ('frame' in earlier) previous = earlier.frame;
    skipped = 'frame' in earlier ? undefined : message.content;
    const about = 'frame' in earlier ? datasetOf(earlier.frame) : earlier.refusal.datasetId;
    if (about) recent = about;
  }

  const ask = (question: string) =>
    understand(question, {
      ...context,
      ...(previous && { previous }),
      ...(recent && { recent }),
      ...(batch && { itemText: input.input }),
    });
  // In a batch the message may only introduce the items ("three questions"): an item that is a
  // question of its own is read alone when the two together are not understood.
  let understood = await ask(text);
  if (batch && 'refusal' in understood) {
    const alone = await ask(input.input);
    if ('frame' in alone) understood = alone;
  }
  if ('refusal' in understood) {
    const request: ParsedRequest = { text, intent: 'refusal', refusal: understood.refusal };
    const datasetId = understood.refusal.datasetId ?? input.datasetId;
    if (datasetId) {
      request.datasetId = datasetId;
      const schema = await schemaOf(datasetId);
      if (schema && !schema.unreadable) request.columns = schema.columns.map((c) => c.name);
    }
    return request;
  }
  const { frame } = understood;
  const request: ParsedRequest = {
    text,
    intent: frame.kind,
    frame,
    ...(understood.followUp && { followUp: true }),
    ...(understood.followUp && skipped && { skipped }),
    ...(understood.corrections && { corrections: understood.corrections }),
  };
  if (frame.kind !== 'datasets') {
    request.datasetId = frame.datasetId;
    const schema = await schemaOf(frame.datasetId);
    if (schema) {
      request.columns = schema.columns.map((c) => c.name);
      request.schema = compact(schema);
    }
  }
  return request;
}

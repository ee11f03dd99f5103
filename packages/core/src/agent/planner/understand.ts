import { datasetFormats } from '../../protocol/dataset-files';
import { applyFollowUp } from './followup';
import type { Frame, Refusal } from './frame';
import { aggregateProblem, read } from './grammar';
import { baseLexicon, unsupportedMessage } from './lexicon';
import type { DatasetName, DatasetSchema } from './schema';
import { datasetLexemes, Lexicon, type Span, schemaLexemes, segment } from './segment';
import { suggestionsFor } from './suggest';

/**
 * The offline planner's understanding of one question: which dataset, and a frame (what to
 * compute) or a refusal (why not, and what it can answer instead). Deterministic: the same
 * question in the same context always reads the same way.
 */
export type Understanding =
  | {
      frame: Frame;
      followUp?: boolean;
      /** Misspelt words and how they were read. */
      corrections?: { from: string; to: string }[];
    }
  | { refusal: Refusal };

export interface UnderstandContext {
  /** Every dataset the user can read. */
  datasets: DatasetName[];
  /** The dataset chosen for this question before reading it (the client's choice). */
  selected?: string;
  /** In a batch, the part of the question that is the item's own: a dataset it names wins. */
  itemText?: string;
  /** The frame of the previous question in the conversation, for follow-ups. */
  previous?: Frame;
  /** The dataset the conversation was last about, even when its last question was not understood. */
  recent?: string;
  /** The previous question's dataset, read: a follow-up on another study maps its treatment and outcome. */
  previousSchema?: DatasetSchema;
  /** Reads a dataset's columns, types and dictionary; undefined when it cannot be read. */
  schemaOf(datasetId: string): Promise<DatasetSchema | undefined>;
}

/** A file name in a question: "churn.csv", "sales.parquet", by the extensions of protocol/dataset-files.ts. */
const fileName = new RegExp(
  `[\\w.-]+\\.(?:${Object.values(datasetFormats)
    .map((format) => format.extension.slice(1))
    .join('|')})\\b`,
  'gi',
);

const datasetSenses = (spans: Span[]) =>
  spans.flatMap((span) => span.senses.flatMap((s) => (s.kind === 'dataset' ? [s] : [])));

export async function understand(question: string, context: UnderstandContext): Promise<Understanding> {
  const names = new Lexicon([...baseLexicon, ...datasetLexemes(context.datasets)]);
  // Without a dataset's words, a word unknown here may be one of them: no spelling corrections yet.
  const first = segment(question, names, [], { fuzzy: false });
  let strong = [
    ...new Set(
      datasetSenses(first)
        .filter((s) => s.strong)
        .map((s) => s.datasetId),
    ),
  ];
  // A batch item that names its dataset ("churn.csv") overrides the message's.
  if (context.itemText && strong.length > 1) {
    const own = datasetSenses(segment(context.itemText, names))
      .filter((s) => s.strong)
      .map((s) => s.datasetId);
    if (own.length === 1) strong = [own[0]!];
  }
  const weak = [
    ...new Set(
      datasetSenses(first)
        .filter((s) => !s.strong)
        .map((s) => s.datasetId),
    ),
  ];
  const listing = first.some((s) => s.senses.some((x) => x.kind === 'keyword' && x.word === 'datasets'));
  // "which datasets do I have", "do you have any data about churn": a listing, unless something is to be computed.
  const computing = new Set([
    'compare',
    'correlation',
    'drivers',
    'effect',
    'distribution',
    'missing',
    'distinct',
    'shape',
    'percentile',
    'top',
    'most',
    'least',
    'columns',
    'types',
  ]);
  // "how many datasets are there": the count is of the datasets, which the listing answers.
  const countsDatasets = (i: number) =>
    first[i]!.senses.some((x) => x.kind === 'aggregate' && x.fn === 'count') &&
    first[i + 1]?.senses.some((x) => x.kind === 'keyword' && x.word === 'datasets') === true;
  const others = first.some(
    (s, i) =>
      !countsDatasets(i) &&
      s.senses.some((x) => x.kind === 'aggregate' || (x.kind === 'keyword' && computing.has(x.word))),
  );
  const previousDataset =
    context.previous && context.previous.kind !== 'datasets' ? context.previous.datasetId : undefined;

  // Things no tool does are refused before anything else ("what's the weather tomorrow").
  const unsupported = first.flatMap((span) => span.senses).find((s) => s.kind === 'unsupported');
  if (unsupported && unsupported.kind === 'unsupported') {
    return {
      refusal: {
        reason: 'unsupported',
        message: unsupportedMessage(unsupported),
        suggestions: suggestionsAcross(context.datasets),
      },
    };
  }
  // A file name that is not a dataset: say so rather than answer about another one.
  const named = [...question.matchAll(fileName)].map((m) => m[0]);
  const unknownFile = named.find(
    (file) => !context.datasets.some((d) => d.id.toLowerCase() === file.toLowerCase()),
  );
  if (unknownFile) {
    return {
      refusal: {
        reason: 'unknown_dataset',
        message: `There is no dataset named ${unknownFile}. The datasets you can use are ${context.datasets.map((d) => d.id).join(', ')}; upload a CSV or Parquet file to add one.`,
        suggestions: suggestionsAcross(context.datasets),
      },
    };
  }
  // "profile sales" with both sales.csv and sales.parquet: one phrase, two files.
  const ambiguous = first.find(
    (span) => new Set(datasetSenses([span]).flatMap((s) => (s.strong ? [s.datasetId] : []))).size > 1,
  );
  if (strong.length > 1 && ambiguous) {
    const ids = [...new Set(datasetSenses([ambiguous]).map((s) => s.datasetId))];
    return {
      refusal: {
        reason: 'unknown_dataset',
        message: `"${ambiguous.text}" could be ${ids.join(' or ')}; name the file you mean.`,
        suggestions: ids.map((id) => `the same question about ${id}`),
      },
    };
  }
  if (strong.length > 1) {
    return {
      refusal: {
        reason: 'unsupported',
        message: `This question names ${strong.join(' and ')}; I answer about one dataset at a time.`,
        suggestions: strong.map((id) => `the same question about ${id} alone`),
      },
    };
  }
  if (listing && !others) return { frame: { kind: 'datasets' } };

  const datasetId =
    strong[0] ??
    context.selected ??
    previousDataset ??
    context.recent ??
    (weak.length === 1 ? weak[0] : undefined) ??
    (context.datasets.length === 1 ? context.datasets[0]!.id : undefined);
  if (!datasetId) {
    // No dataset named or chosen: the one dataset whose columns the question fits, if only one does.
    const fits = await fitsAcross(question, context, undefined);
    if (fits.length === 1) return fits[0]!;
    // "which dataset has a country column, and how many countries": not a listing, and not understood.
    if (listing && !others) return { frame: { kind: 'datasets' } };
    // Understood against one dataset but not answerable there ("average plan"): say why.
    if (fits.length === 0) {
      const understood = await understoodAcross(question, context);
      if (understood) return understood;
    }
    return {
      refusal: {
        reason: 'no_dataset',
        message:
          fits.length > 1
            ? `This question fits more than one dataset (${fits.map((f) => ('frame' in f && f.frame.kind !== 'datasets' ? f.frame.datasetId : '')).join(', ')}); name the one you mean, or choose it in the dataset menu.`
            : `I can't tell which dataset this question is about, and its words don't fit any of them. Name one of ${context.datasets.map((d) => d.id).join(', ')}, or choose it in the dataset menu.`,
        suggestions: suggestionsAcross(context.datasets),
      },
    };
  }
  const schema = await context.schemaOf(datasetId);
  if (!schema) {
    return {
      refusal: {
        reason: 'unknown_dataset',
        message: `I could not read ${datasetId}. List the datasets to see what is there.`,
        suggestions: ['which datasets do I have?'],
      },
    };
  }
  if (schema.unreadable) {
    return {
      refusal: {
        reason: 'unknown_dataset',
        message: `I could not read ${datasetId}. ${schema.unreadable}`,
        suggestions: suggestionsAcross(context.datasets.filter((d) => d.id !== datasetId)),
        datasetId,
      },
    };
  }
  const previousSchema =
    previousDataset && previousDataset !== datasetId ? await context.schemaOf(previousDataset) : undefined;
  const reading = readWith(
    question,
    schema,
    { ...context, ...(previousSchema && { previousSchema }) },
    strong.length > 0,
  );
  if (
    'refusal' in reading &&
    strong.length === 0 &&
    ['unknown_column', 'unknown_words'].includes(reading.refusal.reason)
  ) {
    // The words fit another dataset: "the effect of the training program on 1978 earnings" is about LaLonde's data.
    const fits = await fitsAcross(question, context, datasetId);
    const other = fits.length === 1 ? fits[0]! : undefined;
    if (other && 'frame' in other && other.frame.kind !== 'datasets') {
      // Unless the question itself points at this dataset ("the age of the subscription customers"):
      // then the other file's answer would be about other people. Say where the words do fit.
      if (!weak.includes(datasetId)) return other;
      return {
        refusal: {
          ...reading.refusal,
          message: `${reading.refusal.message} The question reads as being about ${datasetId}; ${other.frame.datasetId} has those columns, so ask about ${other.frame.datasetId} by name if you meant it.`,
        },
      };
    }
  }
  return reading;
}

/** The readings of the question against every dataset (but `except`) that make a frame of it. */
async function fitsAcross(
  question: string,
  context: UnderstandContext,
  except: string | undefined,
): Promise<Understanding[]> {
  const fits: Understanding[] = [];
  for (const other of context.datasets) {
    if (other.id === except) continue;
    const schema = await context.schemaOf(other.id);
    if (!schema || schema.unreadable) continue;
    const attempt = readWith(question, schema, { ...context, previous: undefined }, false);
    if ('frame' in attempt) fits.push(attempt);
  }
  return fits;
}

/** The one refusal, across datasets, that is about the request rather than about words it did not know. */
async function understoodAcross(
  question: string,
  context: UnderstandContext,
): Promise<Understanding | undefined> {
  const refusals: Understanding[] = [];
  for (const other of context.datasets) {
    const schema = await context.schemaOf(other.id);
    if (!schema || schema.unreadable) continue;
    const attempt = readWith(question, schema, { ...context, previous: undefined }, false);
    if ('refusal' in attempt && !['unknown_column', 'unknown_words'].includes(attempt.refusal.reason))
      refusals.push(attempt);
  }
  return refusals.length === 1 ? refusals[0] : undefined;
}

function suggestionsAcross(datasets: DatasetName[]): string[] {
  return ['which datasets do I have?', ...datasets.slice(0, 3).map((d) => `what columns does ${d.id} have?`)];
}

/**
 * Reads a question against one dataset. A chatty opening with no analysis words in it ("im doing
 * a class project - can you run …", "hi! quick one: …") is left out when the rest reads alone.
 */
function readWith(
  question: string,
  schema: DatasetSchema,
  context: UnderstandContext,
  named: boolean,
): Understanding {
  const whole = readOnce(question, schema, context, named);
  if (!('refusal' in whole) || !['unknown_words', 'unknown_column'].includes(whole.refusal.reason))
    return whole;
  const clauses = question.split(/(?<=[.!?:;])\s+|\s+[-–—]+\s+/);
  const lexicon = new Lexicon([...baseLexicon, ...schemaLexemes(schema)]);
  for (let k = 1; k < clauses.length; k++) {
    const opening = segment(clauses.slice(0, k).join(' '), lexicon, [], { fuzzy: false });
    const chatter = opening.every((s) => s.unknown || s.senses.every((x) => x.kind === 'stop'));
    if (!chatter) break;
    const rest = readOnce(clauses.slice(k).join(' '), schema, context, named);
    if (!('refusal' in rest)) return rest;
  }
  return whole;
}

function readOnce(
  question: string,
  schema: DatasetSchema,
  context: UnderstandContext,
  named: boolean,
): Understanding {
  const lexicon = new Lexicon([
    ...baseLexicon,
    ...datasetLexemes(context.datasets),
    ...schemaLexemes(schema),
  ]);
  const spans = segment(
    question,
    lexicon,
    schema.columns.map((c) => c.name),
  );
  // Dataset words ("churn") that are also this dataset's columns are columns, unless they are its
  // file name, or a follow-up moves to the dataset ("and in churn?" after a question on another).
  const moving =
    context.previous && context.previous.kind !== 'datasets' && context.previous.datasetId !== schema.id;
  spans.forEach((span, i) => {
    if (!span.senses.some((s) => s.kind === 'column' || s.kind === 'value')) return;
    const into = moving && i > 0 && /(^|\s)(in|for|on|from|to)$/i.test(spans[i - 1]!.text);
    const dataset = span.senses.some((s) => s.kind === 'dataset' && s.strong && s.datasetId === schema.id);
    span.senses =
      into && dataset
        ? span.senses.filter((s) => s.kind === 'dataset')
        : span.senses.filter((s) => s.kind !== 'dataset' || s.datasetId === span.text);
  });
  const corrections = spans.flatMap((span) =>
    span.corrected ? [{ from: span.text, to: span.corrected }] : [],
  );
  const reading = read({
    spans,
    schema,
    datasetNamed: named,
    hasPrevious: context.previous !== undefined && context.previous.kind !== 'datasets',
    ...(context.previous && context.previous.kind !== 'datasets' && { previous: context.previous }),
  });
  const fixed = corrections.length > 0 ? { corrections } : {};
  if (reading.kind === 'frame') return { frame: reading.frame, ...fixed };
  if (reading.kind === 'refusal') return { refusal: reading.refusal };
  const merged = applyFollowUp(
    context.previous!,
    reading.slots,
    reading.markers,
    schema,
    context.previousSchema,
  );
  if (!('frame' in merged)) return merged;
  // "what about country?" after an average: the same check a whole question gets.
  const problem = merged.frame.kind === 'aggregate' ? aggregateProblem(schema, merged.frame) : undefined;
  if (problem)
    return {
      refusal: {
        reason: 'wrong_type',
        message: problem,
        suggestions: suggestionsFor(schema),
        datasetId: schema.id,
      },
    };
  const all = [...corrections, ...(merged.mapped ?? [])];
  return { frame: merged.frame, followUp: true, ...(all.length > 0 && { corrections: all }) };
}

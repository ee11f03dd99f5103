import * as z from 'zod';
import { DatasetId } from '../protocol/client';

/**
 * The agent's tools, declared once. The same declarations build the Bedrock tool config and
 * validate every tool call in Dispatch, so the model and the runtime can never disagree.
 * `runs` says where a tool executes: inline in the Dispatch Lambda, as the Fargate analysis
 * task, or not at all (final_answer ends the item).
 */
export const toolDeclarations = {
  list_datasets: {
    description: 'List the datasets the user can analyse: shared samples and their own uploads.',
    input: z.object({}),
    runs: 'inline',
  },
  describe_dataset: {
    description:
      "Read a dataset's header and first rows: column names, inferred types, example values, size. Cheap; use it to learn column names before other tools.",
    input: z.object({ datasetId: DatasetId.describe('The dataset id, e.g. "lalonde.csv".') }),
    runs: 'inline',
  },
  profile: {
    description:
      'Exploratory data analysis of a whole dataset: per-column type, missing values, distinct values, mean, standard deviation, quartiles, histograms, top categories, and the correlation matrix of numeric columns.',
    input: z.object({ datasetId: DatasetId.describe('The dataset id, e.g. "churn.csv".') }),
    runs: 'task',
  },
  estimate_effect: {
    description:
      'Estimate the causal effect of a binary treatment column on an outcome column, adjusting for covariates: difference in means, regression adjustment, inverse probability weighting and propensity matching, with confidence intervals, balance and overlap diagnostics.',
    input: z.object({
      datasetId: DatasetId.describe('The dataset id.'),
      treatment: z.string().min(1).describe('Name of the binary (0/1) treatment column.'),
      outcome: z.string().min(1).describe('Name of the numeric outcome column.'),
      covariates: z.array(z.string().min(1)).max(50).optional().describe('Columns to adjust for.'),
    }),
    runs: 'task',
  },
  final_answer: {
    description:
      "Give the final answer to the user's question in markdown, citing the numbers the tools returned. Call it exactly once, when you are done.",
    input: z.object({ text: z.string().min(1).max(20_000).describe('The answer, in markdown.') }),
    runs: 'finish',
  },
} as const;

export type ToolName = keyof typeof toolDeclarations;

export const toolNames = Object.keys(toolDeclarations) as ToolName[];

export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(toolDeclarations, name);
}

/** JSON Schema for each tool's input, as Bedrock's Converse API takes it. */
export function toolInputSchema(name: ToolName): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(toolDeclarations[name].input) as Record<string, unknown>;
  return schema;
}

export type ValidatedCall =
  | { ok: true; name: ToolName; input: Record<string, unknown> }
  | { ok: false; problem: string };

/**
 * Checks a tool call against its declaration. A bad call is not an error: it becomes an
 * observation the model can read and correct on its next turn.
 */
export function validateToolCall(name: string, input: unknown): ValidatedCall {
  if (!isToolName(name)) {
    return {
      ok: false,
      problem: `There is no tool named "${name}". The tools are: ${toolNames.join(', ')}.`,
    };
  }
  const parsed = toolDeclarations[name].input.safeParse(input ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues
      .map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`)
      .join('; ');
    return {
      ok: false,
      problem: `The arguments for ${name} are invalid (${details}). Fix them and call it again.`,
    };
  }
  return { ok: true, name, input: parsed.data as Record<string, unknown> };
}

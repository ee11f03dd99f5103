import * as z from 'zod';
import {
  CompareGroupsInput,
  EstimateEffectInput,
  FitRegressionInput,
  ProfileInput,
  QueryDataInput,
} from '../../contract';
import { DatasetId } from '../../protocol/client';
import { datasetFormatOf } from '../../protocol/dataset-files';

/**
 * Where a tool runs. `inline`: in the Dispatch Lambda, no engine (a listing, a file's first rows).
 * `engine`: the analysis engine — in the Dispatch Lambda itself when the dataset is at most
 * `inlineMaxBytes` (no Fargate start-up for a one-line aggregate), else as the Fargate task.
 * `finish`: ends the item.
 */
export type ToolPlacement = 'inline' | 'engine' | 'finish';

interface ToolDeclaration {
  description: string;
  input: z.ZodObject;
  runs: ToolPlacement;
  /** Engine tools: the largest dataset (CSV bytes; see parquetInlineWeight) run inside Dispatch rather than on Fargate. */
  inlineMaxBytes?: number;
  /** Engine tools: the Fargate task's size when the dataset is larger than that. */
  task?: TaskSize;
}

/** A Fargate task size: one of Fargate's CPU and memory combinations. */
export interface TaskSize {
  /** CPU units (1024 = 1 vCPU). */
  cpu: 1024 | 2048;
  memoryMiB: number;
}

/** Reading, counting, testing, fitting: one vCPU and 2 GB, the task definition's own size. */
export const standardTask: TaskSize = { cpu: 1024, memoryMiB: 2048 };
/** Causal estimation (propensity models, matching, bootstrap): 2 vCPU and 4 GB. */
export const causalTask: TaskSize = { cpu: 2048, memoryMiB: 4096 };

/**
 * The share of a task's memory the engine's database may use (its spill threshold); the rest is
 * for Node.js (the statistics' matrices live on its heap), the runtime and the operating system.
 */
export const engineMemoryShare = 0.6;

const MB = 1024 * 1024;

/**
 * The agent's tools, declared once. The same declarations build the Bedrock tool config and
 * validate every tool call in Dispatch, so the model and the runtime can never disagree. The
 * analysis tools' inputs come from the contract the engines parse their jobs with.
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
  query_data: {
    description:
      'Run one read-only SQL query (DuckDB dialect) over a dataset, exposed as the table `data`: counts, averages, medians (quantile_cont), sums, min/max, standard deviations, GROUP BY, WHERE, ORDER BY/LIMIT, window functions. Returns the result columns, up to 1,000 rows, the total row count and the SQL that ran; can draw a bar, line, scatter or histogram chart of the result. Use it for any question answered by counting or aggregating.',
    input: QueryDataInput,
    runs: 'engine',
    inlineMaxBytes: 64 * MB,
    task: standardTask,
  },
  compare_groups: {
    description:
      "Test whether an outcome differs between groups (the values of a group column): Welch's t-test and Mann–Whitney for a numeric outcome between two groups, Welch's ANOVA and Kruskal–Wallis for more, chi-square and a two-proportion z-test for a binary or categorical outcome. Returns group sizes, means or rates, the difference with its 95 % confidence interval, p-values and effect sizes.",
    input: CompareGroupsInput,
    runs: 'engine',
    inlineMaxBytes: 64 * MB,
    task: standardTask,
  },
  fit_regression: {
    description:
      'Fit a regression of an outcome on named predictors: OLS for a numeric outcome, logistic for a binary one (categorical predictors dummy-coded against a named reference level). Returns coefficients with HC1 robust standard errors, 95 % confidence intervals and p-values, R² or pseudo-R², and n. Use it for "what drives X" and "predict X from …" questions; it shows association, not causation.',
    input: FitRegressionInput,
    runs: 'engine',
    inlineMaxBytes: 64 * MB,
    task: standardTask,
  },
  profile: {
    description:
      'Exploratory data analysis of a whole dataset: per-column type, missing values, distinct values, mean, standard deviation, quartiles, histograms, top categories, and the correlation matrix of numeric and true/false columns.',
    input: ProfileInput,
    runs: 'engine',
    inlineMaxBytes: 16 * MB,
    task: standardTask,
  },
  estimate_effect: {
    description:
      'Estimate the causal effect of a binary treatment column on an outcome column, adjusting for covariates: difference in means, regression adjustment, inverse probability weighting and propensity matching, with confidence intervals, balance and overlap diagnostics. Set `method` to the method the user asked for; regression adjustment leads otherwise.',
    input: EstimateEffectInput,
    runs: 'engine',
    inlineMaxBytes: 16 * MB,
    task: causalTask,
  },
  final_answer: {
    description:
      "Give the final answer to the user's question in markdown, citing the numbers the tools returned. Call it exactly once, when you are done.",
    input: z.object({ text: z.string().trim().min(1).max(20_000).describe('The answer, in markdown.') }),
    runs: 'finish',
  },
} as const satisfies Record<string, ToolDeclaration>;

export type ToolName = keyof typeof toolDeclarations;

/**
 * What RunAnalysis passes to ECS for a tool: the task-level CPU and memory overrides (strings, as
 * RunTask takes them) and the engine's memory limit in the container's environment.
 */
export function taskOverridesFor(tool: EngineToolName): { cpu: string; memory: string; memoryLimit: string } {
  const { cpu, memoryMiB } = toolDeclarations[tool].task;
  return {
    cpu: String(cpu),
    memory: String(memoryMiB),
    memoryLimit: `${Math.floor(memoryMiB * engineMemoryShare)}MB`,
  };
}

/**
 * Parquet is compressed and column-encoded: the same table takes 1.5 to 6 times fewer bytes than
 * its CSV (the samples: 1.7–3.5× with snappy, 2.1–5.7× with zstd; random floats 1.4×), yet the
 * engine loads the same rows and columns either way. So Dispatch counts a Parquet file's bytes
 * this many times against a tool's `inlineMaxBytes` (a 3.2 MB Parquet file is profiled inline as
 * a 16 MB CSV would be): a well-compressed file does not bring several times the rows into the
 * Lambda. The weight comes from the name, so deciding costs no read of the file; a file that
 * compresses less goes to the task a little early, which costs only the task's start-up.
 */
export const parquetInlineWeight = 5;

/** Whether `tool`'s analysis of the dataset at `key`, of `sizeBytes`, runs inside Dispatch. */
export function runsInDispatch(tool: EngineToolName, key: string, sizeBytes: number): boolean {
  const weight = datasetFormatOf(key) === 'parquet' ? parquetInlineWeight : 1;
  return sizeBytes * weight <= toolDeclarations[tool].inlineMaxBytes;
}

/** The tools the analysis engine runs. */
export type EngineToolName = {
  [K in ToolName]: (typeof toolDeclarations)[K]['runs'] extends 'engine' ? K : never;
}[ToolName];

export const toolNames = Object.keys(toolDeclarations) as ToolName[];

export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(toolDeclarations, name);
}

export function isEngineTool(name: string): name is EngineToolName {
  return isToolName(name) && toolDeclarations[name].runs === 'engine';
}

/** JSON Schema for each tool's input, as Bedrock's Converse API takes it. */
export function toolInputSchema(name: ToolName): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(toolDeclarations[name].input) as Record<string, unknown>;
  return schema;
}

/** A tool's input as its declaration's schema reads it. */
export type ToolInput<N extends ToolName> = z.output<(typeof toolDeclarations)[N]['input']>;

/** Each tool's validated call: its name and its own typed input. */
type CallsByTool = { [N in ToolName]: { name: N; input: ToolInput<N> } };

/** A validated tool call, told apart by the tool's name: `call.input` is that tool's input. */
export type TypedToolCall = CallsByTool[ToolName];

/** The tools that run inside Dispatch without the engine. */
export type InlineToolName = {
  [K in ToolName]: (typeof toolDeclarations)[K]['runs'] extends 'inline' ? K : never;
}[ToolName];

export type InlineToolCall = CallsByTool[InlineToolName];
export type EngineToolCall = CallsByTool[EngineToolName];

/** Whether a validated call is one of the light tools Dispatch runs itself. */
export function isInlineCall(call: TypedToolCall): call is InlineToolCall {
  return toolDeclarations[call.name].runs === 'inline';
}

export type ValidatedCall = ({ ok: true } & TypedToolCall) | { ok: false; problem: string };

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
  // The one place a call gets its type: zod has just read its input with the schema of the tool
  // it names, which TypeScript cannot follow from a name held in a variable.
  return { ok: true, name, input: parsed.data } as ValidatedCall;
}

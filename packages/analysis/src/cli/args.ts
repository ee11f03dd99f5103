import { parseArgs } from 'node:util';
import { regressionModels } from '@cascade/core/contract';
import { AnalysisRequest } from '../analysis';
import { type Method, methods } from '../engines/causal/types';
import { BadRequestError } from '../errors';

export const usage = `Usage:
  cascade-analysis profile --data <file.csv | file.parquet | s3://bucket/key> [--json]
  cascade-analysis estimate-effect --data <file.csv | file.parquet | s3://bucket/key> --treatment <column> --outcome <column>
                                   [--covariates a,b,c] [--methods m1,m2] [--json]
  cascade-analysis query --data <file.csv | file.parquet | s3://bucket/key> --sql "<one SELECT over the table data>" [--json]
  cascade-analysis compare-groups --data <file.csv | file.parquet | s3://bucket/key> --outcome <column> --group <column>
                                  [--groups a,b] [--json]
  cascade-analysis fit-regression --data <file.csv | file.parquet | s3://bucket/key> --outcome <column> --predictors a,b
                                  [--model ${regressionModels.join('|')}] [--json]
  cascade-analysis task      (Fargate: reads TASK_TOKEN and JOB_URI from the environment)

Methods: ${methods.join(', ')}
Environment: ANALYSIS_MEMORY_LIMIT (e.g. 2GB) bounds the analysis's memory, half of it DuckDB's; beyond it data spills to disk.`;

export type Command =
  | { command: 'help' }
  | { command: 'task' }
  | { command: 'analyze'; request: AnalysisRequest; json: boolean };

const list = (value: string | undefined) =>
  value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);

const text = { type: 'string' } as const;

/** Each analysis command's own options, besides --data and --json. */
const commandOptions = {
  profile: {},
  'estimate-effect': { treatment: text, outcome: text, covariates: text, methods: text },
  query: { sql: text },
  'compare-groups': { outcome: text, group: text, groups: text },
  'fit-regression': { outcome: text, predictors: text, model: text },
} as const;
type AnalysisCommand = keyof typeof commandOptions;
const commandNames = Object.keys(commandOptions) as AnalysisCommand[];

type Values = Record<string, string | undefined>;

function estimateEffectArgs(values: Values) {
  const { treatment, outcome } = values;
  if (!treatment || !outcome)
    throw new BadRequestError('estimate-effect needs --treatment <column> and --outcome <column>.');
  const chosen = list(values.methods);
  const unknown = chosen?.find((method) => !(methods as readonly string[]).includes(method));
  if (unknown) throw new BadRequestError(`Unknown method "${unknown}"; choose from ${methods.join(', ')}.`);
  return {
    treatment,
    outcome,
    covariates: list(values.covariates) ?? [],
    ...(chosen ? { methods: chosen as Method[] } : {}),
  };
}

/** The request a command asks for, before the contract's own checks. */
function requestOf(name: AnalysisCommand, data: string, values: Values): AnalysisRequest {
  switch (name) {
    case 'profile':
      return { tool: 'profile', data };
    case 'estimate-effect':
      return { tool: 'estimate_effect', data, args: estimateEffectArgs(values) };
    case 'query':
      if (!values.sql)
        throw new BadRequestError('query needs --sql "<one SELECT statement over the table data>".');
      return { tool: 'query_data', data, args: { sql: values.sql } };
    case 'compare-groups': {
      const { outcome, group } = values;
      if (!outcome || !group)
        throw new BadRequestError('compare-groups needs --outcome <column> and --group <column>.');
      const groups = list(values.groups);
      if (groups && groups.length < 2)
        throw new BadRequestError('--groups needs at least two values, e.g. --groups a,b.');
      return { tool: 'compare_groups', data, args: { outcome, group, ...(groups && { groups }) } };
    }
    case 'fit-regression': {
      const { outcome, model } = values;
      const predictors = list(values.predictors);
      if (!outcome || !predictors?.length)
        throw new BadRequestError('fit-regression needs --outcome <column> and --predictors a,b.');
      if (model !== undefined && !(regressionModels as readonly string[]).includes(model))
        throw new BadRequestError(`Unknown model "${model}"; choose from ${regressionModels.join(', ')}.`);
      return {
        tool: 'fit_regression',
        data,
        args: { outcome, predictors, ...(model && { model: model as (typeof regressionModels)[number] }) },
      };
    }
  }
}

/** Parses the command line; every mistake is a BadRequestError that says what to type instead. */
export function parseCommand(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return { command: 'help' };
  if (name === 'task') return { command: 'task' };
  if (!(commandNames as string[]).includes(name))
    throw new BadRequestError(`Unknown command "${name}"; use ${commandNames.join(', ')} or task.`);
  const command = name as AnalysisCommand;

  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      strict: true,
      options: { data: text, json: { type: 'boolean', default: false }, ...commandOptions[command] },
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (error) {
    throw new BadRequestError(
      `${(error as Error).message.replace(/\.$/, '')}. Run cascade-analysis --help for usage.`,
    );
  }
  const data = values.data as string | undefined;
  if (!data) throw new BadRequestError('--data is required: a CSV file path or s3://bucket/key.');
  const request = AnalysisRequest.safeParse(requestOf(command, data, values as Values));
  if (!request.success) {
    const [issue] = request.error.issues;
    const option = String(issue!.path.find((part) => typeof part === 'string' && part !== 'args')!);
    throw new BadRequestError(`--${option}: ${issue!.message.replace(/\.$/, '')}.`);
  }
  return { command: 'analyze', request: request.data, json: values.json === true };
}

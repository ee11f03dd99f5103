import { parseArgs } from 'node:util';
import type { AnalysisRequest } from '../analysis';
import { type Method, methods } from '../engines/causal/types';
import { BadRequestError } from '../errors';

export const usage = `Usage:
  cascade-analysis profile --data <file.csv | s3://bucket/key> [--json]
  cascade-analysis estimate-effect --data <file.csv | s3://bucket/key> --treatment <column> --outcome <column>
                                   [--covariates a,b,c] [--methods m1,m2] [--json]
  cascade-analysis task      (Fargate: reads TASK_TOKEN and JOB_URI from the environment)

Methods: ${methods.join(', ')}
Environment: ANALYSIS_MEMORY_LIMIT (e.g. 2GB) caps DuckDB's memory; beyond it data spills to disk.`;

export type Command =
  | { command: 'help' }
  | { command: 'task' }
  | { command: 'analyze'; request: AnalysisRequest; json: boolean };

const list = (value: string | undefined) =>
  value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** Parses the command line; every mistake is a BadRequestError that says what to type instead. */
export function parseCommand(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return { command: 'help' };
  if (name === 'task') return { command: 'task' };
  if (name !== 'profile' && name !== 'estimate-effect')
    throw new BadRequestError(`Unknown command "${name}"; use profile, estimate-effect or task.`);

  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      strict: true,
      options: {
        data: { type: 'string' },
        json: { type: 'boolean', default: false },
        ...(name === 'estimate-effect'
          ? {
              treatment: { type: 'string' },
              outcome: { type: 'string' },
              covariates: { type: 'string' },
              methods: { type: 'string' },
            }
          : {}),
      },
    }));
  } catch (error) {
    throw new BadRequestError(
      `${(error as Error).message.replace(/\.$/, '')}. Run cascade-analysis --help for usage.`,
    );
  }
  const data = values.data as string | undefined;
  if (!data) throw new BadRequestError('--data is required: a CSV file path or s3://bucket/key.');
  const json = values.json === true;
  if (name === 'profile') return { command: 'analyze', request: { tool: 'profile', data }, json };

  const { treatment, outcome } = values as { treatment?: string; outcome?: string };
  if (!treatment || !outcome)
    throw new BadRequestError('estimate-effect needs --treatment <column> and --outcome <column>.');
  const chosen = list(values.methods as string | undefined);
  const unknown = chosen?.find((method) => !(methods as readonly string[]).includes(method));
  if (unknown) throw new BadRequestError(`Unknown method "${unknown}"; choose from ${methods.join(', ')}.`);
  return {
    command: 'analyze',
    request: {
      tool: 'estimate_effect',
      data,
      args: {
        treatment,
        outcome,
        covariates: list(values.covariates as string | undefined) ?? [],
        ...(chosen ? { methods: chosen as Method[] } : {}),
      },
    },
    json,
  };
}

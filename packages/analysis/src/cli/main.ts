import { Logger } from '@aws-lambda-powertools/logger';
import { SFNClient } from '@aws-sdk/client-sfn';
import { runAnalysis } from '../analysis';
import { createS3Client } from '../data/s3';
import { AnalysisError } from '../errors';
import { toItemOutput } from '../output/item-output';
import { renderForTerminal } from '../output/terminal';
import { defaultHeartbeatSeconds, exitCodes, runTask } from '../task/run-task';
import { parseCommand, usage } from './args';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

function databaseOptions(env: NodeJS.ProcessEnv) {
  return env.ANALYSIS_MEMORY_LIMIT ? { memoryLimit: env.ANALYSIS_MEMORY_LIMIT } : {};
}

function heartbeatSeconds(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.HEARTBEAT_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : defaultHeartbeatSeconds;
}

/** The command line: returns the exit code (0 done, 1 the analysis failed, 2 the command was wrong). */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let command: ReturnType<typeof parseCommand>;
  try {
    command = parseCommand(argv);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n`);
    return 2;
  }
  if (command.command === 'help') {
    io.stdout(`${usage}\n`);
    return 0;
  }
  const database = databaseOptions(io.env);

  if (command.command === 'task') {
    const powertools = new Logger({ serviceName: 'cascade-analysis' });
    const logger = {
      info: (message: string, extra = {}) => powertools.info(message, extra),
      warn: (message: string, extra = {}) => powertools.warn(message, extra),
      error: (message: string, extra = {}) => powertools.error(message, extra),
    };
    // One S3 client for the job, the data and the result.
    const s3 = createS3Client(io.env);
    const outcome = await runTask(io.env, {
      sfn: new SFNClient({}),
      s3,
      analyze: (request) => runAnalysis(request, { s3: () => s3, database }),
      heartbeatSeconds: heartbeatSeconds(io.env),
      logger,
    });
    return exitCodes[outcome];
  }

  try {
    const result = await runAnalysis(command.request, { s3: () => createS3Client(io.env), database });
    io.stdout(command.json ? `${JSON.stringify(result)}\n` : `${renderForTerminal(toItemOutput(result))}\n`);
    return 0;
  } catch (error) {
    const message =
      error instanceof AnalysisError
        ? error.message
        : `The analysis failed unexpectedly: ${(error as Error).message}`;
    io.stderr(`${message}\n`);
    return 1;
  }
}

import type { S3Client } from '@aws-sdk/client-s3';
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { AnalysisRequest, AnalysisResult } from '../analysis';
import { writeJsonObject } from '../data/s3';
import { describeFailure } from '../errors';
import { toItemOutput } from '../output/item-output';
import { loadJob } from './job';

export const defaultHeartbeatSeconds = 10;

/** Heartbeat answers that mean the execution no longer waits for us: it was stopped or timed out. */
const goneErrors = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);
const isGone = (error: unknown) => goneErrors.has((error as { name?: string }).name ?? '');

export interface TaskLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface TaskDependencies {
  sfn: SFNClient;
  s3: S3Client;
  analyze: (request: AnalysisRequest) => Promise<AnalysisResult>;
  heartbeatSeconds: number;
  logger: TaskLogger;
}

export type TaskOutcome = 'succeeded' | 'failed' | 'stopped' | 'unreportable';

/** The process exit code for each outcome: a stopped execution is not the task's failure. */
export const exitCodes: Record<TaskOutcome, number> = {
  succeeded: 0,
  stopped: 0,
  failed: 1,
  unreportable: 2,
};

class Stopped extends Error {}

/**
 * The Fargate task: loads the job named by JOB_URI, runs it while heartbeating, writes the full
 * result to the job's resultUri and reports through the task token. When a heartbeat says the
 * execution is gone, it stops quietly: nobody is waiting for the answer.
 */
export async function runTask(env: NodeJS.ProcessEnv, deps: TaskDependencies): Promise<TaskOutcome> {
  const { sfn, s3, logger } = deps;
  const taskToken = env.TASK_TOKEN;
  if (!taskToken) {
    logger.error('TASK_TOKEN is not set; task mode runs under Step Functions, which passes the token.');
    return 'unreportable';
  }

  let stop: (error: Stopped) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    stop = reject;
  });
  const heartbeat = async () => {
    try {
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken }));
    } catch (error) {
      if (isGone(error)) stop(new Stopped());
      // Anything else (throttling, a network blip) is retried at the next beat.
      else logger.warn('Heartbeat failed; trying again at the next one.', { error: (error as Error).name });
    }
  };
  const timer = setInterval(heartbeat, deps.heartbeatSeconds * 1000);
  stopped.catch(() => clearInterval(timer));

  try {
    await Promise.race([heartbeat(), stopped]);
    const resultUri = await Promise.race([
      (async () => {
        const job = await loadJob(s3, env.JOB_URI);
        logger.info('Job loaded.', { tool: job.tool, data: job.data });
        const analysis = await deps.analyze(job);
        // The state machine keeps only the pointer (state payloads stay small), so the chat
        // output travels in the result document, next to the full result.
        const output = toItemOutput(analysis);
        await writeJsonObject(s3, job.resultUri, { ...analysis, output });
        return job.resultUri;
      })(),
      stopped,
    ]);
    clearInterval(timer);
    // When the process began (after ECS placed it and pulled the image) and ended: the run's trace
    // splits the task's time into its wait and its run with them.
    const timing = { startedAt: Math.round(performance.timeOrigin), finishedAt: Date.now() };
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ resultUri, ...timing }) }),
    );
    logger.info('Analysis succeeded.', { resultUri });
    return 'succeeded';
  } catch (error) {
    clearInterval(timer);
    if (error instanceof Stopped || isGone(error)) {
      logger.info('The execution is no longer waiting for this task; stopping.');
      return 'stopped';
    }
    const { code, message } = describeFailure(error);
    logger.error('Analysis failed.', { error: code, cause: message, detail: (error as Error).message });
    try {
      await sfn.send(new SendTaskFailureCommand({ taskToken, error: code, cause: message }));
    } catch (reportError) {
      if (isGone(reportError)) return 'stopped';
      logger.error('Could not report the failure to Step Functions.', { error: (reportError as Error).name });
      return 'unreportable';
    }
    return 'failed';
  }
}

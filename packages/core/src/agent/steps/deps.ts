import type { S3Client } from '@aws-sdk/client-s3';
import type { ChatDeps } from '../../chat/deps';
import type { ModelProvider } from '../providers/types';
import type { AnalysisEngine } from '../tools/engine';

/** Everything the agent's steps touch. The Lambdas build it once per container. */
export type AgentDeps = Pick<
  ChatDeps,
  'executions' | 'items' | 'messages' | 'sessions' | 'locks' | 'limits' | 'notifier' | 'datasets'
> & {
  s3: S3Client;
  /** The bucket that holds datasets, jobs and results. */
  bucket: string;
  provider: ModelProvider;
  /**
   * The analysis engine, run inside Dispatch for datasets up to each tool's `inlineMaxBytes`;
   * without it every analysis goes to the Fargate task.
   */
  engine?: AnalysisEngine;
  /** Model turns an item may take before it is stopped. */
  maxSteps: number;
  /** How many earlier messages of the session the model sees. */
  historyMessages?: number;
  /** How long one model call may take before InvokeModel gives up on it (inside its 300 s). */
  modelTimeoutMs?: number;
  /** How often streamed answer text is sent to the client, at most. */
  deltaIntervalMs?: number;
  now?: () => number;
};

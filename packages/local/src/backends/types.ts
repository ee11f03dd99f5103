import type { TableKey } from '@cascade/core';
import type { EdgeTargets } from '../edge/router';
import type { EcsRunner } from '../engine';
import type { GatewayHandlers } from '../gateway/websocket';
import type { LocalResources } from '../links';
import type { RequestMeter } from '../meter';
import type { StepFunctionsService } from '../stepfunctions/service';
import type { createTaskRunner } from '../tasks/runner';

/** What both back ends need from the cloud around them; the links' resources that are not theirs to make among it. */
export interface BackendContext
  extends Omit<LocalResources, 'tableNames' | 'stateMachineArn' | 'managementEndpoint'> {
  root: string;
  dataDirectory: string;
  region: string;
  stage: string;
  prefix: string;
  edgeUrl: string;
  log: (line: string) => void;
  /** Counts what the engine does: state transitions, Lambda invocations, task starts. */
  meter: RequestMeter;
  /** Builds the ECS stand-in once the back end knows how a silent task's exit is reported. */
  tasks: (
    reportExit: (token: string, error: string, cause: string) => Promise<void> | void,
  ) => ReturnType<typeof createTaskRunner>;
}

/** DynamoDB, S3, Lambda and Step Functions: emulated in this process, or LocalStack's. */
export interface Backend {
  edge: EdgeTargets['backend'];
  gateway: GatewayHandlers;
  startTask?: (environment: Record<string, string>) => Promise<void>;
  stateMachineArn: string;
  tableNames: Record<TableKey, string>;
  /** Runs once the edge answers: tables, bucket, samples, recovery. */
  ready(): Promise<void>;
  stepFunctions?: StepFunctionsService;
  runningTasks(): number;
  close(): Promise<void>;
}

export type { EcsRunner };

import {
  DescribeExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';

/** What the state machine receives: ids and pointers only; item inputs live in the Items table. */
export interface AgentInput {
  executionId: string;
  sessionId: string;
  userId: string;
  tenantId: string;
  items: { id: string }[];
  options: { maxConcurrency: number };
}

/** The port through which core starts and stops agent runs. */
export interface Orchestrator {
  /** Starts the run named `executionId`; starting it again with the same input is a no-op. */
  start(input: AgentInput): Promise<void>;
  /** Whether a run with that name was ever started. */
  exists(executionId: string): Promise<boolean>;
  /** Stops a running run; a run that has ended or never started is left as it is. */
  stop(executionId: string, cause: string): Promise<void>;
}

/** `arn:…:stateMachine:<name>` → `arn:…:execution:<name>:<executionName>`. */
export function executionArn(stateMachineArn: string, executionName: string): string {
  const parts = stateMachineArn.split(':');
  if (parts.length < 7 || parts[5] !== 'stateMachine') {
    throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  }
  return [...parts.slice(0, 5), 'execution', parts[6], executionName].join(':');
}

const name = (error: unknown) => (error instanceof Error ? error.name : '');

export function createStepFunctionsOrchestrator(client: SFNClient, stateMachineArn: string): Orchestrator {
  return {
    async start(input) {
      try {
        await client.send(
          new StartExecutionCommand({
            stateMachineArn,
            name: input.executionId,
            input: JSON.stringify(input),
          }),
        );
      } catch (error) {
        // Same name, already closed: our earlier attempt started it. Any other error is real.
        if (name(error) !== 'ExecutionAlreadyExists') throw error;
      }
    },

    async exists(executionId) {
      try {
        await client.send(
          new DescribeExecutionCommand({ executionArn: executionArn(stateMachineArn, executionId) }),
        );
        return true;
      } catch (error) {
        if (name(error) === 'ExecutionDoesNotExist') return false;
        throw error;
      }
    },

    async stop(executionId, cause) {
      try {
        await client.send(
          new StopExecutionCommand({
            executionArn: executionArn(stateMachineArn, executionId),
            cause: cause.slice(0, 32768),
          }),
        );
      } catch (error) {
        if (name(error) !== 'ExecutionDoesNotExist') throw error;
      }
    },
  };
}

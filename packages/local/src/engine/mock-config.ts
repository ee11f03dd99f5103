import { TaskError } from './task-tokens';

/**
 * AWS Step Functions Local's mock configuration format, so a team's existing mock files run
 * unchanged: StateMachines → <name> → TestCases → <case> → { <state>: <response name> }, and
 * MockedResponses → <response name> → { "0": {Return|Throw}, "1-2": … } by invocation index
 * (retries count as invocations). One extension: an invocation with no mocked entry runs the
 * real handler, so a case can fail the first call and let the retry through.
 */
export interface MockConfig {
  StateMachines: Record<string, { TestCases: Record<string, Record<string, string>> }>;
  MockedResponses: Record<
    string,
    Record<string, { Return?: unknown; Throw?: { Error: string; Cause?: string } }>
  >;
}

type Handler = (input: unknown) => Promise<unknown>;

function responseFor(responses: MockConfig['MockedResponses'][string], invocation: number) {
  for (const [range, response] of Object.entries(responses)) {
    const [from, to = from] = range.split('-').map(Number);
    if (invocation >= from! && invocation <= to!) return response;
  }
  return undefined;
}

/** Wraps the real handlers so the states a test case names answer from the mock file. */
export function mockedTaskHandlers(
  config: MockConfig,
  stateMachine: string,
  testCase: string,
  real: Record<string, Handler>,
): Record<string, Handler> {
  const testCases = config.StateMachines[stateMachine]?.TestCases;
  if (!testCases) throw new Error(`The mock file has no state machine "${stateMachine}"`);
  const states = testCases[testCase];
  if (!states) throw new Error(`The mock file has no test case "${testCase}" for ${stateMachine}`);
  const wrapped: Record<string, Handler> = { ...real };
  for (const [state, responseName] of Object.entries(states)) {
    const responses = config.MockedResponses[responseName];
    if (!responses)
      throw new Error(`Test case ${testCase} names "${responseName}", which MockedResponses lacks`);
    if (!real[state]) throw new Error(`Test case ${testCase} mocks "${state}", which is not a Task state`);
    let invocation = 0;
    wrapped[state] = async (input) => {
      const response = responseFor(responses, invocation++);
      if (!response) return real[state]!(input);
      if (response.Throw) throw new TaskError(response.Throw.Error, response.Throw.Cause ?? '');
      return structuredClone(response.Return);
    };
  }
  return wrapped;
}

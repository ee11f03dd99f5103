import { placeholdersIn, renderStateMachine, runPolicy, UnfilledPlaceholderError } from '@cascade/core';
import { placeholders } from '@cascade/functions/definitions';
import { taskStates } from '@cascade/local/engine';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import definition from '../../statemachines/agent.asl.json';
import { placeholderValues } from './harness';

const rendered = renderStateMachine(definition, placeholderValues);

describe('statemachines/agent.asl.json', () => {
  it('is valid ASL once its placeholders are filled', () => {
    const { isValid, errors } = aslValidator(rendered as never);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('uses JSONPath, so the local engine runs the very same file', () => {
    expect(definition.QueryLanguage).toBe('JSONPath');
    expect(JSON.stringify(definition)).not.toMatch(/"(Arguments|Output|Assign)"/);
  });

  it('names exactly the placeholders of the function definitions, which every mode fills', () => {
    expect(placeholdersIn(definition)).toEqual([...placeholders].sort());
    expect(Object.keys(placeholderValues).sort()).toEqual([...placeholders].sort());
  });

  it('gives every Task a Retry for transient errors and, inside the Map, a Catch that records the item', () => {
    const tasks = taskStates(rendered);
    expect([...tasks.keys()].sort()).toEqual([
      'Append',
      'Dispatch',
      'Finish',
      'InvokeModel',
      'Parse',
      'RecordFailure',
      'RunAnalysis',
    ]);
    for (const [name, state] of tasks) {
      const retried = (state.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
      expect(retried.length, name).toBeGreaterThan(0);
      expect(retried, name).not.toContain('States.ALL');
      if (!['Finish', 'RecordFailure'].includes(name)) {
        expect(state.Catch, name).toEqual([
          { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' },
        ]);
      }
    }
    expect(tasks.get('RunAnalysis')).toMatchObject({
      Resource: 'arn:aws:states:::ecs:runTask.waitForTaskToken',
      // The first heartbeat may wait for Fargate's provisioning and the image pull.
      HeartbeatSeconds: 300,
      TimeoutSeconds: 900,
    });
  });

  it("passes the task token, a job pointer and the tool's size to the task, and takes back only a pointer", () => {
    const runAnalysis = definition.States.ProcessItems.ItemProcessor.States.RunAnalysis;
    expect(runAnalysis.Parameters.TaskDefinition).toBe('${AnalysisTaskDefinitionFamily}');
    const { ContainerOverrides, ...task } = runAnalysis.Parameters.Overrides;
    expect(task).toEqual({ 'Cpu.$': '$.job.cpu', 'Memory.$': '$.job.memory' });
    expect(ContainerOverrides[0]!.Environment).toEqual([
      { Name: 'TASK_TOKEN', 'Value.$': '$$.Task.Token' },
      { Name: 'JOB_URI', 'Value.$': '$.job.uri' },
      { Name: 'ANALYSIS_MEMORY_LIMIT', 'Value.$': '$.job.memoryLimit' },
    ]);
    expect(runAnalysis.ResultSelector).toEqual({ 'resultUri.$': '$.resultUri' });
  });

  it('ends every run within runPolicy.timeoutSeconds, which the session lock and the run claim outlive', () => {
    // Nothing renews the lock or the claim while a run goes on: the run's own time limit keeps it inside them.
    expect(definition.TimeoutSeconds).toBe(runPolicy.timeoutSeconds);
    expect(runPolicy.sessionLockSeconds).toBeGreaterThan(runPolicy.timeoutSeconds);
  });

  it('runs Finish even when the Map fails', () => {
    expect(definition.States.ProcessItems.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Finish' },
    ]);
    expect(definition.States.ProcessItems.ResultPath).toBeNull();
  });
});

describe('renderStateMachine', () => {
  it('fills whole-string placeholders with any JSON value and inner ones with text', () => {
    const out = renderStateMachine(
      { a: '${List}', b: 'arn:${Name}:x', c: ['${Name}'], d: 3 },
      { List: ['s1', 's2'], Name: 'n' },
    );
    expect(out).toEqual({ a: ['s1', 's2'], b: 'arn:n:x', c: ['n'], d: 3 });
  });

  it('refuses to leave a placeholder unfilled, naming every missing one', () => {
    const error = (() => {
      try {
        renderStateMachine(definition, { ParseFunctionArn: 'x' });
      } catch (e) {
        return e;
      }
    })() as UnfilledPlaceholderError;
    expect(error).toBeInstanceOf(UnfilledPlaceholderError);
    expect(error.missing).toContain('ClusterArn');
    expect(error.missing).not.toContain('ParseFunctionArn');
    expect(error.message).toContain('${Subnets}');
  });

  it('refuses a list inside a longer string', () => {
    expect(() => renderStateMachine({ a: 'x-${List}' }, { List: ['a'] })).toThrow('is a list');
  });
});

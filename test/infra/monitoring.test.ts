import { routes, stepFunctions } from '@cascade/functions/definitions';
import { beforeAll, describe, expect, it } from 'vitest';
import { query, type Synthesis, synthesize } from './synth/synthesize';

/**
 * What tells an operator that the stage is unwell (stacks/monitoring.ts and the state machine's
 * logging and tracing), synthesized offline with an alarm address as `sst deploy` would see it.
 */
let synthesis: Synthesis;
let q: ReturnType<typeof query>;
beforeAll(async () => {
  synthesis = await synthesize({ env: { CASCADE_ALARM_EMAIL: 'oncall@example.com' } });
  q = query(synthesis);
}, 180_000);

const alarmsTopic = () => q.named('aws:sns/topic:Topic', 'Alarms');
const topicArn = () => `arn:aws:sns:us-east-1:123456789012:${alarmsTopic().inputs.name ?? 'alarms'}`;

describe('alarms', () => {
  it('go to one SNS topic, which CASCADE_ALARM_EMAIL subscribes to', () => {
    expect(q.named('aws:sns/topicSubscription:TopicSubscription', 'AlarmsEmail').inputs).toMatchObject({
      protocol: 'email',
      endpoint: 'oncall@example.com',
    });
    const alarms = q.ofType('aws:cloudwatch/metricAlarm:MetricAlarm');
    expect(alarms.length).toBeGreaterThan(20);
    for (const alarm of alarms)
      expect(alarm.inputs, alarm.name).toMatchObject({
        alarmActions: [expect.stringContaining(':sns:')],
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
      });
    expect(new Set(alarms.flatMap((a) => a.inputs.alarmActions as string[])).size).toBe(1);
    expect(topicArn()).toContain(':sns:');
  });

  it('watch runs that FAILED or TIMED_OUT on this state machine', () => {
    for (const [name, metricName] of [
      ['RunsFailedAlarm', 'ExecutionsFailed'],
      ['RunsTimedOutAlarm', 'ExecutionsTimedOut'],
    ] as const)
      expect(q.named('aws:cloudwatch/metricAlarm:MetricAlarm', name).inputs).toMatchObject({
        namespace: 'AWS/States',
        metricName,
        dimensions: { StateMachineArn: expect.stringContaining(':stateMachine:cascade-ci-agent') },
        statistic: 'Sum',
      });
  });

  it("watch every function's errors and throttles, each function by name", () => {
    const functionNames = q.ofType('aws:lambda/function:Function').map((f) => f.inputs.name as string);
    const watched = q
      .ofType('aws:cloudwatch/metricAlarm:MetricAlarm')
      .filter((a) => a.name.endsWith('ErrorsAlarm'))
      .map((alarm) => {
        const queries = alarm.inputs.metricQueries as {
          id: string;
          expression?: string;
          metric?: { metricName: string; dimensions: { FunctionName: string } };
        }[];
        expect(queries.find((query) => query.expression)?.expression).toBe('errors + throttles');
        const metrics = queries.filter((query) => query.metric).map((query) => query.metric!);
        expect(metrics.map((m) => m.metricName).sort()).toEqual(['Errors', 'Throttles']);
        return metrics[0]!.dimensions.FunctionName;
      });
    // Every route, every step, ExecutionEnded and Admin; not the authorizer (SST keeps its function to itself).
    const expected = Object.keys(routes).length + Object.keys(stepFunctions).length + 2;
    expect(watched).toHaveLength(expected);
    for (const name of watched) expect(functionNames).toContain(name);
    expect(functionNames.filter((name) => !watched.includes(name))).toEqual([
      expect.stringMatching(/Authorizer/),
    ]);
  });

  it('raise a crashed or killed analysis task, and a run whose end could not be recorded', () => {
    const rule = q.named('aws:cloudwatch/eventRule:EventRule', 'AnalysisTaskFailedRule');
    expect(JSON.parse(rule.inputs.eventPattern as string)).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: {
        clusterArn: [expect.stringContaining(':cluster/')],
        lastStatus: ['STOPPED'],
        containers: { exitCode: [{ 'anything-but': 0 }] },
      },
    });
    expect(
      q.named('aws:cloudwatch/eventTarget:EventTarget', 'AnalysisTaskFailedTarget').inputs.arn,
    ).toContain(':sns:');
    const policy = JSON.parse(
      q.named('aws:sns/topicPolicy:TopicPolicy', 'AlarmsPolicy').inputs.policy as string,
    );
    expect(policy.Statement.map((s: { Principal: { Service: string[] } }) => s.Principal.Service)).toEqual([
      ['cloudwatch.amazonaws.com'],
      ['events.amazonaws.com'],
    ]);

    const target = q.named('aws:cloudwatch/eventTarget:EventTarget', 'ExecutionEndedTarget').inputs;
    expect(target).toMatchObject({
      retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 3600 },
      deadLetterConfig: { arn: expect.stringContaining(':sqs:') },
    });
    expect(q.named('aws:cloudwatch/metricAlarm:MetricAlarm', 'UnsettledRunsAlarm').inputs).toMatchObject({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
    });
    const queuePolicy = JSON.parse(
      q.named('aws:sqs/queuePolicy:QueuePolicy', 'ExecutionEndedDeadLettersPolicy').inputs.policy as string,
    );
    expect(queuePolicy.Statement).toEqual([
      expect.objectContaining({
        Action: ['sqs:SendMessage'],
        Principal: { Service: ['events.amazonaws.com'] },
        Condition: { ArnEquals: { 'aws:SourceArn': [expect.stringContaining('executionendedrule')] } },
      }),
    ]);
  });
});

describe('the state machine', () => {
  it('logs failed states (without the items’ data) to its own log group and traces every execution', () => {
    const machine = q.named('aws:sfn/stateMachine:StateMachine', 'AgentMachine').inputs;
    const logs = q.named('aws:cloudwatch/logGroup:LogGroup', 'AgentMachineLogs').inputs;
    expect(logs).toMatchObject({ name: '/aws/vendedlogs/states/cascade-ci-agent', retentionInDays: 30 });
    expect(machine).toMatchObject({
      loggingConfiguration: {
        level: 'ERROR',
        includeExecutionData: false,
        // The log group's ARN with `:*`, as Step Functions wants (the offline mock names it after the resource).
        logDestination: expect.stringMatching(/agentmachinelogs:\*$/),
      },
      tracingConfiguration: { enabled: true },
    });
  });
});

import { alarmEmail } from './settings';

/**
 * What tells an operator that the stage is unwell: CloudWatch alarms and the analysis task's
 * failures, all into one SNS topic (CASCADE_ALARM_EMAIL subscribes an address to it).
 *  - runs that FAILED or TIMED_OUT (a run whose items fail ends PARTIAL, which is not an alarm);
 *  - any function's errors or throttles, one alarm per function so the alarm names the culprit;
 *  - anything in the dead-letter queue of the rule that settles runs stopped without Finish;
 *  - an analysis task that stopped with a non-zero exit code (a crash, an out-of-memory kill).
 * Each alarm fires on a single occurrence in 5 minutes: at this product's volume one failed
 * run is worth a look, and no data means nothing happened.
 */
export function monitoring(input: {
  stateMachineArn: $util.Input<string>;
  /** Every deployed function, by the name the alarm carries. */
  functions: Record<string, $util.Input<string>>;
  clusterArn: $util.Input<string>;
  deadLetterQueueName: $util.Input<string>;
}) {
  const account = aws.getCallerIdentityOutput().accountId;
  const topic = new aws.sns.Topic('Alarms', { displayName: `Cascade ${$app.stage} alarms` });
  const email = alarmEmail();
  if (email)
    new aws.sns.TopicSubscription('AlarmsEmail', { topic: topic.arn, protocol: 'email', endpoint: email });

  const taskStopped = new aws.cloudwatch.EventRule('AnalysisTaskFailedRule', {
    description: 'Cascade: an analysis task stopped with a non-zero exit code',
    eventPattern: $jsonStringify({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: {
        clusterArn: [input.clusterArn],
        lastStatus: ['STOPPED'],
        containers: { exitCode: [{ 'anything-but': 0 }] },
      },
    }),
  });
  new aws.cloudwatch.EventTarget('AnalysisTaskFailedTarget', { rule: taskStopped.name, arn: topic.arn });

  // Publishers: CloudWatch alarms of this account, and the rule above.
  new aws.sns.TopicPolicy('AlarmsPolicy', {
    arn: topic.arn,
    policy: aws.iam.getPolicyDocumentOutput({
      statements: [
        {
          actions: ['sns:Publish'],
          principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
          resources: [topic.arn],
          conditions: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [account] }],
        },
        {
          actions: ['sns:Publish'],
          principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
          resources: [topic.arn],
          conditions: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: [taskStopped.arn] }],
        },
      ],
    }).json,
  });

  const notify = { alarmActions: [topic.arn], okActions: [topic.arn] };
  const once = {
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: 1,
    evaluationPeriods: 1,
    treatMissingData: 'notBreaching',
    ...notify,
  };
  const runs = (metricName: string, alarm: string, description: string) =>
    new aws.cloudwatch.MetricAlarm(alarm, {
      alarmDescription: description,
      namespace: 'AWS/States',
      metricName,
      dimensions: { StateMachineArn: input.stateMachineArn },
      statistic: 'Sum',
      period: 300,
      ...once,
    });
  const alarms = [
    runs(
      'ExecutionsFailed',
      'RunsFailedAlarm',
      'Cascade: agent runs FAILED (Finish itself failed, or the run broke)',
    ),
    runs('ExecutionsTimedOut', 'RunsTimedOutAlarm', 'Cascade: agent runs TIMED_OUT'),
    new aws.cloudwatch.MetricAlarm('UnsettledRunsAlarm', {
      alarmDescription:
        'Cascade: a run that stopped without Finish could not be settled (its session stays locked); see the dead-letter queue',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: input.deadLetterQueueName },
      statistic: 'Maximum',
      period: 300,
      ...once,
    }),
    ...Object.entries(input.functions).map(
      ([name, functionName]) =>
        new aws.cloudwatch.MetricAlarm(`${name}ErrorsAlarm`, {
          alarmDescription: `Cascade: ${name} failed or was throttled`,
          metricQueries: [
            {
              id: 'failures',
              expression: 'errors + throttles',
              label: 'Errors and throttles',
              returnData: true,
            },
            ...(['Errors', 'Throttles'] as const).map((metricName) => ({
              id: metricName.toLowerCase(),
              metric: {
                namespace: 'AWS/Lambda',
                metricName,
                dimensions: { FunctionName: functionName },
                period: 300,
                stat: 'Sum',
              },
            })),
          ],
          ...once,
        }),
    ),
  ];

  return { topic, alarms, taskStopped };
}

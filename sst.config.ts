/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Cascade on AWS. Each concern lives in stacks/: storage, auth, api, orchestration, web; each
 * returns what the next needs. What every function may touch is declared in
 * @cascade/functions/definitions and becomes its links and IAM statements (stacks/permissions.ts).
 */
export default $config({
  async app(input) {
    // CASCADE_PROTECT, read here once (app() runs before run(), and the config may not import at
    // its top level); the stacks read the answer from `$app.protect`.
    const { protectedStage } = await import('./stacks/settings');
    const protect = protectedStage(input?.stage);
    return {
      name: 'cascade',
      home: 'aws',
      removal: protect ? 'retain' : 'remove',
      protect,
      providers: { aws: { version: '7.20.0' } },
    };
  },
  async run() {
    const { linksCarryNamesOnly } = await import('./stacks/lambda');
    const { storage } = await import('./stacks/storage');
    const { administration, auth } = await import('./stacks/auth');
    const { gateway, limits, routes } = await import('./stacks/api');
    const { orchestration } = await import('./stacks/orchestration');
    const { site } = await import('./stacks/web');
    const { monitoring } = await import('./stacks/monitoring');

    linksCarryNamesOnly();
    const data = storage();
    const identity = auth();
    const api = gateway();
    const agent = orchestration({
      storage: data,
      resources: {
        links: {
          ...data.tables,
          Datasets: data.bucket,
          Api: api,
          Auth: identity.link,
          Directory: identity.directory,
          RateLimits: limits(),
        },
        arns: {
          tables: Object.fromEntries(
            Object.entries(data.tables).map(([name, table]) => [name, table.arn]),
          ) as Record<keyof typeof data.tables, $util.Output<string>>,
          bucket: data.bucket.arn,
          api: api.nodes.api.executionArn,
          userPool: identity.userPool.arn,
        },
      },
    });
    const routed = routes(api, agent.resources);
    const admin = administration(agent.resources);
    const { web } = site({ api, auth: identity, storage: data });
    monitoring({
      stateMachineArn: agent.machine.arn,
      functions: {
        ...routed.functions,
        ...Object.fromEntries(
          Object.entries(agent.steps).map(([step, fn]) => [step.replace(/FunctionArn$/, 'Step'), fn.name]),
        ),
        ExecutionEnded: agent.ended.fn.name,
        Admin: admin.name,
      },
      clusterArn: agent.task.cluster,
      deadLetterQueueName: agent.ended.deadLetters.name,
    });

    return {
      web: web.url,
      websocket: api.url,
      region: identity.region,
      userPool: identity.userPool.id,
      userPoolClient: identity.webClient.id,
      signUp:
        identity.signUp.mode === 'domains'
          ? `domains:${identity.signUp.domains.join(',')}`
          : identity.signUp.mode,
      datasets: data.bucket.name,
      stateMachine: agent.machine.arn,
      adminFunction: admin.name,
    };
  },
});

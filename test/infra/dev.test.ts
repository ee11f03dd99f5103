import { allFunctions, linksOf, preSignUp, stepFunctions } from '@cascade/functions/definitions';
import { beforeAll, expect, it } from 'vitest';
import { functionTracingStatement, stateMachineObservabilityStatements } from '../../stacks/permissions';
import { query, type Synthesis, synthesize } from './synth/synthesize';

/**
 * The same app as `sst dev` runs it for a personal stage: the functions run on the developer's
 * machine (SST registers them as live targets), the analysis task's `dev.command` runs locally
 * behind SST's bridge task, and the web client is Vite's dev server.
 */
let synthesis: Synthesis;
let q: ReturnType<typeof query>;
beforeAll(async () => {
  synthesis = await synthesize({ stage: 'alice', dev: true });
  q = query(synthesis);
}, 180_000);

it('registers every function as a live target, with the links it has when deployed', () => {
  const targets = synthesis.builds.filter((b) => 'dev' in b);
  // All but the pre-sign-up trigger, which only CASCADE_SIGNUP=domains:… deploys.
  const deployed = Object.values(allFunctions).filter((definition) => definition !== preSignUp);
  expect(targets).toHaveLength(deployed.length);
  for (const definition of deployed) {
    const target = targets.find((t) => t.handler === definition.handler);
    expect(Object.keys(target!.links).sort(), definition.handler).toEqual(linksOf(definition.access));
  }
});

it("does not name the engine layer's query child to a function that runs where no layer is unpacked", () => {
  const { handler } = stepFunctions.DispatchFunctionArn;
  const target = synthesis.builds.find((b) => 'dev' in b && b.handler === handler)!;
  const lambda = q.named('aws:lambda/function:Function', `${target.functionID}Function`);
  const { variables } = lambda.inputs.environment as { variables: Record<string, string> };
  // The live bridge's own variables, and no /opt path: the query starts a copy of the bundle there.
  expect(variables).toHaveProperty('SST_FUNCTION_ID');
  expect(variables).not.toHaveProperty('CASCADE_QUERY_CHILD_SCRIPT');
});

it("runs the analysis task behind SST's bridge, so its dev.command runs locally", () => {
  const [taskDefinition] = q.ofType('aws:ecs/taskDefinition:TaskDefinition');
  const [container] = JSON.parse(taskDefinition!.inputs.containerDefinitions as string) as {
    image: string;
    environment: { name: string; value: string }[];
  }[];
  expect(container!.image).toBe('ghcr.io/anomalyco/sst/bridge-task:latest');
  expect(container!.environment).toContainEqual({ name: 'SST_TASK_ID', value: 'Analysis' });
});

it("takes browser uploads from Vite's dev server only, by either of its names", () => {
  const cors = q.named('aws:s3/bucketCorsConfiguration:BucketCorsConfiguration', 'DatasetsUploadCors');
  expect((cors.inputs.corsRules as { allowedOrigins: string[] }[])[0]!.allowedOrigins).toEqual([
    'http://localhost:5173',
    'http://127.0.0.1:5173',
  ]);
});

it("adds nothing broad but SST's own dev permissions (its live bridge, ECS Exec on the task) and the actions without resource types", () => {
  const broad = q
    .ofType('aws:iam/role:Role')
    .flatMap((role) => q.roleStatements(role).map((s) => ({ role: role.name, s })))
    .filter(({ s }) => (s.Resource ?? []).includes('*') || (s.Action ?? []).some((a) => a.endsWith('*')));
  expect(broad.length).toBeGreaterThan(0);
  for (const { role, s } of broad) {
    const { Action: actions = [], Resource: resources = [] } = s;
    if (role === 'AnalysisTaskRole' && actions[0] === 'states:SendTaskSuccess')
      // The task-token reports, which have no resource types (permissions.ts).
      expect(resources).toEqual(['*']);
    else if (
      role === 'AgentMachineRole' &&
      stateMachineObservabilityStatements.some((statement) => statement.actions.join() === actions.join())
    )
      // The state machine's log delivery and X-Ray, which have none either.
      expect(resources).toEqual(['*']);
    else if (actions.join() === functionTracingStatement.actions.join())
      // Each function's X-Ray trace writes, which have none either.
      expect(resources).toEqual(['*']);
    else if (role === 'AnalysisTaskRole' && actions[0]?.startsWith('ssmmessages:'))
      // ECS Exec's channels: named actions, as SST gives every task.
      expect(actions.every((a) => a.startsWith('ssmmessages:') && !a.endsWith('*'))).toBe(true);
    else if (actions[0] === 's3:*')
      // The live bridge's payloads, in SST's bootstrap bucket (the mock calls it sst-asset-bucket).
      expect({ role, resources }).toEqual({
        role,
        resources: ['arn:aws:s3:::sst-asset-bucket', 'arn:aws:s3:::sst-asset-bucket/*'],
      });
    else expect({ role, actions, resources }).toEqual({ role, actions: ['appsync:*'], resources: ['*'] });
  }
});

import { tables } from '@cascade/core/tables';
import { preSignUp } from '@cascade/functions/definitions';
import { beforeAll, describe, expect, it } from 'vitest';
import { platform, root } from './platform';
import { evaluateApp } from './synth/build';
import { query, type Synthesis, type SynthesizedResource, synthesize } from './synth/synthesize';

/**
 * Who may sign up (CASCADE_SIGNUP), which stages are protected (CASCADE_PROTECT) and who sends
 * Cognito's email (CASCADE_SES_*), as `sst deploy` would deploy them: the whole app synthesized
 * under each setting. The default stage of synthesis.test.ts is the open, unprotected case.
 */
const sesIdentity = 'arn:aws:ses:us-east-1:123456789012:identity/example.com';
let invite: Synthesis;
let domains: Synthesis;
let production: Synthesis;
beforeAll(async () => {
  [invite, domains, production] = await Promise.all([
    synthesize({ env: { CASCADE_SIGNUP: 'invite' } }),
    synthesize({
      stage: 'staging',
      env: {
        CASCADE_SIGNUP: 'domains:Example.com, b.org',
        CASCADE_PROTECT: 'true',
        CASCADE_SES_FROM: 'Cascade <no-reply@example.com>',
        CASCADE_SES_IDENTITY_ARN: sesIdentity,
      },
    }),
    synthesize({ stage: 'production' }),
  ]);
}, 180_000);

const pool = (synthesis: Synthesis) => {
  const [userPool, ...others] = query(synthesis).ofType('aws:cognito/userPool:UserPool');
  expect(others).toEqual([]);
  return userPool!.inputs as {
    adminCreateUserConfig: { allowAdminCreateUserOnly: boolean };
    lambdaConfig?: { preSignUp?: string };
    deletionProtection: string;
    emailConfiguration: Record<string, string>;
  };
};
const trigger = (synthesis: Synthesis) => synthesis.builds.find((b) => b.handler === preSignUp.handler);
const tablesProtected = (synthesis: Synthesis) =>
  query(synthesis)
    .ofType('aws:dynamodb/table:Table')
    .map((table: SynthesizedResource) => table.inputs.deletionProtectionEnabled);

describe('CASCADE_SIGNUP=invite', () => {
  it('lets only administrators create users, with no trigger', () => {
    expect(pool(invite).adminCreateUserConfig).toEqual({ allowAdminCreateUserOnly: true });
    expect(pool(invite).lambdaConfig).toBeUndefined();
    expect(trigger(invite)).toBeUndefined();
    expect(invite.outputs!.signUp).toBe('invite');
  });

  it('leaves an unprotected stage unprotected', () => {
    expect(invite.app).toMatchObject({ protect: false, removal: 'remove' });
    expect(pool(invite).deletionProtection).toBe('INACTIVE');
  });
});

describe('CASCADE_SIGNUP=domains:…', () => {
  const q = () => query(domains);
  const triggerFunction = () =>
    q().named('aws:lambda/function:Function', `${trigger(domains)!.functionID}Function`);

  it('keeps self sign-up, behind the pre-sign-up trigger of this pool', () => {
    expect(pool(domains).adminCreateUserConfig).toEqual({ allowAdminCreateUserOnly: false });
    const arn = `arn:aws:lambda:us-east-1:123456789012:function:${triggerFunction().inputs.name}`;
    expect(pool(domains).lambdaConfig).toMatchObject({ preSignUp: arn });
    expect(domains.outputs!.signUp).toBe('domains:example.com,b.org');
  });

  it('lets Cognito invoke the trigger, for this pool only', () => {
    const permissions = q()
      .ofType('aws:lambda/permission:Permission')
      .filter((p) => p.inputs.principal === 'cognito-idp.amazonaws.com');
    expect(permissions.map((p) => p.inputs)).toEqual([
      {
        action: 'lambda:InvokeFunction',
        function: `arn:aws:lambda:us-east-1:123456789012:function:${triggerFunction().inputs.name}`,
        principal: 'cognito-idp.amazonaws.com',
        sourceArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Pool12345',
      },
    ]);
  });

  it('gives the trigger the allowed domains as its one link, and no permission but sending its X-Ray trace', () => {
    const built = trigger(domains)!;
    expect(built.links).toEqual({
      SignUp: { type: expect.stringMatching(/sst\.sst\.Linkable$/), domains: ['example.com', 'b.org'] },
    });
    const role = q().named('aws:iam/role:Role', `${built.functionID}Role`);
    // What every function has for Active tracing (stacks/lambda.ts), and nothing else.
    expect(
      q()
        .roleStatements(role)
        .map(({ Action, Resource }) => ({ Action, Resource })),
    ).toEqual([{ Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: ['*'] }]);
    expect(triggerFunction().inputs.tracingConfig).toEqual({ mode: 'Active' });
    expect(role.inputs.managedPolicyArns).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    ]);
    expect(triggerFunction().inputs).toMatchObject({
      timeout: Number.parseInt(preSignUp.timeout, 10),
      memorySize: Number.parseInt(preSignUp.memory, 10),
    });
    expect(triggerFunction().inputs.vpcConfig).toBeUndefined();
  });

  it('no other function gets the domains', () => {
    for (const build of domains.builds.filter((b) => b.handler !== preSignUp.handler))
      expect(Object.keys(build.links), build.handler).not.toContain('SignUp');
  });

  it('sends Cognito email through the SES identity, from the address it was given', () => {
    expect(pool(domains).emailConfiguration).toEqual({
      emailSendingAccount: 'DEVELOPER',
      fromEmailAddress: 'Cascade <no-reply@example.com>',
      sourceArn: sesIdentity,
    });
  });
});

describe('a protected stage', () => {
  it('is the production stage by default: retained, protected, invite-only', () => {
    expect(production.app).toMatchObject({ protect: true, removal: 'retain' });
    expect(production.outputs!._protect).toBe(true);
    expect(pool(production).deletionProtection).toBe('ACTIVE');
    expect(tablesProtected(production).length).toBe(Object.keys(tables).length);
    expect(new Set(tablesProtected(production))).toEqual(new Set([true]));
    expect(pool(production).adminCreateUserConfig).toEqual({ allowAdminCreateUserOnly: true });
    expect(trigger(production)).toBeUndefined();
    // No SES identity given: Cognito's own sender (50 emails a day for the account).
    expect(pool(production).emailConfiguration).toEqual({ emailSendingAccount: 'COGNITO_DEFAULT' });
  });

  it('is any stage with CASCADE_PROTECT=true; CASCADE_SIGNUP still says who signs up', () => {
    expect(domains.app).toMatchObject({ protect: true, removal: 'retain' });
    expect(pool(domains).deletionProtection).toBe('ACTIVE');
    expect(new Set(tablesProtected(domains))).toEqual(new Set([true]));
    expect(trigger(domains)).toBeDefined();
  });

  it('stops being protected only when told so, and refuses any other value with a sentence', async () => {
    const app = (stage: string, env: Record<string, string>) =>
      evaluateApp({ root, platform, stage, env: { ...process.env, ...env } });
    expect(await app('production', { CASCADE_PROTECT: 'false' })).toMatchObject({
      protect: false,
      removal: 'remove',
    });
    expect(await app('alice', { CASCADE_PROTECT: 'TRUE' })).toMatchObject({
      protect: true,
      removal: 'retain',
    });
    expect(await app('productionish', {})).toMatchObject({ protect: false, removal: 'remove' });
    await expect(app('production', { CASCADE_PROTECT: 'yes' })).rejects.toThrow(
      'CASCADE_PROTECT must be true or false, not "yes".',
    );
  });
});

describe('a setting that cannot work', () => {
  it.each([
    [{ CASCADE_SIGNUP: 'everyone' }, 'CASCADE_SIGNUP must be open, invite or domains:<domain,…>'],
    [{ CASCADE_SIGNUP: 'domains:*.example.com' }, 'no wildcard'],
    [
      { CASCADE_SES_FROM: 'no-reply@example.com' },
      'CASCADE_SES_FROM and CASCADE_SES_IDENTITY_ARN go together',
    ],
    [
      { CASCADE_SES_FROM: 'no-reply@example.org', CASCADE_SES_IDENTITY_ARN: sesIdentity },
      'names the identity example.com, which does not cover',
    ],
  ])('stops the deploy with one sentence: %o', async (env, sentence) => {
    await expect(synthesize({ env })).rejects.toThrow(sentence);
  });
});

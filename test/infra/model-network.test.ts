import { stepFunctions } from '@cascade/functions/definitions';
import { beforeAll, describe, expect, it } from 'vitest';
import { query, type Synthesis, synthesize } from './synth/synthesize';

/**
 * A stage whose agent calls an OpenAI-compatible endpoint: the step holding the endpoint's key
 * may reach that endpoint and AWS's APIs, nothing else (stacks/network.ts).
 */
let synthesis: Synthesis;
let q: ReturnType<typeof query>;
beforeAll(async () => {
  synthesis = await synthesize({
    env: {
      CASCADE_AGENT_PROVIDER: 'openai',
      CASCADE_MODEL_BASE_URL: 'https://models.example.net:8443/v1',
      CASCADE_MODEL_ID: 'qwen2.5-72b-instruct',
    },
  });
  q = query(synthesis);
}, 180_000);

const lambdaOf = (handler: string) => {
  const build = synthesis.builds.find((b) => b.handler === handler);
  if (!build) throw new Error(`No function was built for ${handler}`);
  return { build, lambda: q.named('aws:lambda/function:Function', `${build.functionID}Function`) };
};

describe('the model step of an OpenAI-compatible stage', () => {
  it('synthesizes', () => {
    expect(synthesis.failure).toBeNull();
  });

  it('holds the key as a secret link, and runs in the private subnets behind its own security group', () => {
    const { build, lambda } = lambdaOf(stepFunctions.InvokeModelFunctionArn.handler);
    expect(Object.keys(build.links)).toContain('ModelApiKey');
    const vpcConfig = lambda.inputs.vpcConfig as { subnetIds: string[]; securityGroupIds: string[] };
    const group = q.named('aws:ec2/securityGroup:SecurityGroup', 'ModelStepSecurityGroup');
    expect(vpcConfig.securityGroupIds).toEqual([expect.stringContaining('modelstepsecuritygroup')]);
    const privateSubnets = q
      .ofType('aws:ec2/subnet:Subnet')
      .filter((subnet) => /Private/.test(subnet.name))
      .map((subnet) => subnet.inputs.cidrBlock);
    expect(vpcConfig.subnetIds).toHaveLength(2);
    expect(privateSubnets).toHaveLength(2);
    expect(group.inputs).toMatchObject({
      ingress: [],
      egress: [
        { protocol: 'tcp', fromPort: 8443, toPort: 8443, cidrBlocks: ['0.0.0.0/0'] },
        { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] },
      ],
    });
  });

  it('no other function gets the key or the VPC', () => {
    for (const build of synthesis.builds) {
      if (build.handler === stepFunctions.InvokeModelFunctionArn.handler) continue;
      expect(Object.keys(build.links), build.handler).not.toContain('ModelApiKey');
      const lambda = q.named('aws:lambda/function:Function', `${build.functionID}Function`);
      expect(lambda.inputs.vpcConfig, build.handler).toBeUndefined();
    }
  });

  it("the VPC's names resolve only for the endpoint's host and AWS; everything else is NXDOMAIN", () => {
    const lists = Object.fromEntries(
      q
        .ofType('aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList')
        .map((list) => [list.name, list.inputs.domains]),
    );
    expect(lists).toEqual({
      ModelAllowedNames: ['models.example.net', '*.amazonaws.com'],
      ModelOtherNames: ['*'],
    });
    const rules = q
      .ofType('aws:route53/resolverFirewallRule:ResolverFirewallRule')
      .map((rule) => rule.inputs)
      .sort((a, b) => (a.priority as number) - (b.priority as number));
    expect(rules).toMatchObject([
      { action: 'ALLOW', priority: 100, firewallDomainRedirectionAction: 'TRUST_REDIRECTION_DOMAIN' },
      { action: 'BLOCK', priority: 200, blockResponse: 'NXDOMAIN' },
    ]);
    expect(
      q.ofType('aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation'),
    ).toHaveLength(1);
  });

  it('reaches the internet through a NAT instance, not a NAT Gateway', () => {
    expect(q.ofType('aws:ec2/natGateway:NatGateway')).toEqual([]);
    expect(q.ofType('aws:ec2/instance:Instance').length).toBeGreaterThanOrEqual(1);
  });
});

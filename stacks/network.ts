import { type AgentSettings, type ModelEndpoint, modelEndpoint } from './settings';

/**
 * The stage's network: one VPC for the analysis task and, when the agent calls an
 * OpenAI-compatible endpoint, for the step that calls it.
 *
 * The analysis task runs in public subnets with a public IP (no NAT to pay for) and only calls
 * AWS APIs over HTTPS: nothing may connect to it, and it may only open HTTPS connections.
 *
 * The model step (InvokeModel) holds the endpoint's key, so it may reach only that endpoint and
 * the AWS APIs it writes to. It runs in the private subnets, out through a NAT instance (fck-nat
 * on a t4g.nano, about $3 a month per AZ; the managed NAT Gateway costs ten times as much), with:
 *  - a security group that opens nothing inbound and, outbound, only the endpoint's port (to
 *    the endpoint's address when the URL names one) and HTTPS for the AWS APIs;
 *  - Route 53 Resolver DNS Firewall on the VPC: names resolve only for the endpoint's host and
 *    `*.amazonaws.com` (all the analysis task needs too), every other name is NXDOMAIN. Security groups cannot name hosts, so this
 *    is what keeps the step (and anything it loads) from reaching another host by name.
 * Bedrock needs none of this: the step calls AWS only and stays outside the VPC.
 * Under `sst dev` the step runs on the developer's machine, where none of this applies.
 */
export function network(settings: AgentSettings) {
  const endpoint = settings.provider === 'openai' && !$dev ? modelEndpoint(settings.baseUrl) : undefined;
  const vpc = new sst.aws.Vpc('Vpc', {
    az: 2,
    ...(endpoint && { nat: 'ec2' as const }),
    transform: {
      securityGroup: (args) => {
        args.ingress = [];
        args.egress = [https('0.0.0.0/0')];
      },
    },
  });
  return { vpc, modelStep: endpoint && modelStepNetwork(vpc, endpoint) };
}

const https = (cidr: string) => ({ protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: [cidr] });

/** The Vpc argument of the model step: private subnets, its own security group, names filtered. */
function modelStepNetwork(vpc: sst.aws.Vpc, endpoint: ModelEndpoint) {
  const target = endpoint.address ? `${endpoint.address}/32` : '0.0.0.0/0';
  const egress = [
    { protocol: 'tcp', fromPort: endpoint.port, toPort: endpoint.port, cidrBlocks: [target] },
    ...(endpoint.port === 443 && !endpoint.address ? [] : [https('0.0.0.0/0')]),
  ];
  const group = new aws.ec2.SecurityGroup('ModelStepSecurityGroup', {
    description: `Cascade model step: out to ${endpoint.host}:${endpoint.port} and AWS APIs only`,
    vpcId: vpc.id,
    ingress: [],
    egress,
  });

  const allowed = new aws.route53.ResolverFirewallDomainList('ModelAllowedNames', {
    domains: [...(endpoint.address ? [] : [endpoint.host]), '*.amazonaws.com'],
  });
  const everything = new aws.route53.ResolverFirewallDomainList('ModelOtherNames', { domains: ['*'] });
  const rules = new aws.route53.ResolverFirewallRuleGroup('ModelNameRules', {});
  new aws.route53.ResolverFirewallRule('ModelNameAllow', {
    firewallRuleGroupId: rules.id,
    firewallDomainListId: allowed.id,
    action: 'ALLOW',
    // An allowed name may answer with a CNAME chain (hosting providers, AWS's own endpoints): trust it.
    firewallDomainRedirectionAction: 'TRUST_REDIRECTION_DOMAIN',
    priority: 100,
  });
  new aws.route53.ResolverFirewallRule('ModelNameBlock', {
    firewallRuleGroupId: rules.id,
    firewallDomainListId: everything.id,
    action: 'BLOCK',
    blockResponse: 'NXDOMAIN',
    priority: 200,
  });
  new aws.route53.ResolverFirewallRuleGroupAssociation('ModelNameRulesVpc', {
    firewallRuleGroupId: rules.id,
    vpcId: vpc.id,
    priority: 101,
  });
  return { privateSubnets: vpc.privateSubnets, securityGroups: [group.id] };
}

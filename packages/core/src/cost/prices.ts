/**
 * The prices every cost estimate uses, in one place: AWS's published on-demand prices for
 * us-east-1 as known in 2025 (not re-checked here: this machine has no internet access), in US
 * dollars. Update them here; the README's cost table quotes the same figures. Everything computed
 * from them is an estimate.
 */
export const prices = {
  region: 'us-east-1',
  /** Step Functions Standard: per state transition. */
  stateTransition: 0.025 / 1000,
  /** Lambda: per request, and per GB-second on each architecture. */
  lambdaRequest: 0.2 / 1_000_000,
  lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
  /** Fargate (Linux, x86-64): per vCPU-hour and GB-hour, billed per second with a one-minute minimum; plus the task's public IPv4 address. */
  fargateVcpuHour: 0.04048,
  fargateGbHour: 0.004445,
  fargateMinimumSeconds: 60,
  publicIpv4Hour: 0.005,
  /** DynamoDB on demand: per write and read request unit (items under 1 KB; reads strongly consistent). */
  dynamoWrite: 0.625 / 1_000_000,
  dynamoRead: 0.125 / 1_000_000,
  /** S3 Standard: per PUT and per GET request. */
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  /** API Gateway WebSocket: per message (of up to 32 KB). */
  websocketMessage: 1 / 1_000_000,
  /** Bedrock on demand, per 1,000 input and output tokens, by model id (a cross-region profile's prefix ignored). */
  models: {
    'amazon.nova-micro-v1:0': { input: 0.000035, output: 0.00014 },
    'amazon.nova-lite-v1:0': { input: 0.00006, output: 0.00024 },
    'amazon.nova-pro-v1:0': { input: 0.0008, output: 0.0032 },
    'anthropic.claude-3-haiku-20240307-v1:0': { input: 0.00025, output: 0.00125 },
    'anthropic.claude-3-5-haiku-20241022-v1:0': { input: 0.0008, output: 0.004 },
    'anthropic.claude-3-5-sonnet-20241022-v2:0': { input: 0.003, output: 0.015 },
    'anthropic.claude-3-7-sonnet-20250219-v1:0': { input: 0.003, output: 0.015 },
    'meta.llama3-1-8b-instruct-v1:0': { input: 0.00022, output: 0.00022 },
    'meta.llama3-1-70b-instruct-v1:0': { input: 0.00072, output: 0.00072 },
  } as Record<string, { input: number; output: number }>,
} as const;

/** A model's price per 1,000 tokens, if the table knows it. */
export function modelPrice(modelId: string): { input: number; output: number } | undefined {
  const bare = modelId.replace(/^(us|eu|apac|jp|au|ca|us-gov|global)\./, '');
  return prices.models[bare];
}

/**
 * Settings read from the environment of `sst deploy` / `sst dev` (no secrets: a model id is
 * configuration). Plain code, so the tests check the same validation the deploy runs.
 */

export type AgentSettings =
  | { provider: 'bedrock'; modelId: string; maxSteps: number }
  | { provider: 'rules'; maxSteps: number };

/** Deploy-time settings, from the environment of `sst deploy` / `sst dev`. */
export function agentSettings(env: Record<string, string | undefined> = process.env): AgentSettings {
  const provider = env.CASCADE_AGENT_PROVIDER ?? 'bedrock';
  if (provider !== 'bedrock' && provider !== 'rules')
    throw new Error(`CASCADE_AGENT_PROVIDER must be bedrock or rules, not "${provider}"`);
  const maxSteps = Number(env.CASCADE_MAX_STEPS ?? 8);
  if (!Number.isInteger(maxSteps) || maxSteps < 1 || maxSteps > 20)
    throw new Error(`CASCADE_MAX_STEPS must be an integer from 1 to 20, not "${env.CASCADE_MAX_STEPS}"`);
  const modelId = env.CASCADE_MODEL_ID ?? 'amazon.nova-pro-v1:0';
  return provider === 'bedrock' ? { provider, modelId, maxSteps } : { provider, maxSteps };
}

/** Where the sample datasets and their catalog live (the analysis package); seeded into samples/. */
export const samplesDirectory = 'packages/analysis/datasets';

/**
 * Which model the agent thinks with, read from the environment the same way by `npm start` and by
 * `sst deploy`, so a setting that would not work stops both with the same sentence instead of
 * quietly falling back to the offline planner.
 *
 * - CASCADE_AGENT_PROVIDER: rules | bedrock | openai
 * - CASCADE_MODEL_ID: the model (Bedrock model or inference-profile id; the OpenAI-compatible
 *   server's model name)
 * - CASCADE_MODEL_BASE_URL: the OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1
 * - CASCADE_MODEL_API_KEY: its key, locally (deployed, the `ModelApiKey` SST secret)
 * - CASCADE_MAX_OUTPUT_TOKENS: the longest reply a model may write (default 4096)
 * - CASCADE_MAX_STEPS: model turns per item (default 8)
 */

export const providerNames = ['rules', 'bedrock', 'openai'] as const;
export type ProviderName = (typeof providerNames)[number];

interface Common {
  maxSteps: number;
}
interface ModelCommon extends Common {
  modelId: string;
  maxOutputTokens: number;
}

export type AgentSettings =
  | ({ provider: 'rules' } & Common)
  | ({ provider: 'bedrock' } & ModelCommon)
  | ({ provider: 'openai'; baseUrl: string } & ModelCommon);

/** The URL's scheme, or undefined when it is not a URL. */
function protocolOf(text: string): string | undefined {
  try {
    return new URL(text).protocol;
  } catch {
    return undefined;
  }
}

const isProviderName = (name: string): name is ProviderName =>
  (providerNames as readonly string[]).includes(name);

/** A setting that cannot work; its message names the variable and what it accepts. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export const defaultBedrockModel = 'amazon.nova-pro-v1:0';
export const defaultMaxOutputTokens = 4096;

/** An integer setting from `env`, `fallback` when unset; out of range is a SettingsError naming it. */
export function integerSetting(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new SettingsError(`${name} must be an integer from ${min} to ${max}, not "${raw}".`);
  return value;
}

/**
 * The agent's settings from `env`. `fallback` is the provider when none is named: the offline
 * planner locally, Bedrock when deployed.
 */
export function agentSettings(
  env: Record<string, string | undefined>,
  fallback: ProviderName,
): AgentSettings {
  const named = env.CASCADE_AGENT_PROVIDER || fallback;
  if (!isProviderName(named))
    throw new SettingsError(
      `CASCADE_AGENT_PROVIDER must be one of ${providerNames.join(', ')}, not "${named}".`,
    );
  const provider = named;
  const maxSteps = integerSetting(env, 'CASCADE_MAX_STEPS', 8, 1, 20);
  if (provider === 'rules') return { provider, maxSteps };
  const maxOutputTokens = integerSetting(
    env,
    'CASCADE_MAX_OUTPUT_TOKENS',
    defaultMaxOutputTokens,
    256,
    128_000,
  );
  if (provider === 'bedrock')
    return { provider, modelId: env.CASCADE_MODEL_ID || defaultBedrockModel, maxSteps, maxOutputTokens };
  const baseUrl = env.CASCADE_MODEL_BASE_URL;
  if (!baseUrl)
    throw new SettingsError(
      'CASCADE_AGENT_PROVIDER=openai needs CASCADE_MODEL_BASE_URL, the endpoint that serves /chat/completions (e.g. http://127.0.0.1:11434/v1 for Ollama).',
    );
  if (!/^https?:$/.test(protocolOf(baseUrl) ?? ''))
    throw new SettingsError(`CASCADE_MODEL_BASE_URL must be an http(s) URL, not "${baseUrl}".`);
  if (!env.CASCADE_MODEL_ID)
    throw new SettingsError(
      'CASCADE_AGENT_PROVIDER=openai needs CASCADE_MODEL_ID, the model name the server knows (e.g. llama3.1:8b).',
    );
  return { provider, baseUrl, modelId: env.CASCADE_MODEL_ID, maxSteps, maxOutputTokens };
}

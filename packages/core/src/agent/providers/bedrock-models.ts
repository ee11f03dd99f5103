/**
 * What each Bedrock model family accepts through the Converse API, by model id. Converse is one
 * request shape, but the families behind it differ in which of its fields they take, and a field a
 * model does not take is a ValidationException that fails the item. Sources (AWS documentation):
 * - "Supported models and model features" (Converse): system prompts, tool use and streaming tool
 *   use per model.
 * - API reference, ToolChoice: `any` for Claude 3+, Mistral Large and Nova; `tool` only for Claude
 *   3+ and Nova. ToolResultBlock: `status` only for Claude 3+/4 and Nova.
 * - Model parameter pages and model cards: each family's largest output (maxTokens).
 */

/** How far a model can be made to call a tool: not at all (auto), any tool, or a named one. */
export type ToolChoiceSupport = 'auto' | 'any' | 'any-or-tool';

export interface ModelCapabilities {
  /** The family, for messages and tests. */
  family: string;
  /** Whether the model takes tools through Converse at all; without them it cannot run the agent. */
  tools: boolean;
  /** Whether ConverseStream accepts tools ("Streaming tool use"); if not, the reply comes whole. */
  streamingToolUse: boolean;
  toolChoice: ToolChoiceSupport;
  /** Whether a toolResult may carry `status: 'error' | 'success'`. */
  toolResultStatus: boolean;
  /** Whether the request may carry `system`; if not, the system prompt opens the first user message. */
  systemPrompt: boolean;
  /** The largest `maxTokens` the family accepts. */
  maxOutputTokens: number;
}

interface FamilyRule extends ModelCapabilities {
  /** Model ids (without an inference-profile prefix) that start with one of these belong to it. */
  prefixes: string[];
}

/** A family that takes no tools through Converse: nothing about tool use applies to it. */
const withoutTools = {
  tools: false,
  streamingToolUse: false,
  toolChoice: 'auto',
  toolResultStatus: false,
} as const satisfies Partial<ModelCapabilities>;

/** Checked in order: the first rule with a matching prefix wins, so narrower prefixes come first. */
const families: FamilyRule[] = [
  {
    // Claude 4.x: Opus 4 and 4.1 stop at 32K output tokens, the rest at 64K; 32K holds for all.
    family: 'claude-4',
    prefixes: ['anthropic.claude-sonnet-4', 'anthropic.claude-opus-4', 'anthropic.claude-haiku-4'],
    tools: true,
    streamingToolUse: true,
    toolChoice: 'any-or-tool',
    toolResultStatus: true,
    systemPrompt: true,
    maxOutputTokens: 32_000,
  },
  {
    family: 'claude-3.7',
    prefixes: ['anthropic.claude-3-7'],
    tools: true,
    streamingToolUse: true,
    toolChoice: 'any-or-tool',
    toolResultStatus: true,
    systemPrompt: true,
    maxOutputTokens: 64_000,
  },
  {
    family: 'claude-3.5',
    prefixes: ['anthropic.claude-3-5'],
    tools: true,
    streamingToolUse: true,
    toolChoice: 'any-or-tool',
    toolResultStatus: true,
    systemPrompt: true,
    maxOutputTokens: 8_192,
  },
  {
    family: 'claude-3',
    prefixes: ['anthropic.claude-3'],
    tools: true,
    streamingToolUse: true,
    toolChoice: 'any-or-tool',
    toolResultStatus: true,
    systemPrompt: true,
    maxOutputTokens: 4_096,
  },
  {
    // Claude 2.x and Instant: Converse with a system prompt, but no tool use.
    family: 'claude-2',
    prefixes: ['anthropic.claude-v2', 'anthropic.claude-instant'],
    ...withoutTools,
    systemPrompt: true,
    maxOutputTokens: 4_096,
  },
  {
    // Nova Micro, Lite and Pro: 5K output tokens (model cards); Premier allows more, 5K holds for all.
    family: 'nova',
    prefixes: ['amazon.nova-'],
    tools: true,
    streamingToolUse: true,
    toolChoice: 'any-or-tool',
    toolResultStatus: true,
    systemPrompt: true,
    maxOutputTokens: 5_000,
  },
  {
    // Titan Text: no system prompt, no tool use.
    family: 'titan',
    prefixes: ['amazon.titan-text'],
    ...withoutTools,
    systemPrompt: false,
    maxOutputTokens: 3_072,
  },
  {
    family: 'mistral-large',
    prefixes: ['mistral.mistral-large'],
    tools: true,
    streamingToolUse: false,
    toolChoice: 'any',
    toolResultStatus: false,
    systemPrompt: true,
    maxOutputTokens: 8_192,
  },
  {
    // Mistral Small takes tools and a system prompt, but no toolChoice.
    family: 'mistral',
    prefixes: ['mistral.mistral-small'],
    tools: true,
    streamingToolUse: false,
    toolChoice: 'auto',
    toolResultStatus: false,
    systemPrompt: true,
    maxOutputTokens: 8_192,
  },
  {
    // "Mistral AI Instruct" (Mistral 7B, Mixtral 8x7B): neither a system prompt nor tool use.
    family: 'mistral-instruct',
    prefixes: ['mistral.mistral-7b', 'mistral.mixtral'],
    ...withoutTools,
    systemPrompt: false,
    maxOutputTokens: 4_096,
  },
  {
    // Llama 3.1, 3.2 11B/90B, 3.3 and 4 call tools; max_gen_len stops at 2,048.
    family: 'llama',
    prefixes: ['meta.llama3-1', 'meta.llama3-2-11b', 'meta.llama3-2-90b', 'meta.llama3-3', 'meta.llama4'],
    tools: true,
    streamingToolUse: false,
    toolChoice: 'auto',
    toolResultStatus: false,
    systemPrompt: true,
    maxOutputTokens: 2_048,
  },
  {
    // Llama 2, Llama 3 and Llama 3.2 1B/3B: chat with a system prompt, no tool use.
    family: 'llama-chat',
    prefixes: ['meta.llama'],
    ...withoutTools,
    systemPrompt: true,
    maxOutputTokens: 2_048,
  },
  {
    family: 'cohere',
    prefixes: ['cohere.command-r'],
    tools: true,
    streamingToolUse: false,
    toolChoice: 'auto',
    toolResultStatus: false,
    systemPrompt: true,
    maxOutputTokens: 4_000,
  },
  {
    // Jamba 1.5 calls tools; Jamba-Instruct does not.
    family: 'ai21',
    prefixes: ['ai21.jamba-1-5'],
    tools: true,
    streamingToolUse: true,
    toolChoice: 'auto',
    toolResultStatus: false,
    systemPrompt: true,
    maxOutputTokens: 4_096,
  },
  {
    family: 'ai21-instruct',
    prefixes: ['ai21.'],
    ...withoutTools,
    systemPrompt: true,
    maxOutputTokens: 4_096,
  },
];

/**
 * A model this table does not know gets what every Converse model with tool use accepts: no
 * toolChoice, no toolResult status, no tools on ConverseStream (Llama, Mistral, Cohere and Writer
 * refuse them), and the system prompt folded into the first user message (a
 * `system` field is refused by some families, user text by none; the cost is a slightly weaker
 * instruction). Tools are sent: without them the agent cannot work, and a model that refuses them
 * says so in a ValidationException. 4,096 output tokens: every documented tool-using family but
 * Llama (listed above) allows at least that, and less would cut long answers short.
 */
export const unknownModel: ModelCapabilities = {
  family: 'unknown',
  tools: true,
  streamingToolUse: false,
  toolChoice: 'auto',
  toolResultStatus: false,
  systemPrompt: false,
  maxOutputTokens: 4_096,
};

/** A geographic or global cross-region inference profile in front of the model id. */
const inferenceProfilePrefix = /^(us|us-gov|eu|apac|jp|au|ca|global)\./;

/**
 * The foundation model an id names: the last part of an ARN (foundation-model/… or
 * inference-profile/…), without a cross-region inference profile's prefix.
 */
export function foundationModelId(modelId: string): string {
  return (modelId.split('/').at(-1) ?? modelId).replace(inferenceProfilePrefix, '');
}

/** What the model a Converse request names accepts. */
export function modelCapabilities(modelId: string): ModelCapabilities {
  const id = foundationModelId(modelId);
  const rule = families.find((family) => family.prefixes.some((prefix) => id.startsWith(prefix)));
  if (!rule) return unknownModel;
  const { prefixes: _, ...capabilities } = rule;
  return capabilities;
}

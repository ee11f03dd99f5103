import {
  type BedrockRuntimeClient,
  type ContentBlock,
  ConverseCommand,
  type ConverseCommandOutput,
  type Message,
  type Tool,
} from '@aws-sdk/client-bedrock-runtime';
import { toolDeclarations, toolInputSchema, toolNames } from '../tools';
import type { Decision } from '../transcript';
import type { ModelContext, ModelProvider } from './types';

export interface BedrockOptions {
  client: BedrockRuntimeClient;
  modelId: string;
  maxTokens?: number;
}

const systemPrompt = [
  'You are Cascade, an analytics assistant. You answer questions about tabular datasets (CSV files) by calling tools and reading their results.',
  'Choose the tool that answers the question asked, and nothing else:',
  '- list_datasets: which datasets exist. describe_dataset: column names, types and example values; call it first when you do not know the columns.',
  '- query_data: anything answered by counting or aggregating: counts, averages, medians (quantile_cont(x, 0.5)), sums, min/max, standard deviations, shares of a true/false column (avg(CASE WHEN x THEN 1.0 WHEN x IS NOT NULL THEN 0.0 END)), GROUP BY, WHERE, top N, correlations (corr). Write one read-only DuckDB SELECT over the table named data; ask for a chart when it helps (bar for groups, line over time, scatter for two numbers, histogram for one).',
  '- compare_groups: whether an outcome differs between groups ("is X different between A and B", "does X depend on Y", "is the new variant better"). It runs the right test for the outcome type and reports p-values and confidence intervals.',
  '- fit_regression: "what drives X", "predict X from ...": OLS for numbers, logistic for true/false outcomes. Say that coefficients are associations, not causal effects.',
  '- estimate_effect: the causal effect of a true/false treatment on an outcome, adjusting for covariates measured before the treatment. Set method when the user names one (regression adjustment, IPW, matching). Report its warnings.',
  '- profile: a whole-dataset overview (types, missing values, distributions, correlation matrix). It is slower; prefer query_data for a specific number.',
  'Use column names exactly as the dataset has them. If the question names a column or dataset that does not exist, or asks for something no tool does (forecasting, clustering, information outside the data), say so plainly and suggest the closest question you can answer; never answer a different question instead.',
  'Never invent numbers: every figure in your answer must come from a tool result. Show how it was computed (the SQL, the test, or the method). If a tool fails, explain what went wrong and what the user can do.',
  'When you are done, call final_answer once with a concise markdown answer that cites the key numbers.',
].join('\n');

/** The Converse tool config, built from the one set of tool declarations. */
export function bedrockTools(): Tool[] {
  return toolNames.map((name) => ({
    toolSpec: {
      name,
      description: toolDeclarations[name].description,
      inputSchema: { json: toolInputSchema(name) as never },
    },
  }));
}

function questionText(context: ModelContext): string {
  const { request } = context;
  const columns = request.schema?.columns.map((c) => `${c.name} (${c.type})`) ?? request.columns;
  const facts = [
    request.datasetId && `Dataset: ${request.datasetId}`,
    columns && `Columns: ${columns.join(', ')}`,
  ].filter(Boolean);
  return facts.length ? `${request.text}\n\n${facts.join('\n')}` : request.text;
}

/** Converse wants alternating roles starting with the user: merge neighbours of the same role. */
function alternate(messages: Message[]): Message[] {
  const out: Message[] = [];
  for (const message of messages) {
    const last = out.at(-1);
    if (last && last.role === message.role)
      last.content = [...(last.content ?? []), ...(message.content ?? [])];
    else out.push({ role: message.role, content: [...(message.content ?? [])] });
  }
  while (out[0] && out[0].role !== 'user') out.shift();
  return out;
}

export function converseMessages(context: ModelContext): Message[] {
  const messages: Message[] = context.history.map((m) => ({ role: m.role, content: [{ text: m.content }] }));
  messages.push({ role: 'user', content: [{ text: questionText(context) }] });
  for (const turn of context.turns) {
    if (turn.kind === 'model') {
      const decision = turn.decision;
      const content: ContentBlock[] =
        decision.kind === 'tool'
          ? [
              {
                toolUse: {
                  toolUseId: decision.toolUseId,
                  name: decision.name,
                  input: decision.input as never,
                },
              },
            ]
          : [{ text: decision.text }];
      if (decision.kind === 'tool' && decision.thinking) content.unshift({ text: decision.thinking });
      messages.push({ role: 'assistant', content });
    } else {
      messages.push({
        role: 'user',
        content: [
          {
            toolResult: {
              toolUseId: turn.toolUseId,
              content: [{ text: turn.observation }],
              status: turn.ok ? 'success' : 'error',
            },
          },
        ],
      });
    }
  }
  return alternate(messages);
}

function textOf(content: ContentBlock[]): string {
  return content
    .map((block) => block.text ?? '')
    .join('')
    .trim();
}

/** Reads Converse's answer as the next step. */
export function decisionFrom(output: ConverseCommandOutput): Decision {
  const content = output.output?.message?.content ?? [];
  const toolUse = content.find((block) => block.toolUse)?.toolUse;
  const text = textOf(content);
  switch (output.stopReason) {
    case 'tool_use': {
      if (!toolUse?.toolUseId || !toolUse.name)
        throw new Error('The model asked for a tool without naming it');
      if (toolUse.name === 'final_answer') {
        const answer = (toolUse.input as { text?: unknown } | undefined)?.text;
        return {
          kind: 'final',
          toolUseId: toolUse.toolUseId,
          text: typeof answer === 'string' && answer ? answer : text,
        };
      }
      return {
        kind: 'tool',
        toolUseId: toolUse.toolUseId,
        name: toolUse.name,
        input: toolUse.input ?? {},
        ...(text && { thinking: text }),
      };
    }
    case 'end_turn':
    case 'stop_sequence':
      return { kind: 'final', text: text || 'The model ended without an answer.' };
    case 'max_tokens':
      if (!text) throw new Error('The model ran out of tokens before answering');
      return {
        kind: 'final',
        text: `${text}\n\n_(The answer was cut short: it reached the model's length limit.)_`,
      };
    default:
      return {
        kind: 'final',
        text: text || `The model stopped without an answer (${output.stopReason ?? 'no reason given'}).`,
      };
  }
}

/** Amazon Bedrock's Converse API with tool use; the production default. */
export function createBedrockProvider(options: BedrockOptions): ModelProvider {
  return {
    name: 'bedrock',
    async decide(context) {
      const lastTurn = context.turn >= context.maxSteps - 1;
      const output = await options.client.send(
        new ConverseCommand({
          modelId: options.modelId,
          system: [{ text: systemPrompt }],
          messages: converseMessages(context),
          toolConfig: {
            tools: bedrockTools(),
            // On the last allowed step the model must answer with what it has.
            toolChoice: lastTurn ? { tool: { name: 'final_answer' } } : { any: {} },
          },
          inferenceConfig: { maxTokens: options.maxTokens ?? 2048, temperature: 0 },
        }),
      );
      return decisionFrom(output);
    },
  };
}

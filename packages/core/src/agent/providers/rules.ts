import { type Observed, writeAnswer } from '../planner/answers';
import { plannedCalls } from '../planner/calls';
import { describeFrame } from '../planner/describe';
import type { Refusal } from '../planner/frame';
import { argumentsOf, callsOf, type Decision, type Turn } from '../run/transcript';
import type { ModelProvider } from './types';

/**
 * The offline planner: a deterministic semantic parser for a written grammar of everyday
 * questions (README, "The offline planner"), not a language model. Parse reads each question
 * into a frame — what to compute, on which dataset — or a refusal; this provider runs the tool
 * calls that frame needs, in order, and writes the answer from their results. It never answers
 * a question it did not understand: it says what it understood and what it can answer instead.
 */
export const rulesFooter = "\n\n_Answered by Cascade's offline rules planner, not a language model._";

type ToolTurn = Extract<Turn, { kind: 'tool' }>;

export function refusalText(refusal: Refusal): string {
  const suggestions =
    refusal.suggestions.length > 0
      ? `\n\nHere is what I can answer${refusal.datasetId ? ` about ${refusal.datasetId}` : ''}, for example:\n${refusal.suggestions.map((s) => `- "${s}"`).join('\n')}`
      : '';
  return `I can't answer that as asked. ${refusal.message}${suggestions}`;
}

export function createRulesPlanner(): ModelProvider {
  return {
    name: 'rules',
    // Follow-ups are Parse's work (it replays the conversation); the planner reads only the frame.
    readsHistory: false,
    async decide(context) {
      const final = (text: string): Decision => ({ kind: 'final', text: `${text}${rulesFooter}` });
      const { request } = context;
      if (request.refusal) return final(refusalText(request.refusal));
      const { frame } = request;
      if (!frame)
        return final(
          refusalText({
            reason: 'unknown_words',
            message: "I don't know how to answer this question with the tools I have.",
            suggestions: [],
          }),
        );

      const toolTurns = context.turns.filter((t): t is ToolTurn => t.kind === 'tool');
      const failed = toolTurns.find((t) => !t.ok);
      if (failed) return final(`I couldn't answer ${describeFrame(frame)}: ${failed.observation}`);

      const calls = plannedCalls(frame, request.schema);
      const next = calls[toolTurns.length];
      if (next)
        return {
          kind: 'tool',
          calls: [{ toolUseId: `rules-${context.turn}`, name: next.tool, input: next.input }],
        };

      const observed: Observed[] = toolTurns.map((turn) => ({
        tool: turn.name,
        input: inputOf(context.turns, turn),
        result: JSON.parse(turn.observation) as unknown,
      }));
      return final(
        writeAnswer(frame, observed, request.columns?.length, {
          ...(request.skipped && { skipped: request.skipped }),
          ...(request.corrections && { corrections: request.corrections }),
        }),
      );
    },
  };
}

/** The arguments of the call a tool turn answered. */
function inputOf(turns: Turn[], answered: ToolTurn): Record<string, unknown> {
  const call = turns
    .flatMap((t) => (t.kind === 'model' ? callsOf(t.decision) : []))
    .find((c) => c.toolUseId === answered.toolUseId);
  return argumentsOf(call);
}

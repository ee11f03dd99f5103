import type { ContextMessage } from '../run/transcript';
import type { AgentDeps } from './deps';
import type { ItemState } from './state';

/** The session's earlier messages the model sees, without those of this run. */
export async function sessionHistory(
  deps: AgentDeps,
  state: ItemState,
  count = deps.historyMessages ?? 10,
): Promise<ContextMessage[]> {
  const recent = await deps.messages.recent(state.sessionId, count);
  return recent
    .filter((m) => m.executionId !== state.executionId)
    .map((m): ContextMessage => ({ role: m.role, content: m.content }));
}

/** How much of the conversation a model is sent: each message, and all of them together. */
export const historyBudget = { messageChars: 4_000, totalChars: 16_000 };

/**
 * The conversation trimmed to the budget: a long earlier answer is cut (it says so), and the
 * oldest messages go first when the whole is too long. Blank messages are left out.
 */
export function trimHistory(messages: ContextMessage[], budget = historyBudget): ContextMessage[] {
  const kept: ContextMessage[] = [];
  let total = 0;
  for (const message of [...messages].reverse()) {
    const text = message.content.trim();
    if (!text) continue;
    const content =
      text.length > budget.messageChars
        ? `${text.slice(0, budget.messageChars)}\n\n(…the rest of this message is left out)`
        : text;
    if (total + content.length > budget.totalChars) break;
    total += content.length;
    kept.push({ role: message.role, content });
  }
  return kept.reverse();
}

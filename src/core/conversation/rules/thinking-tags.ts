// Rule thinking-tags: Kiro has no thinking switch on most models; like KRS we ask for reasoning
// with prompt tags at the start of the system text and parse <thinking> out of the answer.
import type { Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';
import type { Thinking } from '../types.ts';

function thinkingTagsFor(thinking: Thinking): string {
  return thinking.type === 'enabled'
    ? `<thinking_mode>enabled</thinking_mode><max_thinking_length>${thinking.budgetTokens}</max_thinking_length>`
    : `<thinking_mode>adaptive</thinking_mode><thinking_effort>${thinking.effort}</thinking_effort>`;
}

export function thinkingTags(d: Draft, log: RuleLog): Draft {
  if (!d.thinking) return d;
  const tags = thinkingTagsFor(d.thinking);
  log.fire('thinking-tags', `requested ${d.thinking.type} thinking with system prompt tags`);
  return { ...d, system: d.system.trim() === '' ? tags : `${tags}\n\n${d.system}` };
}

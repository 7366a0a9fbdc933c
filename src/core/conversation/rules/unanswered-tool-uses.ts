// Rule unanswered-tool-uses: every toolUse must be answered in the next user turn. We add an
// error result rather than dropping the call: the model then sees truthfully that it asked for
// the tool and got nothing (user interrupted, client crashed), instead of a history that silently
// rewrites what it did.
import type { Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

export const UNANSWERED_TEXT = 'tool call was not answered';

export function unansweredToolUses(d: Draft, log: RuleLog): Draft {
  let count = 0;
  const turns = d.turns.map((t) => ({ ...t }));
  turns.forEach((t, k) => {
    const next = turns[k + 1];
    if (t.role !== 'assistant' || t.toolUses.length === 0 || !next) return;
    const answered = new Set(next.toolResults.map((r) => r.toolUseId));
    const missing = t.toolUses.filter((u) => !answered.has(u.id));
    if (missing.length === 0) return;
    count += missing.length;
    next.toolResults = [...next.toolResults, ...missing.map((u) => ({ toolUseId: u.id, text: UNANSWERED_TEXT, isError: true, images: [] }))];
  });
  if (count === 0) return d;
  log.fire('unanswered-tool-uses', `added an error result to ${count} unanswered tool call(s)`);
  return { ...d, turns };
}

// Rule orphan-tool-results: a toolResult must answer a toolUse of the assistant turn right
// before it. Results that do not (compacted or truncated history, hand-edited sessions) are kept
// as text so their content still reaches the model.
import { joinText, type Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';
import { toolResultAsText } from './tool-text.ts';

export function orphanToolResults(d: Draft, log: RuleLog): Draft {
  let count = 0;
  const turns = d.turns.map((t, k) => {
    if (t.role !== 'user' || t.toolResults.length === 0) return t;
    const prev = d.turns[k - 1];
    const ids = new Set(prev?.role === 'assistant' ? prev.toolUses.map((u) => u.id) : []);
    const orphans = t.toolResults.filter((r) => !ids.has(r.toolUseId));
    if (orphans.length === 0) return t;
    count += orphans.length;
    return { ...t, text: joinText(...orphans.map(toolResultAsText), t.text), toolResults: t.toolResults.filter((r) => ids.has(r.toolUseId)) };
  });
  if (count === 0) return d;
  log.fire('orphan-tool-results', `turned ${count} tool result(s) without a matching tool call into text`);
  return { ...d, turns };
}

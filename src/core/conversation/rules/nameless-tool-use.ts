// Rule nameless-tool-use: a tool call without a name cannot be declared, and Kiro rejects it
// (the next turn fails with 400); keep it as text instead.
import { joinText, isBlank, type Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';
import { toolUseAsText } from './tool-text.ts';

export function namelessToolUse(d: Draft, log: RuleLog): Draft {
  let count = 0;
  const turns = d.turns.map((t) => {
    const nameless = t.toolUses.filter((u) => isBlank(u.name));
    if (nameless.length === 0) return t;
    count += nameless.length;
    return { ...t, text: joinText(t.text, ...nameless.map(toolUseAsText)), toolUses: t.toolUses.filter((u) => !isBlank(u.name)) };
  });
  if (count === 0) return d;
  log.fire('nameless-tool-use', `turned ${count} tool call(s) without a name into text`);
  return { ...d, turns };
}

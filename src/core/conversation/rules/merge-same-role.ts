// Rule merge-same-role: Kiro needs strictly alternating user/assistant turns, clients often send
// several user messages in a row (OpenAI tool messages + a user note, hoisted system turns…).
import { joinText, type Draft, type DraftTurn } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

function merge(a: DraftTurn, b: DraftTurn): DraftTurn {
  return {
    role: a.role,
    text: joinText(a.text, b.text),
    thinking: joinText(a.thinking, b.thinking),
    toolUses: [...a.toolUses, ...b.toolUses],
    toolResults: [...a.toolResults, ...b.toolResults],
    images: [...a.images, ...b.images],
  };
}

export function mergeSameRole(d: Draft, log: RuleLog): Draft {
  const turns: DraftTurn[] = [];
  let merged = 0;
  for (const t of d.turns) {
    const last = turns[turns.length - 1];
    if (last && last.role === t.role) {
      turns[turns.length - 1] = merge(last, t);
      merged++;
    } else {
      turns.push(t);
    }
  }
  if (merged === 0) return d;
  log.fire('merge-same-role', `merged ${merged} message(s) into the previous one of the same role`);
  return { ...d, turns };
}

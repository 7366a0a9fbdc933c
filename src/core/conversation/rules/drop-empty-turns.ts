// Rule drop-empty-turns: a message with nothing in it carries no meaning; dropping it (and letting
// merge-same-role rejoin its neighbours) beats inventing placeholder turns for it.
import { isBlank, type Draft, type DraftTurn } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

function isEmptyTurn(t: DraftTurn): boolean {
  return isBlank(t.text) && isBlank(t.thinking) && t.toolUses.length === 0 && t.toolResults.length === 0 && t.images.length === 0;
}

export function dropEmptyTurns(d: Draft, log: RuleLog): Draft {
  const turns = d.turns.filter((t) => !isEmptyTurn(t));
  if (turns.length === d.turns.length) return d;
  log.fire('drop-empty-turns', `dropped ${d.turns.length - turns.length} empty message(s)`);
  return { ...d, turns };
}

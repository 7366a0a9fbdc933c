// Rule system-pair: Kiro has no system field. Like KRS (and CDL) we send the system text as a
// first user/assistant pair instead of prepending it to the first user message (JWG): the user's
// own first message stays untouched, the pair is a stable prefix across every turn of a session
// (good for Kiro's prompt cache), and truncation can drop old turns while keeping the pair whole.
import { turn, type Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

export const SYSTEM_ACK = 'I will follow these instructions.';

export function systemPair(d: Draft, log: RuleLog): Draft {
  if (d.system.trim() === '') return d;
  log.fire('system-pair', `sent ${d.system.length} chars of system text as the first history pair`);
  return { ...d, turns: [turn('user', { text: d.system }), turn('assistant', { text: SYSTEM_ACK }), ...d.turns] };
}

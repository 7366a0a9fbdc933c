// Rule leading-user: Kiro history must start with a user message; conversations that open with
// an assistant turn (greetings, resumed sessions) get a neutral user turn in front.
import { turn, type Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

export const LEADING_USER_TEXT = '(empty)';

export function leadingUser(d: Draft, log: RuleLog): Draft {
  if (d.turns[0]?.role !== 'assistant') return d;
  log.fire('leading-user', 'conversation starts with an assistant message; added a placeholder user message');
  return { ...d, turns: [turn('user', { text: LEADING_USER_TEXT }), ...d.turns] };
}

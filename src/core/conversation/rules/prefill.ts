// Rule prefill: a trailing assistant message (Anthropic prefill) stays in history and the current
// message becomes a "Continue" request, since Kiro's current message must be a user message. Also
// covers a request left with no messages at all.
import { turn, type Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

export const PREFILL_TEXT = 'Continue';

export function prefill(d: Draft, log: RuleLog): Draft {
  const last = d.turns[d.turns.length - 1];
  if (last?.role === 'user') return d;
  log.fire('prefill', last ? 'last message is from the assistant; moved it to history and asked to continue' : 'no messages; sent a placeholder user message');
  return { ...d, turns: [...d.turns, turn('user', { text: PREFILL_TEXT })] };
}

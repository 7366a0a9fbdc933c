// Rule thinking-history: Kiro's assistant messages have no reasoning field we can fill, so prior
// thinking is re-sent inline as `<thinking>…</thinking>` before the text (KRS, AIC) — the same
// shape the model produces in tag mode.
import { isBlank, type Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

export function thinkingHistory(d: Draft, log: RuleLog): Draft {
  let count = 0;
  const turns = d.turns.map((t) => {
    if (t.role !== 'assistant' || isBlank(t.thinking)) return t;
    count++;
    const tagged = `<thinking>${t.thinking}</thinking>`;
    return { ...t, thinking: '', text: isBlank(t.text) ? tagged : `${tagged}\n\n${t.text}` };
  });
  if (count === 0) return d;
  log.fire('thinking-history', `re-sent the thinking of ${count} assistant message(s) as <thinking> tags`);
  return { ...d, turns };
}

// Rule empty-content-placeholders: Kiro rejects blank `content` on every message and blank tool
// result text. Fillers are short and bracketed so the model does not take them for real speech.
import { isBlank, type Draft, type DraftTurn } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

export const PLACEHOLDERS = {
  user: '(empty)',
  assistant: '(empty)',
  assistantToolsOnly: '(calling tools)',
  toolResultsOnly: 'Tool results provided.',
  imagesOnly: '(see attached image)',
  current: 'Continue',
  toolResult: '(empty result)',
} as const;

function fill(t: DraftTurn, isCurrent: boolean): string {
  if (t.role === 'assistant') return t.toolUses.length > 0 ? PLACEHOLDERS.assistantToolsOnly : PLACEHOLDERS.assistant;
  if (t.toolResults.length > 0) return PLACEHOLDERS.toolResultsOnly;
  if (t.images.length > 0) return PLACEHOLDERS.imagesOnly;
  return isCurrent ? PLACEHOLDERS.current : PLACEHOLDERS.user;
}

export function emptyContentPlaceholders(d: Draft, log: RuleLog): Draft {
  let count = 0;
  const turns = d.turns.map((t, k) => {
    const emptyResults = t.toolResults.filter((r) => isBlank(r.text)).length;
    if (!isBlank(t.text) && emptyResults === 0) return t;
    count += emptyResults + (isBlank(t.text) ? 1 : 0);
    return {
      ...t,
      text: isBlank(t.text) ? fill(t, k === d.turns.length - 1) : t.text,
      toolResults: t.toolResults.map((r) => (isBlank(r.text) ? { ...r, text: PLACEHOLDERS.toolResult } : r)),
    };
  });
  if (count === 0) return d;
  log.fire('empty-content-placeholders', `filled ${count} empty message/tool result content(s)`);
  return { ...d, turns };
}

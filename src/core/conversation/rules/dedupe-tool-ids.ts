// Rule dedupe-tool-ids: Kiro refuses a toolUseId that appears twice. A repeated (or empty) id on a
// tool call gets a fresh id, and the results in the next user turn are re-pointed in order; a
// second result for an already answered call is dropped.
import type { Draft, DraftToolResult, DraftTurn } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

export function dedupeToolIds(d: Draft, log: RuleLog): Draft {
  const original = new Set(d.turns.flatMap((t) => t.toolUses.map((u) => u.id)));
  const seen = new Set<string>();
  const fresh = (id: string): string => {
    const base = id || 'tooluse_missing';
    for (let n = 2; ; n++) {
      const candidate = `${base}_${n}`;
      if (!seen.has(candidate) && !original.has(candidate)) return candidate;
    }
  };
  let renamed = 0;
  let dropped = 0;
  const turns: DraftTurn[] = d.turns.map((t) => ({ ...t }));
  turns.forEach((t, k) => {
    if (t.role !== 'assistant' || t.toolUses.length === 0) return;
    const assigned = new Map<string, string[]>();
    t.toolUses = t.toolUses.map((u) => {
      const id = u.id === '' || seen.has(u.id) ? fresh(u.id) : u.id;
      seen.add(id);
      assigned.set(u.id, [...(assigned.get(u.id) ?? []), id]);
      if (id === u.id) return u;
      renamed++;
      return { ...u, id };
    });
    const next = turns[k + 1];
    if (!next || next.role !== 'user') return;
    const used = new Map<string, number>();
    const results: DraftToolResult[] = [];
    for (const r of next.toolResults) {
      const ids = assigned.get(r.toolUseId);
      if (!ids) {
        results.push(r); // not ours: orphan-tool-results decides
        continue;
      }
      const n = used.get(r.toolUseId) ?? 0;
      used.set(r.toolUseId, n + 1);
      const id = ids[n];
      if (id === undefined) {
        dropped++;
        continue;
      }
      results.push(id === r.toolUseId ? r : { ...r, toolUseId: id });
    }
    next.toolResults = results;
  });
  if (renamed === 0 && dropped === 0) return d;
  log.fire('dedupe-tool-ids', `gave ${renamed} repeated/empty tool call id(s) fresh ids, dropped ${dropped} duplicate result(s)`);
  return { ...d, turns };
}

// Rule alias-tool-names: names Kiro refuses (> 64 chars, characters outside [A-Za-z0-9_-]) get a
// deterministic alias in declarations and in history toolUses; the returned map restores them.
import type { Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';
import { buildToolNameMap, kiroToolName, type ToolNameMap } from '../tool-names.ts';

export function aliasToolNames(d: Draft, log: RuleLog): { draft: Draft; toolNames: ToolNameMap } {
  const toolNames = buildToolNameMap(d.tools.map((t) => t.name));
  const aliased = [...toolNames.toKiro].filter(([client, kiro]) => client !== kiro);
  if (aliased.length === 0) return { draft: d, toolNames };
  log.fire('alias-tool-names', `aliased ${aliased.map(([c, k]) => `${JSON.stringify(c)} → ${k}`).join(', ')}`);
  const draft: Draft = {
    ...d,
    tools: d.tools.map((t) => ({ ...t, name: kiroToolName(toolNames, t.name) })),
    turns: d.turns.map((t) => (t.toolUses.length === 0 ? t : { ...t, toolUses: t.toolUses.map((u) => ({ ...u, name: kiroToolName(toolNames, u.name) })) })),
  };
  return { draft, toolNames };
}

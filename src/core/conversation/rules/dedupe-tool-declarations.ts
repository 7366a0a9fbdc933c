// Rule dedupe-tool-declarations: Kiro rejects a tool name declared twice (clients that merge
// built-in and MCP tool lists do this); the first declaration wins.
import type { Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

export function dedupeToolDeclarations(d: Draft, log: RuleLog): Draft {
  const seen = new Set<string>();
  const tools = d.tools.filter((t) => !seen.has(t.name) && seen.add(t.name));
  if (tools.length === d.tools.length) return d;
  log.fire('dedupe-tool-declarations', `dropped ${d.tools.length - tools.length} repeated tool declaration(s)`);
  return { ...d, tools };
}

// Rule undeclared-tool-placeholder: Kiro rejects history toolUses whose name is not declared in
// the current request (clients drop tools between turns: MCP servers restarted, plan mode…).
// A permissive declaration keeps the history intact.
import type { Draft, DraftTool } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

export const PLACEHOLDER_DESCRIPTION = 'Tool used earlier in this conversation';

function placeholderTool(name: string): DraftTool {
  return { name, description: PLACEHOLDER_DESCRIPTION, schema: { type: 'object', properties: {}, additionalProperties: true } };
}

export function undeclaredToolPlaceholder(d: Draft, log: RuleLog): Draft {
  const declared = new Set(d.tools.map((t) => t.name));
  const missing = [...new Set(d.turns.flatMap((t) => t.toolUses.map((u) => u.name)))].filter((n) => !declared.has(n));
  if (missing.length === 0) return d;
  log.fire('undeclared-tool-placeholder', `declared placeholder tool(s) for names used in history: ${missing.join(', ')}`);
  return { ...d, tools: [...d.tools, ...missing.map(placeholderTool)] };
}

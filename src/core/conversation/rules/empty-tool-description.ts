// Rule empty-tool-description: Kiro rejects a blank description; "Tool: name" is what JWG sends.
import { isBlank, type Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

export function emptyToolDescription(d: Draft, log: RuleLog): Draft {
  const blank = d.tools.filter((t) => isBlank(t.description)).map((t) => t.name);
  if (blank.length === 0) return d;
  log.fire('empty-tool-description', `gave ${blank.join(', ')} a default description`);
  return { ...d, tools: d.tools.map((t) => (isBlank(t.description) ? { ...t, description: `Tool: ${t.name}` } : t)) };
}

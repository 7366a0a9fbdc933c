// Rule long-tool-description: Kiro rejects descriptions over 10,000 characters (Claude Code's
// Workflow tool is 18,780). Truncating would lose instructions the model needs, so the full text
// moves into the system prompt under `## Tool: name` and the description points there.
import type { Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';

const MAX_TOOL_DESCRIPTION_CHARS = 10_000;

export function pointerDescription(name: string): string {
  return `[Full documentation in system prompt under '## Tool: ${name}']`;
}

export function longToolDescription(d: Draft, log: RuleLog, maxChars = MAX_TOOL_DESCRIPTION_CHARS): Draft {
  const long = d.tools.filter((t) => t.description.length > maxChars);
  if (long.length === 0) return d;
  log.fire('long-tool-description', `moved the description of ${long.map((t) => `${t.name} (${t.description.length} chars)`).join(', ')} into the system text`);
  const docs = long.map((t) => `## Tool: ${t.name}\n\n${t.description}`);
  return {
    ...d,
    system: [d.system, ...docs].filter((s) => s.trim() !== '').join('\n\n'),
    tools: d.tools.map((t) => (t.description.length > maxChars ? { ...t, description: pointerDescription(t.name) } : t)),
  };
}

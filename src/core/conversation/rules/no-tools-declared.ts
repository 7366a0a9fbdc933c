// Rule no-tools-declared: Kiro rejects toolResults (and undeclared toolUses) when the request
// declares no tools. We turn the history's tool blocks into text rather than declaring
// placeholder tools: a client that offers no tools (title generation, summaries, toolChoice-free
// side requests) could not execute a call, so the model must not be invited to make one.
import { joinText, type Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';
import { toolResultAsText, toolUseAsText } from './tool-text.ts';

export function noToolsDeclared(d: Draft, log: RuleLog): Draft {
  if (d.tools.length > 0) return d;
  let count = 0;
  const turns = d.turns.map((t) => {
    if (t.toolUses.length === 0 && t.toolResults.length === 0) return t;
    count += t.toolUses.length + t.toolResults.length;
    return {
      ...t,
      text: joinText(t.text, ...t.toolUses.map(toolUseAsText), ...t.toolResults.map(toolResultAsText)),
      toolUses: [],
      toolResults: [],
    };
  });
  if (count === 0) return d;
  log.fire('no-tools-declared', `request declares no tools; turned ${count} tool call/result block(s) into text`);
  return { ...d, turns };
}

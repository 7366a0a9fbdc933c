// Rule misplaced-tool-blocks: tool calls belong to assistant turns and results to user turns.
// Anything else (hand-built histories, odd clients) is kept as text so nothing is lost.
import { joinText, type Draft } from '../draft.ts';
import type { RuleLog } from '../rule-log.ts';
import { toolResultAsText, toolUseAsText } from './tool-text.ts';

export function misplacedToolBlocks(d: Draft, log: RuleLog): Draft {
  let count = 0;
  const turns = d.turns.map((t) => {
    const stray = t.role === 'user' ? t.toolUses.map(toolUseAsText) : t.toolResults.map(toolResultAsText);
    const strayThinking = t.role === 'user' && t.thinking !== '';
    if (stray.length === 0 && !strayThinking) return t;
    count += stray.length + (strayThinking ? 1 : 0);
    return {
      ...t,
      text: joinText(t.text, ...stray),
      thinking: t.role === 'user' ? '' : t.thinking,
      toolUses: t.role === 'user' ? [] : t.toolUses,
      toolResults: t.role === 'assistant' ? [] : t.toolResults,
    };
  });
  if (count === 0) return d;
  log.fire('misplaced-tool-blocks', `turned ${count} tool/thinking block(s) in the wrong role into text`);
  return { ...d, turns };
}

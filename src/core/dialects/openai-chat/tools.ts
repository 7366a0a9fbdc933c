// Chat tools: function tools are converted. Any other type (a hosted tool such as web_search, a
// free-form `custom` tool) cannot run here: it is dropped and named, like in every dialect
// (shared/unrunnable-tools.ts).
import type { NeutralTool } from '../../conversation/types.ts';
import { convertFunctionTool } from '../shared/openai-tools.ts';
import type { IgnoredTools } from '../shared/unrunnable-tools.ts';

export function convertChatTools(tools: unknown[] | null | undefined, ignored: IgnoredTools): NeutralTool[] {
  const out: NeutralTool[] = [];
  (tools ?? []).forEach((raw, i) => {
    const tool = convertFunctionTool(raw, ['tools', i]);
    if (tool) out.push(tool);
    else {
      const r = raw as { type?: unknown; name?: unknown; custom?: { name?: unknown } };
      const name = typeof r.name === 'string' ? r.name : typeof r.custom?.name === 'string' ? r.custom.name : undefined;
      ignored.add(String(r.type), name);
    }
  });
  return out;
}

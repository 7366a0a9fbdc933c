// Chat tools: function tools only. Chat clients declare every tool themselves, so any other
// type (custom grammar tools…) is refused rather than silently dropped.
import type { NeutralTool } from '../../conversation/types.ts';
import { convertFunctionTool } from '../shared/openai-tools.ts';
import { fieldError } from '../shared/validate.ts';

export function convertChatTools(tools: unknown[] | null | undefined): NeutralTool[] {
  return (tools ?? []).map((raw, i) => {
    const tool = convertFunctionTool(raw, ['tools', i]);
    if (!tool) {
      const type = String((raw as { type?: unknown }).type);
      throw fieldError(['tools', i, 'type'], 'bracket', `tool type '${type}' is not supported; declare a function tool`);
    }
    return tool;
  });
}

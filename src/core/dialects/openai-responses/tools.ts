// Responses tools. Function tools are converted. Hosted tools (web_search, file_search,
// code_interpreter, image_generation, mcp, computer_use…) and free-form `custom` tools are
// ignored rather than refused: Codex attaches some of them routinely, and refusing would make
// every request fail. Their types are kept in extras.ignoredTools so the caller can log them.
import type { NeutralTool } from '../../conversation/types.ts';
import { convertFunctionTool } from '../shared/openai-tools.ts';

export function convertResponsesTools(tools: unknown[] | null | undefined): { tools: NeutralTool[]; ignored: string[] } {
  const out: NeutralTool[] = [];
  const ignored: string[] = [];
  (tools ?? []).forEach((raw, i) => {
    const tool = convertFunctionTool(raw, ['tools', i]);
    if (tool) out.push(tool);
    else ignored.push(String((raw as { type?: unknown }).type));
  });
  return { tools: out, ignored };
}

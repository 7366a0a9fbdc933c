// How tool blocks read once they have to become plain text (orphans, misplaced blocks, requests
// without tools). Bracketed and labelled so the model can still follow what happened, but not
// in the `[Called NAME with args: …]` form the stream assembler would re-parse as a call.
import type { DraftToolResult, DraftToolUse } from '../draft.ts';

function inputText(input: unknown): string {
  if (typeof input === 'string') return input;
  try {
    return JSON.stringify(input ?? {});
  } catch {
    return String(input);
  }
}

export function toolUseAsText(use: DraftToolUse): string {
  return `[Tool call: ${use.name.trim() || 'unnamed'} (${use.id || 'no id'})]\n${inputText(use.input)}`;
}

export function toolResultAsText(result: DraftToolResult): string {
  const label = result.isError ? 'Tool error' : 'Tool result';
  return `[${label} (${result.toolUseId || 'no id'})]\n${result.text}`;
}

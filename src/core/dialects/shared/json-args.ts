// Tool-call arguments travel as JSON text in the OpenAI dialects; the neutral form is parsed.

export type ParsedArgs = { ok: true; value: unknown } | { ok: false; reason: string };

/** Parses a tool-call `arguments` string; an empty string means "no arguments" ({}). */
export function parseToolArguments(text: string): ParsedArgs {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : 'invalid JSON' };
  }
}

/** The JSON text for a tool input (always an object or value, never undefined). */
export const stringifyInput = (input: unknown): string => JSON.stringify(input ?? {});

// One policy, every dialect, for tools the proxy cannot run: Anthropic server tools
// (web_search_*, web_fetch_*, code_execution_*, …) and OpenAI hosted tools (web_search,
// file_search, image_generation, code_interpreter, mcp, …) run on the vendor's side, and Kiro has
// no equivalent. Agents attach them routinely (Cline's Anthropic provider always sends
// web_search_20250305, Codex sends web_search), so refusing them would make the agent unusable:
// they are dropped before Kiro, named once in the log and in the `x-kiro-proxy-ignored-tools`
// response header, and refused with a clear 400 only when tool_choice forces one of them (then
// the caller explicitly wants a tool that cannot run).
import type { ProxyError } from '../../errors.ts';
import { fieldError } from './validate.ts';
import type { FieldPath, PathStyle } from './field-path.ts';

export const IGNORED_TOOLS_HEADER = 'x-kiro-proxy-ignored-tools';

/** The tools one request dropped, in order, each named once (`web_search_20250305`, `web_search (web_search_20250305)`). */
export class IgnoredTools {
  private readonly seen = new Set<string>();
  /** Names a forced tool_choice may use to point at a dropped tool → its type. */
  private readonly byName = new Map<string, string>();

  add(type: string, name?: string): void {
    const label = name && name !== type ? `${name} (${type})` : type;
    this.seen.add(label);
    this.byName.set(type, type);
    if (name) this.byName.set(name, type);
  }

  list(): string[] {
    return [...this.seen];
  }

  /** The dropped tool's type when `nameOrType` names one, else undefined. */
  typeOf(nameOrType: string): string | undefined {
    return this.byName.get(nameOrType);
  }
}

/** 400 for a tool_choice that forces a tool the proxy dropped. */
export function forcedUnrunnable(path: FieldPath, style: PathStyle, what: string, type: string): ProxyError {
  return fieldError(
    path,
    style,
    `forces '${what}' (${type}), a tool that runs on the vendor's side and that this proxy cannot run; the proxy drops such tools, so choose auto or one of your own tools`,
    'unsupported_tool_choice',
  );
}

// Tool definitions. Custom tools pass through. Anthropic's client-executed tools with fixed
// schemas (bash, text editor) become custom tools with their documented input schema, so the
// model calls them the same way and the client runs them as usual. Server tools (web search,
// web fetch, code execution, …) run on Anthropic's side; Kiro cannot run them, so they are
// dropped and named (shared/unrunnable-tools.ts), and refused only when tool_choice forces one.
import type { NeutralTool, ToolChoice } from '../../conversation/types.ts';
import { fieldError, parseAt } from '../shared/validate.ts';
import { forcedUnrunnable, IgnoredTools } from '../shared/unrunnable-tools.ts';
import { customToolSchema, toolSchema, type AnthropicRequest } from './schema.ts';

const BASH_SCHEMA = {
  type: 'object',
  properties: {
    command: { type: 'string', description: 'The bash command to run.' },
    restart: { type: 'boolean', description: 'Restart the bash session.' },
  },
};

const TEXT_EDITOR_SCHEMA = {
  type: 'object',
  properties: {
    command: { type: 'string', enum: ['view', 'create', 'str_replace', 'insert', 'undo_edit'] },
    path: { type: 'string', description: 'Absolute path to the file or directory.' },
    file_text: { type: 'string', description: 'Content for `create`.' },
    old_str: { type: 'string', description: 'Exact text to replace for `str_replace`.' },
    new_str: { type: 'string', description: 'Replacement text (`str_replace`) or text to insert (`insert`).' },
    insert_line: { type: 'integer', description: 'Line after which to insert, for `insert`.' },
    view_range: { type: 'array', items: { type: 'integer' }, description: '[start, end] lines for `view`.' },
  },
  required: ['command', 'path'],
};

function builtinTool(type: string, name: string | undefined): NeutralTool | undefined {
  if (type.startsWith('bash_')) {
    return { name: name ?? 'bash', description: 'Run commands in a persistent bash shell.', inputSchema: BASH_SCHEMA };
  }
  if (type.startsWith('text_editor_')) {
    return {
      name: name ?? 'str_replace_based_edit_tool',
      description: 'View, create and edit files: view, create, str_replace, insert (and undo_edit where supported).',
      inputSchema: TEXT_EDITOR_SCHEMA,
    };
  }
  return undefined;
}

export function convertTools(tools: unknown[] | null | undefined, ignored: IgnoredTools = new IgnoredTools()): NeutralTool[] {
  const out: NeutralTool[] = [];
  (tools ?? []).forEach((raw, i) => {
    const path = ['tools', i];
    const t = parseAt(toolSchema, raw, path, 'dot');
    if (t.type && t.type !== 'custom') {
      const builtin = builtinTool(t.type, t.name);
      if (builtin) out.push(builtin);
      else ignored.add(t.type, t.name);
      return;
    }
    const c = parseAt(customToolSchema, raw, path, 'dot');
    out.push({ name: c.name, description: c.description ?? '', inputSchema: c.input_schema });
  });
  return out;
}

export function convertToolChoice(
  choice: AnthropicRequest['tool_choice'],
  tools: readonly NeutralTool[] = [],
  ignored: IgnoredTools = new IgnoredTools(),
): ToolChoice | undefined {
  if (!choice) return undefined;
  if (choice.type === 'tool') {
    if (!choice.name) throw fieldError(['tool_choice', 'name'], 'dot', 'required when type is "tool"');
    const dropped = ignored.typeOf(choice.name);
    if (dropped && !tools.some((t) => t.name === choice.name)) throw forcedUnrunnable(['tool_choice', 'name'], 'dot', choice.name, dropped);
    return { type: 'tool', name: choice.name };
  }
  return { type: choice.type };
}

// Responses tools → Kiro tools, and the table that turns Kiro's tool calls back into what the
// client declared.
//
// - `function` tools are converted as they are.
// - `namespace` tools (Codex 0.171+: `{"type":"namespace","name":"multi_agent_v1","tools":[…]}`)
//   are flattened: Kiro has no namespaces. A nested tool keeps its own name unless another tool
//   of the request has the same one; then it becomes `<namespace>__<name>`. Its calls go back as
//   `function_call` items carrying `"namespace"`, which Codex needs to route them, and the
//   echoed field in the next request's input is read back through the same table.
// - free-form `custom` tools (raw text input, optionally a grammar) become a function with one
//   string argument `input`; their calls go back as `custom_tool_call` items with that text.
// - hosted tools (web_search, file_search, image_generation, code_interpreter, mcp, …) cannot run
//   here: dropped and named (shared/unrunnable-tools.ts).
//
// Tools may also arrive inside an `additional_tools` input item (Codex's default model setup);
// they are declared exactly like top-level ones.
import * as z from 'zod';
import type { NeutralTool } from '../../conversation/types.ts';
import { convertFunctionTool } from '../shared/openai-tools.ts';
import type { IgnoredTools } from '../shared/unrunnable-tools.ts';
import { parseAt } from '../shared/validate.ts';
import type { FieldPath } from '../shared/field-path.ts';

/** What the client declared behind one Kiro tool name (only tools that need more than their name). */
interface ClientTool {
  name: string;
  namespace?: string;
  /** A free-form tool: its call is a custom_tool_call whose `input` is the text. */
  custom?: boolean;
}

/** Kiro tool name → the client's tool, for namespaced and custom tools. */
type ResponsesToolTable = Record<string, ClientTool>;

export interface ResponsesTools {
  tools: NeutralTool[];
  table: ResponsesToolTable;
}

/** The separator of a flattened `<namespace>__<name>`, used only when names collide. */
const NS_SEPARATOR = '__';

const namespaceTool = z.looseObject({ name: z.string().min(1), description: z.string().nullish(), tools: z.array(z.unknown()) });
const customTool = z.looseObject({
  name: z.string().min(1),
  description: z.string().nullish(),
  format: z.looseObject({ type: z.string().nullish(), syntax: z.string().nullish(), definition: z.string().nullish() }).nullish(),
});

type Candidate = { tool: NeutralTool; namespace?: string; custom: boolean };

function customFunction(raw: unknown, path: FieldPath): NeutralTool {
  const c = parseAt(customTool, raw, path, 'bracket');
  const f = c.format;
  const grammar = f?.type === 'grammar' && f.definition ? ` It must follow this ${f.syntax ?? ''} grammar:\n${f.definition}` : '';
  return {
    name: c.name,
    description: `${c.description ?? ''}\n\nThis tool takes free-form text: pass it whole as the string argument "input".${grammar}`.trim(),
    inputSchema: {
      type: 'object',
      properties: { input: { type: 'string', description: 'The raw input of this tool.' } },
      required: ['input'],
    },
  };
}

function collect(raw: unknown, path: FieldPath, namespace: string | undefined, out: Candidate[], ignored: IgnoredTools): void {
  const type = (raw as { type?: unknown } | null)?.type;
  if (type === 'namespace' && namespace === undefined) {
    const ns = parseAt(namespaceTool, raw, path, 'bracket');
    ns.tools.forEach((inner, j) => collect(inner, [...path, 'tools', j], ns.name, out, ignored));
    return;
  }
  if (type === 'custom') {
    out.push({ tool: customFunction(raw, path), ...(namespace !== undefined ? { namespace } : {}), custom: true });
    return;
  }
  const fn = convertFunctionTool(raw, path);
  if (fn) {
    out.push({ tool: fn, ...(namespace !== undefined ? { namespace } : {}), custom: false });
    return;
  }
  const name = (raw as { name?: unknown } | null)?.name;
  ignored.add(String(type), typeof name === 'string' ? name : undefined);
}

/** The Kiro name of a namespaced tool: its own name unless `taken` says another tool has it. */
function flatName(name: string, namespace: string | undefined, taken: (name: string) => boolean): string {
  return namespace !== undefined && taken(name) ? `${namespace}${NS_SEPARATOR}${name}` : name;
}

/** `declared` is the request's `tools` followed by the tools of its `additional_tools` items, each with its path. */
export function convertResponsesTools(declared: { raw: unknown; path: FieldPath }[], ignored: IgnoredTools): ResponsesTools {
  const candidates: Candidate[] = [];
  for (const d of declared) collect(d.raw, d.path, undefined, candidates, ignored);
  const count = new Map<string, number>();
  for (const c of candidates) count.set(c.tool.name, (count.get(c.tool.name) ?? 0) + 1);
  const tools: NeutralTool[] = [];
  const table: ResponsesToolTable = {};
  for (const c of candidates) {
    const name = flatName(c.tool.name, c.namespace, (n) => (count.get(n) ?? 0) > 1);
    tools.push(name === c.tool.name ? c.tool : { ...c.tool, name });
    if (c.namespace !== undefined || c.custom) {
      table[name] = { name: c.tool.name, ...(c.namespace !== undefined ? { namespace: c.namespace } : {}), ...(c.custom ? { custom: true } : {}) };
    }
  }
  return { tools, table };
}

/** The Kiro name for a call the client echoes back (`function_call` with its `namespace`). */
export function kiroToolName(declared: ResponsesTools, name: string, namespace: string | null | undefined): string {
  if (namespace == null) return name;
  for (const [kiro, t] of Object.entries(declared.table)) if (t.name === name && t.namespace === namespace) return kiro;
  // No longer declared: keep it apart from a declared tool of the same name.
  return declared.tools.some((t) => t.name === name) ? `${namespace}${NS_SEPARATOR}${name}` : name;
}

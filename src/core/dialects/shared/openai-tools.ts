// Function tools and tool_choice as both OpenAI APIs spell them: Chat nests the function
// (`{type:"function", function:{name,…}}`), Responses is flat (`{type:"function", name,…}`).
// Both forms are accepted by both dialects because clients mix them up.
import * as z from 'zod';
import type { NeutralTool, ToolChoice } from '../../conversation/types.ts';
import type { FieldPath } from './field-path.ts';
import { fieldError, parseAt } from './validate.ts';
import { forcedUnrunnable, IgnoredTools } from './unrunnable-tools.ts';

const EMPTY_SCHEMA = { type: 'object', properties: {} };

const nested = z.looseObject({
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
  }),
});

const flat = z.looseObject({
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
});

/** A function tool in either form; undefined when `type` names another kind of tool. */
export function convertFunctionTool(raw: unknown, path: FieldPath): NeutralTool | undefined {
  const head = parseAt(z.looseObject({ type: z.string().nullish() }), raw, path, 'bracket');
  if (head.type != null && head.type !== 'function') return undefined;
  const hasNested = typeof raw === 'object' && raw !== null && 'function' in raw;
  const f = hasNested ? parseAt(nested, raw, path, 'bracket').function : parseAt(flat, raw, path, 'bracket');
  return { name: f.name, description: f.description ?? '', inputSchema: f.parameters ?? EMPTY_SCHEMA };
}

const choiceObject = z.looseObject({
  type: z.string(),
  function: z.looseObject({ name: z.string().min(1) }).optional(),
  name: z.string().optional(),
});

/**
 * `auto`/`none`/`required`, or a named function or custom tool. `allowed_tools` has no Kiro
 * equivalent and falls back to auto (the model still sees only the tools we send). A choice that
 * forces a hosted tool (`{type:"web_search"}`…) or a tool the dialect dropped is refused: that
 * tool cannot run here (shared/unrunnable-tools.ts).
 */
export function convertToolChoice(raw: unknown, ignored: IgnoredTools = new IgnoredTools()): ToolChoice | undefined {
  if (raw == null) return undefined;
  if (raw === 'auto') return { type: 'auto' };
  if (raw === 'none') return { type: 'none' };
  if (raw === 'required') return { type: 'any' };
  if (typeof raw === 'string') throw fieldError(['tool_choice'], 'bracket', `unknown value '${raw}'; use auto, none, required or a function`);
  const c = parseAt(choiceObject, raw, ['tool_choice'], 'bracket');
  if (c.type === 'function' || c.type === 'custom') {
    const name = c.function?.name ?? c.name;
    if (!name) throw fieldError(['tool_choice', 'function', 'name'], 'bracket', `required for a ${c.type} tool choice`);
    const dropped = ignored.typeOf(name);
    if (dropped) throw forcedUnrunnable(['tool_choice'], 'bracket', name, dropped);
    return { type: 'tool', name };
  }
  if (c.type === 'allowed_tools') return { type: 'auto' };
  throw forcedUnrunnable(['tool_choice', 'type'], 'bracket', c.type, c.type);
}

// Responses `input` items → system text + neutral turns. Items are finer-grained than turns
// (a message, then each function_call, then each output), so consecutive items of the same
// role are merged into one turn.
import type { NeutralBlock, NeutralMessage } from '../../conversation/types.ts';
import type { FieldPath } from '../shared/field-path.ts';
import { imageFromUrl } from '../shared/image-url.ts';
import { parseToolArguments } from '../shared/json-args.ts';
import { fieldError, parseAt } from '../shared/validate.ts';
import { customToolCallItem, functionCallItem, functionCallOutputItem, imagePart, messageItem, refusalPart, textPart } from './schema.ts';
import { kiroToolName, type ResponsesTools } from './tools.ts';

type Part = { type: string } & Record<string, unknown>;
type Image = { mediaType: string; data: string };

// Hosted tools ran on OpenAI's side; their call records need no answer, so dropping them keeps
// the conversation valid. Reasoning items are opaque to Kiro. `additional_tools` items declare
// tools (read by parse.ts with the top-level ones), they are not turns.
const IGNORED_ITEMS = new Set([
  'reasoning',
  'web_search_call',
  'file_search_call',
  'image_generation_call',
  'code_interpreter_call',
  'compaction',
  'additional_tools',
]);

/** The tools declared by `additional_tools` input items (Codex's default model setup), with their paths. */
export function additionalTools(input: unknown): { raw: unknown; path: (string | number)[] }[] {
  if (!Array.isArray(input)) return [];
  const out: { raw: unknown; path: (string | number)[] }[] = [];
  input.forEach((item, i) => {
    const it = item as { type?: unknown; tools?: unknown } | null;
    if (it?.type !== 'additional_tools') return;
    if (!Array.isArray(it.tools)) throw fieldError(['input', i, 'tools'], 'bracket', 'must be an array of tools');
    it.tools.forEach((raw, j) => out.push({ raw, path: ['input', i, 'tools', j] }));
  });
  return out;
}

function image(part: Part, path: FieldPath): Image {
  const p = parseAt(imagePart, part, path, 'bracket');
  if (!p.image_url)
    throw fieldError([...path, 'file_id'], 'bracket', 'file ids are not supported (the proxy stores no files); send image_url as a base64 data URL');
  return imageFromUrl(p.image_url, [...path, 'image_url']);
}

function partText(part: Part, path: FieldPath): string | undefined {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
    case 'summary_text':
      return parseAt(textPart, part, path, 'bracket').text;
    case 'refusal':
      return parseAt(refusalPart, part, path, 'bracket').refusal;
    default:
      return undefined;
  }
}

function messageBlocks(content: string | Part[], role: 'user' | 'assistant', path: FieldPath): NeutralBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, j): NeutralBlock => {
    const p = [...path, j];
    const text = partText(part, p);
    if (text !== undefined) return { type: 'text', text };
    if (part.type === 'input_image' && role === 'user') return { type: 'image', ...image(part, p) };
    throw fieldError([...p, 'type'], 'bracket', `content part type '${part.type}' is not supported here (Kiro accepts text and images)`);
  });
}

function systemText(content: string | Part[], path: FieldPath): string {
  if (typeof content === 'string') return content;
  return content
    .map((part, j) => {
      const text = partText(part, [...path, j]);
      if (text === undefined) throw fieldError([...path, j, 'type'], 'bracket', `only text parts are allowed in system/developer messages, got '${part.type}'`);
      return text;
    })
    .join('\n');
}

function toolOutput(output: string | Part[], callId: string, path: FieldPath): NeutralBlock {
  const texts: string[] = [];
  const images: Image[] = [];
  if (typeof output === 'string') texts.push(output);
  else {
    output.forEach((part, j) => {
      const p = [...path, j];
      const text = partText(part, p);
      if (text !== undefined) texts.push(text);
      else if (part.type === 'input_image') images.push(image(part, p));
      else throw fieldError([...p, 'type'], 'bracket', `output part type '${part.type}' is not supported`);
    });
  }
  const block: NeutralBlock = { type: 'tool_result', toolUseId: callId, content: texts.join('\n'), isError: false };
  if (images.length) block.images = images;
  return block;
}

export function convertInput(
  input: string | { type?: string | null }[] | null | undefined,
  declared: ResponsesTools = { tools: [], table: {} },
): { system: string[]; messages: NeutralMessage[] } {
  const system: string[] = [];
  const messages: NeutralMessage[] = [];
  const add = (role: 'user' | 'assistant', blocks: NeutralBlock[]) => {
    const last = messages[messages.length - 1];
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  if (input == null) return { system, messages };
  if (typeof input === 'string') {
    add('user', [{ type: 'text', text: input }]);
    return { system, messages };
  }
  input.forEach((item, i) => {
    const path = ['input', i];
    const type = item.type ?? 'message';
    switch (type) {
      case 'message': {
        const m = parseAt(messageItem, item, path, 'bracket');
        const content = m.content;
        if (m.role === 'system' || m.role === 'developer') {
          const text = systemText(content, [...path, 'content']);
          if (text) system.push(text);
        } else add(m.role, messageBlocks(content, m.role, [...path, 'content']));
        return;
      }
      case 'function_call': {
        const c = parseAt(functionCallItem, item, path, 'bracket');
        const args = parseToolArguments(c.arguments);
        if (!args.ok) throw fieldError([...path, 'arguments'], 'bracket', `is not valid JSON (${args.reason})`, 'invalid_tool_arguments');
        add('assistant', [{ type: 'tool_use', id: c.call_id, name: kiroToolName(declared, c.name, c.namespace), input: args.value }]);
        return;
      }
      case 'function_call_output': {
        const o = parseAt(functionCallOutputItem, item, path, 'bracket');
        add('user', [toolOutput(o.output, o.call_id, [...path, 'output'])]);
        return;
      }
      case 'custom_tool_call': {
        // Free-form tool input has no JSON shape; keep it as {input} so the turn stays paired.
        const c = parseAt(customToolCallItem, item, path, 'bracket');
        add('assistant', [{ type: 'tool_use', id: c.call_id, name: kiroToolName(declared, c.name, c.namespace), input: { input: c.input } }]);
        return;
      }
      case 'custom_tool_call_output': {
        // A custom tool's output has the function_call_output shape.
        const o = parseAt(functionCallOutputItem, item, path, 'bracket');
        add('user', [toolOutput(o.output, o.call_id, [...path, 'output'])]);
        return;
      }
      case 'item_reference':
        throw fieldError(
          [...path, 'type'],
          'bracket',
          'item references are not supported: this proxy is stateless and stores no items; send the items themselves',
          'stateless',
        );
      default:
        if (IGNORED_ITEMS.has(type)) return;
        throw fieldError([...path, 'type'], 'bracket', `input item type '${type}' is not supported`);
    }
  });
  return { system, messages };
}

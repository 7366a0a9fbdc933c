// Chat messages → system text + neutral turns. System and developer messages (wherever they
// appear) become system text; a run of tool messages becomes one user turn of tool results.
import type { NeutralBlock, NeutralMessage } from '../../conversation/types.ts';
import type { FieldPath } from '../shared/field-path.ts';
import { imageFromUrl } from '../shared/image-url.ts';
import { parseToolArguments } from '../shared/json-args.ts';
import { fieldError, parseAt } from '../shared/validate.ts';
import { assistantExtras, imagePart, messageSchema, textPart, toolCallSchema, toolMessageSchema } from './schema.ts';

type Part = { type: string } & Record<string, unknown>;
type Image = { mediaType: string; data: string };

function imageOf(part: Part, path: FieldPath): Image {
  const p = parseAt(imagePart, part, path, 'bracket');
  const url = typeof p.image_url === 'string' ? p.image_url : p.image_url.url;
  return imageFromUrl(url, [...path, 'image_url']);
}

function textOf(part: Part, path: FieldPath): string {
  return parseAt(textPart, part, path, 'bracket').text;
}

/** Text-only content (system, developer): parts joined by newlines. */
function plainText(content: string | Part[] | null | undefined, path: FieldPath): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part, j) => {
      if (part.type !== 'text') throw fieldError([...path, j, 'type'], 'bracket', `only text parts are allowed here, got '${part.type}'`);
      return textOf(part, [...path, j]);
    })
    .join('\n');
}

function userBlocks(content: string | Part[] | null | undefined, path: FieldPath): NeutralBlock[] {
  if (content == null) throw fieldError(path, 'bracket', 'required for user messages');
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, j): NeutralBlock => {
    const p = [...path, j];
    switch (part.type) {
      case 'text':
        return { type: 'text', text: textOf(part, p) };
      case 'image_url':
        return { type: 'image', ...imageOf(part, p) };
      default:
        throw fieldError([...p, 'type'], 'bracket', `content part type '${part.type}' is not supported (Kiro accepts text and images)`);
    }
  });
}

function assistantBlocks(raw: unknown, content: string | Part[] | null | undefined, path: FieldPath): NeutralBlock[] {
  const extras = parseAt(assistantExtras, raw, path, 'bracket');
  const blocks: NeutralBlock[] = [];
  // Some clients echo the reasoning extension back; keep it as prior thinking.
  if (extras.reasoning_content) blocks.push({ type: 'thinking', text: extras.reasoning_content });
  if (typeof content === 'string') {
    if (content) blocks.push({ type: 'text', text: content });
  } else if (content) {
    content.forEach((part, j) => {
      const p = [...path, 'content', j];
      if (part.type === 'text') blocks.push({ type: 'text', text: textOf(part, p) });
      else if (part.type === 'refusal' && typeof part.refusal === 'string') blocks.push({ type: 'text', text: part.refusal });
      else throw fieldError([...p, 'type'], 'bracket', `content part type '${part.type}' is not supported in assistant messages`);
    });
  }
  (extras.tool_calls ?? []).forEach((rawCall, k) => {
    const p = [...path, 'tool_calls', k];
    const call = parseAt(toolCallSchema, rawCall, p, 'bracket');
    const args = parseToolArguments(call.function.arguments ?? '');
    if (!args.ok) throw fieldError([...p, 'function', 'arguments'], 'bracket', `is not valid JSON (${args.reason})`, 'invalid_tool_arguments');
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: args.value });
  });
  if ((raw as { function_call?: unknown }).function_call != null && !extras.tool_calls?.length) {
    throw fieldError([...path, 'function_call'], 'bracket', 'the legacy function_call field is not supported; use tool_calls');
  }
  return blocks;
}

type ToolResultBlock = Extract<NeutralBlock, { type: 'tool_result' }>;

function toolResult(raw: unknown, content: string | Part[] | null | undefined, path: FieldPath): ToolResultBlock {
  const m = parseAt(toolMessageSchema, raw, path, 'bracket');
  const texts: string[] = [];
  const images: Image[] = [];
  if (typeof content === 'string') texts.push(content);
  else if (content) {
    content.forEach((part, j) => {
      const p = [...path, 'content', j];
      if (part.type === 'text') texts.push(textOf(part, p));
      else if (part.type === 'image_url') images.push(imageOf(part, p));
      else throw fieldError([...p, 'type'], 'bracket', `content part type '${part.type}' is not supported in tool messages`);
    });
  }
  const block: ToolResultBlock = { type: 'tool_result', toolUseId: m.tool_call_id, content: texts.join('\n'), isError: false };
  if (images.length) block.images = images;
  return block;
}

export function convertChatMessages(raw: unknown[]): { system: string; messages: NeutralMessage[] } {
  const system: string[] = [];
  const messages: NeutralMessage[] = [];
  raw.forEach((value, i) => {
    const path = ['messages', i];
    const m = parseAt(messageSchema, value, path, 'bracket');
    const content = m.content;
    switch (m.role) {
      case 'system':
      case 'developer': {
        const text = plainText(content, [...path, 'content']);
        if (text) system.push(text);
        return;
      }
      case 'user':
        messages.push({ role: 'user', content: userBlocks(content, [...path, 'content']) });
        return;
      case 'assistant':
        messages.push({ role: 'assistant', content: assistantBlocks(value, content, path) });
        return;
      case 'tool': {
        const block = toolResult(value, content, path);
        const prev = messages[messages.length - 1];
        // Consecutive tool messages answer one assistant turn: one user turn of results.
        if (prev?.role === 'user' && prev.content.every((b) => b.type === 'tool_result')) prev.content.push(block);
        else messages.push({ role: 'user', content: [block] });
        return;
      }
      case 'function':
        throw fieldError([...path, 'role'], 'bracket', "legacy 'function' messages are not supported; use 'tool' messages with tool_call_id");
      default:
        throw fieldError([...path, 'role'], 'bracket', `unknown role '${m.role}'`);
    }
  });
  return { system: system.join('\n\n'), messages };
}

// Anthropic content blocks → neutral blocks, one block type at a time so every refusal names
// the exact field (`messages.3.content.1.source: …`).
import type { NeutralBlock } from '../../conversation/types.ts';
import type { FieldPath } from '../shared/field-path.ts';
import { fieldError, parseAt } from '../shared/validate.ts';
import { base64Source, documentBlock, imageSource, redactedThinkingBlock, textBlock, thinkingBlock, toolResultBlock, toolUseBlock } from './schema.ts';

type Role = 'user' | 'assistant';
type Image = { mediaType: string; data: string };

// Blocks produced by Anthropic's own server tools; they only exist in histories of requests
// that used server tools, which this proxy cannot run.
const SERVER_BLOCKS = /^(server_tool_use|.*_tool_result|container_upload|mcp_tool_use)$/;

function image(block: unknown, path: FieldPath): Image {
  const source = parseAt(imageSource, (block as { source?: unknown }).source, [...path, 'source'], 'dot');
  if (source.type === 'base64') {
    const b = parseAt(base64Source, source, [...path, 'source'], 'dot');
    return { mediaType: b.media_type, data: b.data };
  }
  if (source.type === 'url') throw fieldError([...path, 'source'], 'dot', 'url images are not supported; send base64');
  throw fieldError([...path, 'source', 'type'], 'dot', `image source '${source.type}' is not supported; send base64`);
}

/** A document block is accepted only when it carries plain text (which becomes text). */
function documentText(block: unknown, path: FieldPath): string {
  const doc = parseAt(documentBlock, block, path, 'dot');
  const source = doc.source as Record<string, unknown>;
  let text: string | undefined;
  if (source.type === 'text' && typeof source.data === 'string') text = source.data;
  else if (source.type === 'content') {
    const c = source.content;
    if (typeof c === 'string') text = c;
    else if (Array.isArray(c)) text = c.map((b, i) => parseAt(textBlock, b, [...path, 'source', 'content', i], 'dot').text).join('\n');
  }
  if (text === undefined) {
    throw fieldError(
      [...path, 'source'],
      'dot',
      `document source '${String(source.type)}' is not supported (Kiro takes no PDFs or files); send the text instead`,
    );
  }
  return doc.title ? `${doc.title}\n\n${text}` : text;
}

function toolResult(block: unknown, path: FieldPath): NeutralBlock {
  const r = parseAt(toolResultBlock, block, path, 'dot');
  const texts: string[] = [];
  const images: Image[] = [];
  if (typeof r.content === 'string') texts.push(r.content);
  else if (r.content) {
    r.content.forEach((part, i) => {
      const p = [...path, 'content', i];
      switch (part.type) {
        case 'text':
          texts.push(parseAt(textBlock, part, p, 'dot').text);
          return;
        case 'image':
          images.push(image(part, p));
          return;
        case 'document':
          texts.push(documentText(part, p));
          return;
        case 'tool_reference':
          return; // tool-search bookkeeping: carries nothing the model needs to read.
        default:
          if (typeof part.text === 'string') texts.push(part.text);
          else throw fieldError([...p, 'type'], 'dot', `unsupported tool_result content type '${part.type}'`);
      }
    });
  }
  const out: NeutralBlock = { type: 'tool_result', toolUseId: r.tool_use_id, content: texts.join('\n'), isError: r.is_error === true };
  if (images.length) out.images = images;
  return out;
}

/** One content block of a user or assistant message. */
export function convertBlock(block: { type: string }, role: Role, path: FieldPath): NeutralBlock {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: parseAt(textBlock, block, path, 'dot').text };
    case 'image':
      return { type: 'image', ...image(block, path) };
    case 'document':
      return { type: 'text', text: documentText(block, path) };
    case 'tool_use': {
      if (role !== 'assistant') throw fieldError([...path, 'type'], 'dot', 'tool_use blocks belong in assistant messages');
      const t = parseAt(toolUseBlock, block, path, 'dot');
      return { type: 'tool_use', id: t.id, name: t.name, input: t.input ?? {} };
    }
    case 'tool_result':
      if (role !== 'user') throw fieldError([...path, 'type'], 'dot', 'tool_result blocks belong in user messages');
      return toolResult(block, path);
    case 'thinking': {
      const t = parseAt(thinkingBlock, block, path, 'dot');
      return t.signature ? { type: 'thinking', text: t.thinking, signature: t.signature } : { type: 'thinking', text: t.thinking };
    }
    case 'redacted_thinking': {
      // The encrypted payload rides in `signature` so nothing the client sent is lost.
      const t = parseAt(redactedThinkingBlock, block, path, 'dot');
      return { type: 'thinking', text: '', signature: t.data };
    }
    default:
      if (SERVER_BLOCKS.test(block.type)) {
        throw fieldError([...path, 'type'], 'dot', `'${block.type}' blocks come from Anthropic server tools, which this proxy cannot run`);
      }
      throw fieldError([...path, 'type'], 'dot', `unsupported content block type '${block.type}'`);
  }
}

// NeutralRequest → Draft: a faithful copy in the normaliser's working shape. Nothing is repaired
// here except what cannot be represented (images are validated and canonicalised on the way).
import type { NeutralMessage, NeutralRequest } from './types.ts';
import { joinText, turn, type Draft, type DraftTurn } from './draft.ts';
import { toDraftImage } from './rules/image-format.ts';

function toDraftTurn(msg: NeutralMessage, index: number): DraftTurn {
  const t = turn(msg.role);
  const texts: string[] = [];
  const thinking: string[] = [];
  msg.content.forEach((block, b) => {
    const where = `messages[${index}].content[${b}]`;
    switch (block.type) {
      case 'text':
        texts.push(block.text);
        break;
      case 'image':
        if (msg.role === 'user') t.images.push(toDraftImage(block.mediaType, block.data, where));
        else texts.push('[image omitted]'); // Kiro assistant messages carry no images
        break;
      case 'tool_use':
        t.toolUses.push({ id: block.id, name: block.name, input: block.input });
        break;
      case 'tool_result':
        t.toolResults.push({
          toolUseId: block.toolUseId,
          text: block.content,
          isError: block.isError,
          images: (block.images ?? []).map((img, i) => toDraftImage(img.mediaType, img.data, `${where}.images[${i}]`)),
        });
        break;
      case 'thinking':
        thinking.push(block.text);
        break;
    }
  });
  t.text = joinText(...texts);
  t.thinking = joinText(...thinking);
  return t;
}

export function toDraft(req: NeutralRequest): Draft {
  return {
    system: req.system,
    turns: req.messages.map(toDraftTurn),
    tools: req.tools.map((tool) => ({ name: tool.name, description: tool.description, schema: tool.inputSchema })),
    thinking: req.thinking,
  };
}

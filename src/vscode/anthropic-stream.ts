// Reads an Anthropic Messages SSE stream into text and complete tool calls. Pure (fetch body in,
// callbacks out), so the chat provider stays thin.
import { createParser } from 'eventsource-parser';

export interface StreamSink {
  text(delta: string): void;
  toolCall(id: string, name: string, input: object): void;
}

interface Block {
  type: string;
  id?: string;
  name?: string;
  json: string;
}

export async function readAnthropicStream(body: ReadableStream<Uint8Array>, sink: StreamSink): Promise<void> {
  const blocks = new Map<number, Block>();
  let failure: Error | undefined;
  const parser = createParser({
    onEvent(msg) {
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(msg.data) as Record<string, unknown>;
      } catch {
        return;
      }
      const index = typeof data['index'] === 'number' ? data['index'] : -1;
      switch (data['type']) {
        case 'content_block_start': {
          const cb = (data['content_block'] ?? {}) as { type?: string; id?: string; name?: string; text?: string };
          blocks.set(index, { type: cb.type ?? 'text', id: cb.id, name: cb.name, json: '' });
          if (cb.type === 'text' && cb.text) sink.text(cb.text);
          break;
        }
        case 'content_block_delta': {
          const d = (data['delta'] ?? {}) as { type?: string; text?: string; partial_json?: string };
          if (d.type === 'text_delta' && d.text) sink.text(d.text);
          else if (d.type === 'input_json_delta' && d.partial_json) {
            const b = blocks.get(index);
            if (b) b.json += d.partial_json;
          }
          break;
        }
        case 'content_block_stop': {
          const b = blocks.get(index);
          if (b?.type === 'tool_use' && b.id && b.name) {
            let input: object;
            try {
              input = b.json ? (JSON.parse(b.json) as object) : {};
            } catch {
              input = {};
            }
            sink.toolCall(b.id, b.name, input);
          }
          blocks.delete(index);
          break;
        }
        case 'error': {
          const e = (data['error'] ?? {}) as { message?: string; type?: string };
          failure = new Error(e.message ?? e.type ?? 'the proxy reported an error');
          break;
        }
      }
    },
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      if (failure) break;
    }
    parser.feed(decoder.decode());
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (failure) throw failure;
}

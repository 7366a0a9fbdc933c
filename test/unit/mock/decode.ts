// Decodes mock output with the project's own EventStreamDecoder, chunk by chunk as received.
import { EventStreamDecoder, headerString, type EventStreamMessage } from '../../../src/core/kiro/frame-decoder.ts';
import { toKiroEvent, type KiroEvent } from '../../../src/core/kiro/kiro-event.ts';

export function decodeChunks(chunks: Iterable<Uint8Array>): { messages: EventStreamMessage[]; events: KiroEvent[] } {
  const decoder = new EventStreamDecoder();
  const messages: EventStreamMessage[] = [];
  for (const c of chunks) messages.push(...decoder.push(c));
  decoder.end();
  return { messages, events: messages.map(toKiroEvent) };
}

export const eventTypes = (messages: EventStreamMessage[]) =>
  messages.map((m) => headerString(m, ':event-type') ?? headerString(m, ':exception-type') ?? headerString(m, ':error-code'));

/** Text of all assistantResponse events joined. */
export const textOf = (events: KiroEvent[]) => events.map((e) => (e.type === 'assistantResponse' ? e.content : '')).join('');

/** Tool calls assembled the way the proxy must: fragments concatenated per id until stop. */
export function toolCallsOf(events: KiroEvent[]): { toolUseId: string; name: string; input: string; stopped: boolean }[] {
  const calls = new Map<string, { toolUseId: string; name: string; input: string; stopped: boolean }>();
  const order: { toolUseId: string; name: string; input: string; stopped: boolean }[] = [];
  for (const e of events) {
    if (e.type !== 'toolUse') continue;
    let c = calls.get(e.toolUseId);
    if (!c || c.stopped) {
      c = { toolUseId: e.toolUseId, name: e.name, input: '', stopped: false };
      calls.set(e.toolUseId, c);
      order.push(c);
    }
    if (e.input !== undefined) c.input += e.input;
    if (e.stop) c.stopped = true;
  }
  return order;
}

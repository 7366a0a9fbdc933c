// The lazy, single-use event iterable over a 200 generateAssistantResponse body.
import { EventStreamDecoder } from './event-stream.ts';
import { toKiroEvent, type KiroEvent } from './events.ts';
import type { ResponseBody } from './http-body.ts';
import { streamFailure } from './transport-error.ts';

async function* decode(body: ResponseBody, signal: AbortSignal, requestId: string | undefined): AsyncGenerator<KiroEvent, void, undefined> {
  const decoder = new EventStreamDecoder();
  try {
    for await (const chunk of body) {
      for (const msg of decoder.push(chunk)) yield toKiroEvent(msg);
    }
    // A frame cut off by EOF is a broken stream, not a short answer.
    decoder.end();
  } catch (err) {
    throw streamFailure(err, signal, requestId);
  } finally {
    body.destroy();
  }
}

/**
 * Nothing is read until the first `next()`. Breaking out of the loop (or calling `return()`,
 * even before the first `next()`) destroys the body, which closes the connection; so does the
 * request's abort signal, via undici.
 */
export function kiroEventsFromBody(body: ResponseBody, signal: AbortSignal, requestId: string | undefined): AsyncIterable<KiroEvent> {
  let taken = false;
  return {
    [Symbol.asyncIterator](): AsyncIterator<KiroEvent, void, undefined> {
      if (taken) throw new Error('a Kiro event stream can be iterated only once');
      taken = true;
      const gen = decode(body, signal, requestId);
      return {
        next: () => gen.next(),
        return: async () => {
          // A generator that never started skips its finally; destroy here so it cannot leak.
          body.destroy();
          return gen.return(undefined);
        },
      };
    },
  };
}

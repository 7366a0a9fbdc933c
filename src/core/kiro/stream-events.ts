// The lazy, single-use event iterable over a 200 generateAssistantResponse body.
//
// Hand-written rather than an async generator: a body chunk holds hundreds of frames, and a
// generator pays a suspension and several promises for every one of them. Here the events of a
// chunk are decoded together and handed out from a queue, one already-resolved promise each.
import { EventStreamDecoder } from './event-stream.ts';
import { toKiroEvent, type KiroEvent } from './events.ts';
import type { ResponseBody } from './http-body.ts';
import { streamFailure } from './transport-error.ts';

const DONE: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });

class KiroEventIterator implements AsyncIterator<KiroEvent, void, undefined> {
  private readonly decoder = new EventStreamDecoder();
  private source: AsyncIterator<Uint8Array> | undefined;
  private queue: KiroEvent[] = [];
  private next_ = 0;
  private finished = false;
  /** The read in progress, so a second next() waits for it instead of reading concurrently. */
  private reading: Promise<IteratorResult<KiroEvent, void>> | undefined;
  private readonly body: ResponseBody;
  private readonly signal: AbortSignal;
  private readonly requestId: string | undefined;

  constructor(body: ResponseBody, signal: AbortSignal, requestId: string | undefined) {
    this.body = body;
    this.signal = signal;
    this.requestId = requestId;
  }

  next(): Promise<IteratorResult<KiroEvent, void>> {
    if (this.next_ < this.queue.length) return Promise.resolve({ done: false, value: this.queue[this.next_++]! });
    if (this.finished) return Promise.resolve(DONE);
    if (this.reading) return this.reading.then(() => this.next());
    this.reading = this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  return(): Promise<IteratorResult<KiroEvent, void>> {
    this.finish();
    return Promise.resolve(DONE);
  }

  private async read(): Promise<IteratorResult<KiroEvent, void>> {
    try {
      this.source ??= this.body[Symbol.asyncIterator]();
      for (;;) {
        const r = await this.source.next();
        if (this.finished) return DONE;
        if (r.done) {
          // A frame cut off by EOF is a broken stream, not a short answer.
          this.decoder.end();
          this.finish();
          return DONE;
        }
        const messages = this.decoder.push(r.value);
        if (messages.length === 0) continue;
        const events = new Array<KiroEvent>(messages.length);
        for (let i = 0; i < messages.length; i++) events[i] = toKiroEvent(messages[i]!);
        this.queue = events;
        this.next_ = 1;
        return { done: false, value: events[0]! };
      }
    } catch (err) {
      this.finish();
      throw streamFailure(err, this.signal, this.requestId);
    }
  }

  private finish(): void {
    this.finished = true;
    this.queue = [];
    this.next_ = 0;
    // A no-op after a clean end; otherwise it closes the connection instead of draining it.
    this.body.destroy();
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
      return new KiroEventIterator(body, signal, requestId);
    },
  };
}

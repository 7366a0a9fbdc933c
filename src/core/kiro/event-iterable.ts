// The lazy, single-use event iterable over a 200 generateAssistantResponse body.
//
// Hand-written rather than an async generator: a body chunk holds hundreds of frames, and a
// generator pays a suspension and several promises for every one of them. Here the events of a
// chunk are decoded together and handed out from a queue, one already-resolved promise each.
// The body is pulled with paused-mode read() rather than its async iterator, which costs an
// end-of-stream tracker, a generator and a dozen closures per response (memory per open stream).
import { EventStreamDecoder } from './frame-decoder.ts';
import { toKiroEvent, type KiroEvent } from './kiro-event.ts';
import type { ResponseBody } from './http-body.ts';
import { streamFailure } from './transport-error.ts';

const DONE: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });

class KiroEventIterator implements AsyncIterator<KiroEvent, void, undefined> {
  private readonly decoder = new EventStreamDecoder();
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
      for (;;) {
        const chunk = this.body.read() ?? (await this.chunkOrEnd());
        if (this.finished) return DONE;
        if (chunk === null) {
          // A frame cut off by EOF is a broken stream, not a short answer.
          this.decoder.end();
          this.finish();
          return DONE;
        }
        const messages = this.decoder.push(chunk);
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

  /** Waits until the body has data, ended (null) or failed (throws). */
  private async chunkOrEnd(): Promise<Uint8Array | null> {
    const body = this.body;
    for (;;) {
      if (body.errored) throw body.errored;
      if (body.readableEnded) return null;
      // Destroyed without an error and without an end (aborted by us or undici): not a clean end.
      if (body.destroyed) throw this.signal.reason ?? new Error('the response body was closed before its end');
      await new Promise<void>((resolve, reject) => {
        const settle = () => {
          body.off('readable', settle);
          body.off('end', settle);
          body.off('close', settle);
          body.off('error', fail);
          resolve();
        };
        const fail = (err: Error) => {
          settle();
          reject(err);
        };
        body.once('readable', settle);
        body.once('end', settle);
        body.once('close', settle);
        body.once('error', fail);
      });
      const chunk = body.read();
      if (chunk !== null) return chunk;
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

import type { ServerResponse } from 'node:http';

/**
 * Writes an event stream to a client with backpressure: `write` resolves when the socket can
 * take more, so the upstream read loop naturally slows down for a slow client instead of
 * buffering without bound. Resolves `false` once the client is gone.
 */
export class SseWriter {
  private readonly res: ServerResponse;
  private closed = false;

  constructor(res: ServerResponse) {
    this.res = res;
    res.once('close', () => {
      this.closed = true;
    });
  }

  get isClosed(): boolean {
    return this.closed || this.res.destroyed;
  }

  /** Sends status + SSE headers (once). */
  open(headers: Record<string, string> = {}): void {
    if (this.res.headersSent) return;
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
    // Headers go out with the first chunk; flush now so clients see the stream open.
    this.res.flushHeaders();
  }

  /**
   * True/false at once when the socket took the text (or the client is gone); a promise only
   * under backpressure, so the streaming loop awaits nothing per event in the common case.
   */
  write(text: string): boolean | Promise<boolean> {
    if (text.length === 0) return !this.isClosed;
    if (this.isClosed) return false;
    if (this.res.write(text)) return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        this.res.off('drain', onDrain);
        this.res.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      this.res.once('drain', onDrain);
      this.res.once('close', onClose);
    });
  }

  end(text = ''): void {
    if (this.isClosed || this.res.writableEnded) return;
    this.res.end(text);
  }
}

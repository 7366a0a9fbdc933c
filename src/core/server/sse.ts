import type { ServerResponse } from 'node:http';

/**
 * Writes an event stream to a client with backpressure: `write` resolves when the socket can
 * take more, so the upstream read loop naturally slows down for a slow client instead of
 * buffering without bound. Resolves `false` once the client is gone.
 *
 * Events written in the same tick (one upstream read holds hundreds of them) leave as one
 * `res.write` at the end of that tick: one HTTP chunk and one syscall instead of one per event.
 * Nothing waits for later data, so every event still goes out as soon as it was produced.
 */
export class SseWriter {
  private readonly res: ServerResponse;
  private closed = false;
  private pending: string[] = [];
  private flushScheduled = false;
  /** open() was called and nothing has carried the headers out yet. */
  private headersPending = false;
  /** Set while the socket is over its high-water mark; writes wait for it. */
  private drained: Promise<boolean> | undefined;
  /** Told after each flush that sent bytes (keepalive timers count quiet time from it). */
  private readonly onFlush: (() => void) | undefined;

  constructor(res: ServerResponse, onFlush?: () => void) {
    this.res = res;
    this.onFlush = onFlush;
    res.once('close', () => {
      this.closed = true;
      this.pending = [];
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
    // Clients must see the stream open even before the first event: the headers leave at the end
    // of this tick, together with whatever was written meanwhile (one packet, not two).
    this.headersPending = true;
    this.scheduleFlush();
  }

  /**
   * True at once when the text is queued for this tick's write (false when the client is gone);
   * a promise only under backpressure, so the streaming loop awaits nothing per event normally.
   */
  write(text: string): boolean | Promise<boolean> {
    if (this.isClosed) return false;
    if (text.length === 0) return true;
    this.pending.push(text);
    this.scheduleFlush();
    return this.drained ?? true;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After the current run of promise jobs: the whole upstream read has been translated.
    process.nextTick(this.flush);
  }

  end(text = ''): void {
    if (this.isClosed || this.res.writableEnded) return;
    if (text) this.pending.push(text);
    const rest = this.take();
    this.res.end(rest);
  }

  private take(): string {
    const out = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    return out;
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.isClosed || this.res.writableEnded) return;
    if (this.pending.length === 0) {
      if (this.headersPending) {
        this.res.flushHeaders();
        this.onFlush?.();
      }
      this.headersPending = false;
      return;
    }
    this.headersPending = false;
    const taken = this.res.write(this.take());
    this.onFlush?.();
    if (taken || this.drained) return;
    this.drained = new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        this.res.off('drain', onDrain);
        this.res.off('close', onClose);
        this.drained = undefined;
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      this.res.once('drain', onDrain);
      this.res.once('close', onClose);
    });
  };
}

// The response side of a streamed answer while there may be nothing to send. Kiro can think for
// tens of seconds before its first event (up to the first-token timeout), and clients, SDKs and
// middleboxes with an idle timeout give up on a connection that shows no byte for that long. So
// when nothing has been written for one interval, the SSE response is opened (if it is not yet)
// and the dialect's own keepalive goes out (Anthropic `event: ping`, an SSE comment for OpenAI),
// again after every further quiet interval, before the first event as in pauses mid-stream.
//
// A keepalive carries nothing of the answer, so the pool can still fail over to another account
// until the first content event: opening early only means that a failure before it must go out
// as the dialect's in-stream error event instead of an HTTP error status.
import type { EventStreamWriter, ResponseSink } from './response-sink.ts';

export interface KeepAliveStreamOptions {
  /** Quiet time before a keepalive; 0 = never (the response opens with the first event). */
  intervalMs: number;
  /** The first keepalive's delay, when the request has already waited (default: intervalMs). */
  firstAfterMs?: number;
  /** Status-line headers, computed when the response opens. */
  headers(): Record<string, string>;
  /** The dialect's keepalive bytes. */
  keepAlive(): string;
  /** Called when the response opens; returns what to call when it is over (the open-streams gauge). */
  onOpen?(): (() => void) | undefined;
}

/** Owns one streamed response: its SSE writer (once opened) and its keepalive timer. dispose() clears both. */
export class KeepAliveStream {
  private readonly sink: ResponseSink;
  private readonly options: KeepAliveStreamOptions;
  private sse: EventStreamWriter | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closeGauge: (() => void) | undefined;
  private disposed = false;

  constructor(sink: ResponseSink, options: KeepAliveStreamOptions) {
    this.sink = sink;
    this.options = options;
    if (options.intervalMs > 0) {
      this.timer = setTimeout(this.fire, options.firstAfterMs ?? options.intervalMs);
      // A keepalive alone must not keep a stopping process alive.
      this.timer.unref();
    }
  }

  /** True once status and headers went out (an HTTP error status is no longer possible). */
  get opened(): boolean {
    return this.sse !== undefined;
  }

  /** The SSE writer, opening the response on first use. */
  open(): EventStreamWriter {
    if (this.sse) return this.sse;
    // Every flush (a batch of events, or a keepalive) restarts the quiet interval.
    // The gauge opens before the headers are computed, as it always did (the headers carry the overhead time).
    this.closeGauge = this.options.onOpen?.();
    const sse = this.sink.openEventStream(this.options.headers(), this.timer ? () => this.timer?.refresh() : undefined);
    this.sse = sse;
    return sse;
  }

  private readonly fire = (): void => {
    if (this.disposed) return;
    const sse = this.open();
    // Written bytes re-arm the timer through the flush hook; a closed client ends the cycle.
    void sse.write(this.options.keepAlive());
  };

  /** Stops the keepalive and closes the open-streams gauge; the caller ends the response. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.closeGauge?.();
    this.closeGauge = undefined;
  }
}

// The server side of pipeline/response-sink.ts: a ResponseSink over a node:http ServerResponse.
// Everything the pipeline writes to a client goes through here (SSE framing and backpressure in
// sse.ts, JSON, interim 102s, dropping a broken connection).
import type { ServerResponse } from 'node:http';
import type { EventStreamWriter, ResponseSink } from '../pipeline/response-sink.ts';
import { SseWriter } from './sse.ts';

class HttpResponseSink implements ResponseSink {
  readonly #res: ServerResponse;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  get canSendStatus(): boolean {
    return !this.#res.headersSent && !this.#res.destroyed;
  }

  onClientGone(fn: () => void): () => void {
    const res = this.#res;
    const onClose = () => {
      if (!res.writableFinished) fn();
    };
    res.once('close', onClose);
    return () => res.off('close', onClose);
  }

  openEventStream(headers: Record<string, string>, onFlush?: () => void): EventStreamWriter {
    const sse = new SseWriter(this.#res, onFlush);
    sse.open(headers);
    return sse;
  }

  sendJson(status: number, headers: Record<string, string>, json: string): void {
    this.#res.writeHead(status, headers);
    this.#res.end(json);
  }

  sendProcessing(): boolean {
    const res = this.#res;
    if (res.headersSent || res.destroyed) return false;
    res.writeProcessing();
    return true;
  }

  abandon(): void {
    this.#res.destroy();
  }
}

export function createResponseSink(res: ServerResponse): ResponseSink {
  return new HttpResponseSink(res);
}

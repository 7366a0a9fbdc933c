// The pipeline's view of "the response": what it may do to the client's answer, and nothing of
// HTTP's plumbing. The server (server/response-sink.ts) implements it over a node:http
// ServerResponse; the pipeline never touches the socket, the status line or the SSE framing.

/** An open event stream: write() is true when queued, a promise under backpressure, false once the client is gone. */
export interface EventStreamWriter {
  readonly isClosed: boolean;
  write(text: string): boolean | Promise<boolean>;
  /** Ends the response (with a last piece of text, if any). */
  end(text?: string): void;
}

export interface ResponseSink {
  /** Nothing went out yet and the client is still there: a status (an HTTP error) can still be sent. */
  readonly canSendStatus: boolean;
  /** Calls `fn` once if the client leaves before the response is complete; returns the unsubscribe. */
  onClientGone(fn: () => void): () => void;
  /** Opens a 200 event stream with these headers; `onFlush` hears every write that left (keepalive timers). */
  openEventStream(headers: Record<string, string>, onFlush?: () => void): EventStreamWriter;
  /** A complete JSON answer (the body is already serialised). */
  sendJson(status: number, headers: Record<string, string>, json: string): void;
  /** An interim `102 Processing`; false once the final response began or the client left. */
  sendProcessing(): boolean;
  /** Drops the connection (an answer that cannot be completed any more). */
  abandon(): void;
}

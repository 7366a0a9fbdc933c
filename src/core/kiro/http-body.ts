// Reading response bodies we do not stream: error bodies and small JSON answers. Bounded, so a
// hostile or broken upstream cannot make us buffer without limit, and always finished (consumed
// or destroyed) so the connection is either reused or closed, never leaked.

/** The part of undici's BodyReadable (a node Readable) we rely on. */
export interface ResponseBody extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
  /** Paused-mode reads (event-iterable.ts pulls the event stream this way). */
  read(): Uint8Array | null;
  once(event: 'readable' | 'end' | 'close', listener: () => void): unknown;
  once(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'readable' | 'end' | 'close', listener: () => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
  readonly readableEnded: boolean;
  readonly errored: Error | null;
  readonly destroyed: boolean;
}

export interface BoundedText {
  text: string;
  /** True when the body was longer than the bound and got cut (and destroyed). */
  truncated: boolean;
}

export async function readBoundedText(body: ResponseBody, maxBytes: number): Promise<BoundedText> {
  const decoder = new TextDecoder();
  let text = '';
  let seen = 0;
  let truncated = false;
  try {
    for await (const chunk of body) {
      const room = maxBytes - seen;
      if (chunk.length > room) {
        text += decoder.decode(chunk.subarray(0, room), { stream: true });
        truncated = true;
        break;
      }
      seen += chunk.length;
      text += decoder.decode(chunk, { stream: true });
    }
    text += decoder.decode();
  } finally {
    // A no-op after a clean end; after a cut it closes the socket instead of draining it.
    body.destroy();
  }
  return { text, truncated };
}

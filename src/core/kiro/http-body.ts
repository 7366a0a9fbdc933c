// Reading response bodies we do not stream: error bodies and small JSON answers. Bounded, so a
// hostile or broken upstream cannot make us buffer without limit, and always finished (consumed
// or destroyed) so the connection is either reused or closed, never leaked.

/** The part of undici's BodyReadable (a node Readable) we rely on. */
export interface ResponseBody extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
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

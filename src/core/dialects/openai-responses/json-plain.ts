// Whether a string can be spliced into JSON between two quotes as it is.
//
// JSON.stringify of a string escapes exactly: the quote, the backslash, control characters
// (U+0000–U+001F) and lone surrogates. A text with none of these (and, to keep the check to one
// comparison, no surrogate at all) serialises to `"` + text + `"`. The stream's deltas are mostly
// short and plain; for those, checking here and splicing the text between quotes that are part of
// the line's template is cheaper than a JSON.stringify call per delta (measured: ~4 % of the
// Responses translation path). The call's fixed cost is what is saved: on long texts the native
// scan is faster, so the caller checks short ones only.

/** 1 for the ASCII code units JSON.stringify escapes. */
const ESCAPED = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) ESCAPED[c] = 1;
ESCAPED[0x22] = 1; // "
ESCAPED[0x5c] = 1; // \

/** True when JSON.stringify(text) === `"${text}"`. */
export function isJsonPlain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 ? ESCAPED[c] === 1 : c >= 0xd800 && c <= 0xdfff) return false;
  }
  return true;
}

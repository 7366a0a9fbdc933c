// The Responses stream's sequence_number, as the decimal text spliced into each event line.
//
// Why not `${n}`: V8 stores every number it converts to a string in its number-string cache, a
// long-lived table, so each of a stream's distinct sequence numbers (one per delta: tens of
// thousands in a long answer) stays reachable from it and is copied by the next young-generation
// collections instead of dying young. Measured on the translation bench (bench/inproc/
// translate.ts): a quarter of the Responses path's scavenge time, ~5 % of its CPU. Here the text
// is built from the thousands (converted once per thousand events) and one of a thousand fixed
// three-digit tails; the short concatenation is a fresh flat string that nothing else keeps.

/** "0".."999" */
const SMALL: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i));
/** "000".."999" */
const TAILS: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** A counter from 0 whose every call returns the next number as decimal text. */
export function createSequence(): () => string {
  let low = 0;
  let high = 0;
  let head = '';
  return () => {
    const text = high === 0 ? SMALL[low]! : head + TAILS[low]!;
    if (++low === 1000) {
      low = 0;
      head = String(++high);
    }
    return text;
  };
}

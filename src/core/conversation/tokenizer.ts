// The real tokenizer, for calibration and for the pre-estimate strategy near the limit only.
//
// Choice: gpt-tokenizer's cl100k_base. Claude's tokenizer is not public, so every proxy counts with
// a stand-in; cl100k is the one peers found Kiro's "Input is too long" threshold to track
// (kiro-protocol.md §8.1), its counts sit closer to Claude's than o200k's (o200k's larger vocabulary
// undercounts code and non-Latin text), and gpt-tokenizer is pure synchronous JS (no WASM, no
// native build, works in the VS Code extension host and the headless bundle), actively maintained,
// already a dependency, and faster than js-tiktoken. Loaded lazily: its rank table costs memory and
// ~100 ms to load, which most requests never need.
import type { KiroRequestBody } from '../kiro/wire.ts';
import { kiroBodyOverhead, kiroBodyTexts } from './estimate.ts';

export type CountFn = (text: string) => number;

/** Pending or finished load, owned by whoever holds the Tokenizer. */
export interface Tokenizer {
  count(text: string): Promise<number>;
  countKiroBody(body: KiroRequestBody): Promise<number>;
}

/** A lazily loaded cl100k counter. `load` is injectable for tests. */
export function createTokenizer(load: () => Promise<CountFn> = loadCl100k): Tokenizer {
  let fn: Promise<CountFn> | undefined;
  const get = () => (fn ??= load());
  return {
    async count(text) {
      return (await get())(text);
    },
    async countKiroBody(body) {
      const count = await get();
      let total = 0;
      const counts = kiroBodyTexts(body, (t) => {
        if (t) total += count(t);
      });
      return total + kiroBodyOverhead(counts);
    },
  };
}

async function loadCl100k(): Promise<CountFn> {
  // Bundled builds load this as the separate dist/tokenizer.js (a CommonJS module, whose exports
  // may arrive under `default` when imported).
  const mod = (await import('gpt-tokenizer/encoding/cl100k_base')) as typeof import('gpt-tokenizer/encoding/cl100k_base') & {
    default?: typeof import('gpt-tokenizer/encoding/cl100k_base');
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- GptEncoding binds countTokens in its constructor
  const countTokens = mod.countTokens ?? mod.default?.countTokens;
  if (typeof countTokens !== 'function') throw new Error('the tokenizer bundle did not load (countTokens missing)');
  // Text that happens to contain `<|endoftext|>` is counted as text, not refused.
  const options = { disallowedSpecial: new Set<string>() };
  return (text: string) => countTokens(text, options);
}

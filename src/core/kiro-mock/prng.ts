// Seeded PRNG (mulberry32) so every mock stream — chunk boundaries, tool ids — is reproducible
// from the server seed and the request number.

export type Rng = () => number;

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [min, max]. */
export function randInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randBase62(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += BASE62[Math.floor(rng() * 62)];
  return s;
}

/** `tooluse_` + 22 base62 chars, the shape real tool ids have (kiro-protocol.md §7.4). */
export function toolUseId(rng: Rng): string {
  return `tooluse_${randBase62(rng, 22)}`;
}

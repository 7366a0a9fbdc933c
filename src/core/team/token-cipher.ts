// Sealing a token set for Redis: AES-256-GCM, a fresh 96-bit IV per seal, and associated data
// that binds the ciphertext to its place (account id, generation): a ciphertext copied to another
// account, or an old one put back under a newer generation, does not open.
//
// Envelope (versioned, one string): `kp1.<key id>.<iv>.<ciphertext>.<tag>`, parts in base64url.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TeamError } from './errors.ts';
import type { StateKeyring } from './state-key.ts';

const VERSION = 'kp1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What the ciphertext is bound to. */
export function tokenAad(accountId: string, gen: number): string {
  return `kiro-proxy/token/v1\0${accountId}\0${gen}`;
}

export function seal(keyring: StateKeyring, plaintext: string, aad: string): string {
  const key = keyring.current;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.aesKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, key.id, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

export interface Opened {
  plaintext: string;
  /** Sealed with a key other than the current one: rewrite it to finish a rotation. */
  stale: boolean;
}

/** Throws TeamError('decrypt_failed') naming what is wrong (never the key or the plaintext). */
export function open(keyring: StateKeyring, envelope: string, aad: string, what: string): Opened {
  const parts = envelope.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) {
    throw new TeamError('decrypt_failed', `${what}: not a kiro-proxy sealed value (unknown format or version)`);
  }
  const [, kid, ivText, ctText, tagText] = parts as [string, string, string, string, string];
  const key = keyring.byId.get(kid);
  if (!key) {
    throw new TeamError(
      'decrypt_failed',
      `${what} was sealed with key ${kid}, which is not in KIRO_PROXY_STATE_KEY (this instance has ${[...keyring.byId.keys()].join(', ')}): give every instance the same keys`,
    );
  }
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new TeamError('decrypt_failed', `${what}: damaged sealed value`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.aesKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    const pt = Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]);
    return { plaintext: pt.toString('utf8'), stale: kid !== keyring.current.id };
  } catch (err) {
    throw new TeamError('decrypt_failed', `${what} does not authenticate: it was altered, or moved from another account or generation`, { cause: err });
  }
}

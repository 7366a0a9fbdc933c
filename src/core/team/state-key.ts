// KIRO_PROXY_STATE_KEY: the operator's key that encrypts tokens at rest in Redis.
//
// Decision: only a random 32-byte key is accepted (64 hex characters, or base64/base64url of 32
// bytes), never a passphrase. A passphrase would need a KDF salt that every instance shares and a
// work factor paid on every start, and it invites weak secrets; a random key costs the operator
// one command. Several keys may be given, separated by commas: the FIRST encrypts, all decrypt,
// so keys rotate without downtime (add the new key first, let tokens be rewritten, drop the old).
//
// The key itself is never used directly: HKDF-SHA256 derives the AES key and, with another
// label, the HMAC key of the account identity index (domain separation),
// and the key id written next to each ciphertext is an HMAC of a fixed label, so neither the
// key nor anything that helps guess it is ever stored or logged.
import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { TeamError } from './errors.ts';

export const STATE_KEY_ENV = 'KIRO_PROXY_STATE_KEY';

const MAKE_A_KEY_HINT =
  "Make one with `openssl rand -base64 32` (or `node -e \"console.log(require('node:crypto').randomBytes(32).toString('base64'))\"`), " +
  `give the same value to every instance in ${STATE_KEY_ENV}, and keep it in your secret manager: without it the tokens in Redis cannot be read.`;

interface StateKey {
  /** 8 hex characters; identifies the key in envelopes and logs. */
  readonly id: string;
  /** The derived AES-256-GCM key. */
  readonly aesKey: KeyObject;
  /** The derived HMAC-SHA256 key of the team's account identity index (team-identity.ts). */
  readonly identityKey: KeyObject;
}

export interface StateKeyring {
  /** Encrypts new records. */
  readonly current: StateKey;
  /** Every key that may open a record, by id (current included). */
  readonly byId: ReadonlyMap<string, StateKey>;
}

/** Throws TeamError('bad_state_key') with a message that says how to make a key; never echoes the value. */
export function parseStateKeys(value: string | undefined): StateKeyring {
  if (value === undefined || value.trim() === '') {
    throw new TeamError(
      'bad_state_key',
      `Team mode (--redis-url) needs ${STATE_KEY_ENV}: the tokens shared through Redis are encrypted with it. ${MAKE_A_KEY_HINT}`,
    );
  }
  const parts = value.split(/[\s,]+/).filter((p) => p !== '');
  const keys: StateKey[] = [];
  parts.forEach((part, i) => {
    const raw = decodeKey(part);
    const which = parts.length > 1 ? `key ${i + 1} of ${STATE_KEY_ENV}` : STATE_KEY_ENV;
    if (!raw) {
      throw new TeamError('bad_state_key', `${which} is not a 32-byte key in base64 or hex (${part.length} characters given). ${MAKE_A_KEY_HINT}`);
    }
    if (raw.every((b) => b === raw[0])) throw new TeamError('bad_state_key', `${which} is a constant byte pattern, not a random key. ${MAKE_A_KEY_HINT}`);
    keys.push(deriveKey(raw));
  });
  const byId = new Map<string, StateKey>();
  for (const k of keys) if (!byId.has(k.id)) byId.set(k.id, k);
  return { current: keys[0]!, byId };
}

function decodeKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)) {
    const b = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) return b;
  }
  return undefined;
}

function deriveKey(raw: Buffer): StateKey {
  const id = createHmac('sha256', raw).update('kiro-proxy state key id v1').digest('hex').slice(0, 8);
  const aes = Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), 'kiro-proxy token encryption v1', 32));
  const identity = Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), 'kiro-proxy account identity v1', 32));
  return { id, aesKey: createSecretKey(aes), identityKey: createSecretKey(identity) };
}

// Every Redis key and channel of one team, under one configurable prefix. The prefix is wrapped
// in a hash tag (`{team}`) so all keys of a team share one slot: the Lua scripts that touch
// several keys stay valid on a Redis Cluster too (only single-node Redis is tested).
import { TeamError } from './errors.ts';

const PREFIX_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
// credentialId() gives `sso-<hex>`, `file-<hex>`…; anything that could break a key is refused.
const ID_RE = /^[A-Za-z0-9_.:@-]{1,128}$/;

export const DEFAULT_KEY_PREFIX = 'kiro-proxy';

export interface TeamKeys {
  readonly prefix: string;
  cooldown(accountId: string): string;
  disabled(accountId: string): string;
  quota(accountId: string): string;
  inflight(accountId: string): string;
  token(accountId: string): string;
  lock(name: string): string;
  fence(name: string): string;
  sticky(conversationKey: string): string;
  /** The account id the team knows a refresh token by; `hash` is a keyed hash (team-identity.ts), never a token. */
  identity(hash: string): string;
  instance(instanceId: string): string;
  /** `instance(id)` is this plus the id (for scripts that build the key). */
  readonly instancePrefix: string;
  readonly instances: string;
  readonly events: string;
}

function checkAccountId(id: string): string {
  if (!ID_RE.test(id)) throw new TeamError('bad_config', `account id ${JSON.stringify(id.slice(0, 40))} cannot be used as a Redis key part`);
  return id;
}

export function teamKeys(prefix: string = DEFAULT_KEY_PREFIX): TeamKeys {
  if (!PREFIX_RE.test(prefix)) {
    throw new TeamError('bad_config', `Redis key prefix ${JSON.stringify(prefix.slice(0, 70))} must be 1-64 characters of A-Z a-z 0-9 _ . : -`);
  }
  const p = `{${prefix}}`;
  const acct = (id: string, what: string) => `${p}:acct:${checkAccountId(id)}:${what}`;
  return {
    prefix,
    cooldown: (id) => acct(id, 'cooldown'),
    disabled: (id) => acct(id, 'disabled'),
    quota: (id) => acct(id, 'quota'),
    inflight: (id) => acct(id, 'inflight'),
    token: (id) => acct(id, 'token'),
    lock: (name) => `${p}:lock:${checkAccountId(name)}`,
    fence: (name) => `${p}:fence:${checkAccountId(name)}`,
    // Conversation keys are hashes or client session ids: bounded, never parsed back.
    sticky: (key) => `${p}:sticky:${key.slice(0, 200)}`,
    identity: (hash) => `${p}:ident:${checkAccountId(hash)}`,
    instance: (id) => `${p}:instance:${checkAccountId(id)}`,
    instancePrefix: `${p}:instance:`,
    instances: `${p}:instances`,
    events: `${p}:events`,
  };
}

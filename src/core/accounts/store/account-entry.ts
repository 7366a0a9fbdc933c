// One account as the AccountManager holds it: the AccountSync that keeps its tokens consistent
// with the store and its file, the TokenManager that refreshes through it, and the PoolAccount the
// pool serves. Built here so the manager only decides which accounts exist; the lookups across
// entries (whose token is this, who is linked to that file) and their export live here too, as
// they read only these entries.
import type { KiroEndpoints } from '../../kiro/types.ts';
import type { Clock, Logger, SecretStore } from '../../proxy-types.ts';
import { describeOrigin, sha256Hex, type KiroCredential, type LoadedCredential } from '../credentials/credential.ts';
import { TokenManager } from '../tokens/token-manager.ts';
import { refreshCredential } from '../tokens/token-refresh.ts';
import { machineIdFor } from '../../kiro/request-headers.ts';
import type { AccountTokenSource, PoolAccount } from '../pool/pool-account.ts';
import { tokenFingerprint } from '../tokens/token-fingerprint.ts';
import type { RefreshJournal } from '../tokens/refresh-journal.ts';
import type { TeamTokens } from '../tokens/team-tokens.ts';
import type { TeamIdentity } from '../../team/team-identity.ts';
import { AccountSync } from './account-sync.ts';
import { toTokenFileForm, type AccountLink, type AccountRecord } from './account-record.ts';
import type { StoredAccountMeta, StoredMeta } from './account-meta.ts';

export interface AccountEntry {
  manager: TokenManager;
  sync: AccountSync | undefined;
  loaded: LoadedCredential;
}

/** Who a token belongs to, as Kiro says (getUsageLimits userInfo). */
export interface UserIdentity {
  userId: string;
  email?: string;
}

/** getUsageLimits for a credential's access token; undefined when there is no client (tests). */
export type WhoIs = (credential: KiroCredential, machineId: string, signal: AbortSignal) => Promise<UserIdentity | undefined>;

export const userFingerprint = (userId: string) => sha256Hex(`kiro-proxy user\0${userId}`).slice(0, 16);

/** What an entry is built with: the manager's options and the manager-wide parts. */
export interface AccountEntryDeps {
  endpoints: () => KiroEndpoints;
  secrets: SecretStore;
  clock: Clock;
  logger: Logger;
  registerSecret: (value: string) => void;
  beforeAdd?: ((credential: KiroCredential) => void) | undefined;
  whoIs?: WhoIs | undefined;
  /** Team mode: every refresh goes through the team's cross-instance single flight. */
  team?: TeamTokens | undefined;
  /** Team mode: tokens adopted from another program are recorded as this account's, team-wide. */
  identity?: TeamIdentity | undefined;
  lockDir: string;
  journal: RefreshJournal | undefined;
  lifetime: AbortSignal;
  /** The account's label as the manager knows it now. */
  label: () => string;
  /** Fingerprints of the refresh tokens of every other account. */
  othersHistory: () => ReadonlySet<string>;
}

function registerCredential(deps: AccountEntryDeps, c: KiroCredential): void {
  for (const v of [c.accessToken, c.refreshToken, c.clientSecret]) if (v) deps.registerSecret(v);
}

/** The sync (none for mock accounts) and token manager of one account; its secrets are registered. */
export function createAccountEntry(
  deps: AccountEntryDeps,
  loaded: LoadedCredential,
  record: AccountRecord | undefined,
  link: AccountLink | undefined,
): AccountEntry {
  const machineId = machineIdFor(loaded.id);
  // Assigned below, after the sync that calls back into it is built.
  // eslint-disable-next-line prefer-const
  let manager!: TokenManager;
  const sync =
    loaded.origin.type === 'mock'
      ? undefined
      : new AccountSync({
          id: loaded.id,
          label: deps.label,
          credential: loaded.credential,
          record,
          link,
          store: deps.secrets,
          lockDir: deps.lockDir,
          refresh: (c, signal) => refreshCredential(deps.endpoints(), c, signal, { machineId }),
          probeUser: async (c, signal) => {
            const who = await deps.whoIs?.(c, machineId, signal);
            return who ? userFingerprint(who.userId) : undefined;
          },
          othersHistory: deps.othersHistory,
          clock: deps.clock,
          logger: deps.logger,
          onAdopt: (c) => {
            registerCredential(deps, c);
            if (c.refreshToken) deps.identity?.remember(loaded.id, [tokenFingerprint(c.refreshToken)], loaded.label);
            manager.replaceCredential(c);
          },
          lifetime: deps.lifetime,
          ...(deps.journal ? { journal: deps.journal } : {}),
        });
  const credential = sync?.credential ?? loaded.credential;
  registerCredential(deps, credential);
  deps.beforeAdd?.(credential);
  manager = new TokenManager({
    credential,
    refresh: async (c, signal) => {
      const plain = (p: KiroCredential, s: AbortSignal) => (sync ? sync.refresh(p, s) : refreshCredential(deps.endpoints(), p, s, { machineId }));
      const r = deps.team ? await deps.team.refresh(loaded.id, c, signal, plain) : await plain(c, signal);
      for (const v of [r.accessToken, r.refreshToken]) if (v) deps.registerSecret(v);
      return r;
    },
    clock: deps.clock,
    logger: deps.logger,
    label: loaded.label,
  });
  return { manager, sync, loaded };
}

/** The account the pool serves for an entry, with the label and enabled flag config.json keeps. */
export function poolAccountFor(entry: AccountEntry, link: AccountLink | undefined, meta: StoredAccountMeta | undefined): PoolAccount {
  const { manager, sync, loaded } = entry;
  const credential = sync?.credential ?? loaded.credential;
  const tokens: AccountTokenSource = {
    getAccessToken: (o) => manager.getAccessToken(o),
    get state() {
      return manager.state;
    },
    status: () => manager.status(),
    get credential() {
      return manager.credential;
    },
    notice: () => sync?.notice,
  };
  return {
    id: loaded.id,
    label: meta?.label ?? loaded.label,
    source: link ? `${link.path}${link.dropped ? ' (no longer written: it holds another account)' : ''}` : describeOrigin(loaded.origin),
    authMethod: credential.kind,
    ...(credential.provider ? { provider: credential.provider } : {}),
    tokens,
    ...(credential.profileArn ? { profileArn: credential.profileArn } : {}),
    machineId: machineIdFor(loaded.id),
    ...(credential.region ? { region: credential.region } : {}),
    ...(credential.kind === 'api_key' ? { tokenType: 'API_KEY' as const } : credential.kind === 'external_idp' ? { tokenType: 'EXTERNAL_IDP' as const } : {}),
    enabled: meta?.enabled !== false,
  };
}

/** The account that holds (or held) this refresh token, if any. */
export function ownerOf(entries: ReadonlyMap<string, AccountEntry>, refreshToken: string | undefined): string | undefined {
  if (!refreshToken) return undefined;
  const fp = tokenFingerprint(refreshToken);
  for (const [id, e] of entries) if (e.sync?.history().has(fp)) return id;
  return undefined;
}

/** The entries still written to this file (their link not dropped). */
export function linkedTo(entries: ReadonlyMap<string, AccountEntry>, path: string): [string, AccountEntry][] {
  return [...entries].filter(([, e]) => {
    const l = e.sync?.link;
    return l !== undefined && l.path === path && !l.dropped;
  });
}

/** Every refresh token fingerprint the accounts other than `id` held. */
export function othersHistory(entries: ReadonlyMap<string, AccountEntry>, id: string): Set<string> {
  const out = new Set<string>();
  for (const [other, e] of entries) {
    if (other === id || !e.sync) continue;
    for (const h of e.sync.history()) out.add(h);
  }
  return out;
}

/** Every account in the creds-file form (an array); tokens and client secrets only when asked. */
export function exportEntries(entries: Iterable<AccountEntry>, meta: StoredMeta, includeSecrets: boolean): string {
  const out = [...entries].map(({ manager, loaded }) => {
    const form = toTokenFileForm(manager.credential);
    const entry: Record<string, unknown> = {
      id: loaded.id,
      label: meta.accounts[loaded.id]?.label ?? loaded.label,
      source: describeOrigin(loaded.origin),
    };
    for (const [k, v] of Object.entries(form)) {
      if (v === undefined) continue;
      if (!includeSecrets && /token|secret/i.test(k)) continue;
      entry[k] = v;
    }
    return entry;
  });
  return JSON.stringify(out, null, 2);
}

// Turns credentials into pool accounts and keeps them persisted:
// - every account has the proxy's own copy in the secret store (account-record.ts), written on
//   every rotation before any file; its refreshes go through an AccountSync (account-sync.ts)
//   that locks, re-reads and writes back by identity;
// - creds files, base64 and env text are the user's configuration: read on every start, their
//   accounts matched to what the store remembers by the tokens they held (account-identity.ts);
// - accounts from the SSO cache (Scan Tokens, the start-up import, the editor's prompt), pasted
//   JSON and logins are the proxy's own: they live in the store + KIRO_PROXY_HOME/config.json
//   (labels, enabled flags, no token) and come back on every start, in every window, together
//   with the file they came from, which is written only while it holds the same account;
// - credential files are watched, and newer tokens another program wrote are adopted.
import { join, basename } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { KiroEndpoints } from '../../kiro/types.ts';
import type { Clock, Logger, SecretStore, AccountView } from '../../proxy-types.ts';
import { credentialId, credentialLabel, describeOrigin, type KiroCredential, type LoadedCredential } from '../credentials/credential.ts';
import { loadCredsFile, loadCredsJsonText, loadSsoCache, loadSsoTokenFile, SSO_TOKEN_FILE } from '../credentials/credential-sources.ts';
import type { ManagedAccountPool } from '../pool/pool.ts';
import type { PoolAccount } from '../pool/pool-account.ts';
import { ProxyError } from '../../errors.ts';
import { ACCOUNT_SECRET_PREFIX, readAccountRecord, toTokenFileForm, type AccountLink, type AccountRecord } from './account-record.ts';
import { tokenFingerprint } from '../tokens/token-fingerprint.ts';
import { recoverLeftoverTmps } from '../credentials/tmp-recovery.ts';
import { CredentialWatcher } from '../credentials/credential-watcher.ts';
import { RefreshJournal } from '../tokens/refresh-journal.ts';
import type { TeamTokens } from '../tokens/team-tokens.ts';
import { readStoredMeta, writeStoredMeta, type StoredMeta } from './account-meta.ts';
import { createAccountEntry, exportEntries, linkedTo, othersHistory, ownerOf, poolAccountFor, type AccountEntry, type WhoIs } from './account-entry.ts';
import { fileAccountId, identifySsoFile, storedRecordFor, type TeamLookup } from './account-identity.ts';
import type { TeamIdentity } from '../../team/team-identity.ts';

export { countStoredAccounts } from './account-meta.ts';
export interface AccountManagerOptions {
  pool: ManagedAccountPool;
  endpoints: () => KiroEndpoints;
  secrets: SecretStore;
  home: string;
  ssoCache: () => string;
  clock: Clock;
  logger: Logger;
  /** Every token value loaded or refreshed is registered here so logs can scrub it. */
  registerSecret: (value: string) => void;
  /** Called with each credential before it joins the pool (mock mode makes the simulated Kiro know it). */
  beforeAdd?: (credential: KiroCredential) => void;
  /** getUsageLimits for a credential's access token; undefined when there is no client (tests). */
  whoIs?: WhoIs;
  /** Watcher tuning (tests shorten it); pollMs 0 disables the stat fallback. */
  watch?: { debounceMs?: number; pollMs?: number };
  /**
   * Headless hosts journal every rotated token to `<home>/journal` before the store update
   * (refresh-journal.ts). The editor keeps tokens in SecretStorage only and goes without.
   */
  refreshJournal?: boolean;
  /** Team mode: refreshes single-flight across instances, tokens others rotated adopted (team-tokens.ts). */
  team?: TeamTokens;
  /** Team mode: which account a token is, team-wide, so every instance gives it the same id (team-identity.ts). */
  identity?: TeamIdentity;
}

export class AccountManager {
  readonly #o: AccountManagerOptions;
  readonly #entries = new Map<string, AccountEntry>();
  readonly #accounts = new Map<string, PoolAccount>();
  readonly #lifetime = new AbortController();
  readonly #watcher: CredentialWatcher;
  readonly #recovered = new Set<string>();
  readonly #journal: RefreshJournal | undefined;
  #meta: StoredMeta = { accounts: {} };

  constructor(options: AccountManagerOptions) {
    this.#o = options;
    this.#journal = options.refreshJournal ? new RefreshJournal(join(options.home, 'journal')) : undefined;
    this.#watcher = new CredentialWatcher({
      clock: options.clock,
      onChange: (path) => void this.#onFileChange(path),
      ...(options.watch?.debounceMs !== undefined ? { debounceMs: options.watch.debounceMs } : {}),
      ...(options.watch?.pollMs !== undefined ? { pollMs: options.watch.pollMs } : {}),
    });
  }

  get #lockDir(): string {
    return join(this.#o.home, 'locks');
  }

  async loadMeta(): Promise<void> {
    await mkdir(this.#lockDir, { recursive: true, mode: 0o700 });
    const store = this.#o.secrets as SecretStore & { recoverLeftovers?: () => Promise<string[]> };
    const recovered = await store.recoverLeftovers?.().catch((err: unknown) => {
      this.#o.logger.warn(`[accounts] could not check the secret store for leftovers of an interrupted write: ${(err as Error).message}`);
      return [];
    });
    for (const id of recovered ?? [])
      this.#o.logger.warn(`[accounts] recovered the newer token of account ${id} from a write of the secret store that a crash interrupted`);
    if (this.#journal) {
      await this.#journal.prepare();
      await this.#journal.recover(this.#o.secrets, this.#o.logger).catch((err: unknown) => {
        this.#o.logger.warn(`[accounts] could not read the refresh journal: ${(err as Error).message}`);
      });
    }
    this.#meta = await readStoredMeta(this.#o.home, this.#o.logger);
  }

  #saveMeta(): Promise<void> {
    return writeStoredMeta(this.#o.home, this.#meta);
  }

  /** Saves the behaviour settings into config.json next to the account metadata. */
  async saveSettings(settings: Record<string, unknown>): Promise<void> {
    this.#meta.settings = settings;
    await this.#saveMeta();
  }

  /** The proxy's own accounts (imports, scans, logins), from the store. */
  async loadStored(): Promise<LoadedCredential[]> {
    const out: LoadedCredential[] = [];
    for (const [id, meta] of Object.entries(this.#meta.accounts)) {
      if (!meta.imported) continue;
      const rec = await readAccountRecord(this.#o.secrets, id);
      if (!rec) continue;
      out.push({ id, label: meta.label ?? meta.imported.sourceLabel, credential: rec.credential, origin: { type: 'store', key: id } });
    }
    return out;
  }

  /** Adds (or replaces) accounts in the pool, each with its own token manager. */
  async add(creds: LoadedCredential[]): Promise<AccountView[]> {
    const views: AccountView[] = [];
    const usedIds = new Set<string>();
    for (const given of creds) {
      let loaded = given;
      let link: AccountLink | undefined;
      if (given.origin.type === 'creds-file') {
        const path = given.origin.path;
        await this.#recoverOnce(path, 'creds-file');
        const id = await fileAccountId(this.#o.secrets, this.#meta, path, given, usedIds, this.#teamLookup());
        loaded = { ...given, id };
        link = { path, type: 'creds-file' };
        if (this.#meta.accounts[id]?.file !== path) {
          this.#meta.accounts[id] = { ...this.#meta.accounts[id], file: path };
          await this.#saveMeta();
        }
      }
      // The same refresh token under two accounts would be used twice and kill both (a creds
      // file pointing at the SSO cache file the proxy also imported, say): one account only.
      const owner = loaded.origin.type === 'mock' ? undefined : ownerOf(this.#entries, loaded.credential.refreshToken);
      if (owner !== undefined && owner !== loaded.id) {
        this.#o.logger.info(`[accounts] ${loaded.label}: the same credential is already served as ${this.#accounts.get(owner)?.label ?? owner}`);
        const view = this.#o.pool.get(owner);
        if (view) views.push(view);
        continue;
      }
      usedIds.add(loaded.id);
      const record = loaded.origin.type === 'mock' ? undefined : await storedRecordFor(this.#o.secrets, loaded);
      views.push(this.#addOne(loaded, record, link ?? record?.link));
    }
    for (const e of this.#entries.values()) {
      const l = e.sync?.link;
      if (l && !l.dropped) await this.#watcher.add(l.path);
    }
    return views;
  }

  #addOne(loaded: LoadedCredential, record: AccountRecord | undefined, link: AccountLink | undefined): AccountView {
    this.#entries.get(loaded.id)?.manager.dispose();
    const entry = createAccountEntry(
      {
        ...this.#o,
        lockDir: this.#lockDir,
        journal: this.#journal,
        lifetime: this.#lifetime.signal,
        label: () => this.#accounts.get(loaded.id)?.label ?? this.#meta.accounts[loaded.id]?.label ?? loaded.label,
        othersHistory: () => othersHistory(this.#entries, loaded.id),
      },
      loaded,
      record,
      link,
    );
    this.#entries.set(loaded.id, entry);
    this.#o.team?.track(loaded.id, entry.manager, entry.sync);
    // Every token this account held is known to the team by this id from now on.
    if (entry.sync) this.#o.identity?.remember(loaded.id, [...entry.sync.history()], loaded.label);
    // A record for every account from the start, so its tokens are known even before a refresh.
    if (entry.sync)
      void entry.sync
        .save()
        .catch((err: unknown) => this.#o.logger.warn(`[accounts] ${loaded.label}: could not save to the secret store: ${(err as Error).message}`));
    const account = poolAccountFor(entry, link, this.#meta.accounts[loaded.id]);
    this.#accounts.set(loaded.id, account);
    return this.#o.pool.add(account);
  }

  #teamLookup(): TeamLookup | undefined {
    const identity = this.#o.identity;
    return identity ? { identity, logger: this.#o.logger, signal: this.#lifetime.signal } : undefined;
  }

  async #recoverOnce(path: string, type: 'sso-cache' | 'creds-file'): Promise<void> {
    if (this.#recovered.has(path)) return;
    this.#recovered.add(path);
    await recoverLeftoverTmps(path, type, this.#o.logger).catch((err: unknown) => {
      this.#o.logger.warn(`[accounts] could not check ${path} for leftovers of an interrupted write: ${(err as Error).message}`);
    });
  }

  /** Imports one credential JSON (either contract form, object or array) into the store. */
  async importJson(json: string, sourceLabel: string): Promise<AccountView[]> {
    const parsed = loadCredsJsonText(json, sourceLabel, (index) => ({ type: 'store', key: `${sourceLabel}#${index ?? 0}` }));
    const errors = parsed.problems.filter((p) => p.severity === 'error');
    if (parsed.credentials.length === 0) {
      throw new ProxyError('invalid_request', errors.map((p) => p.message).join('; ') || `${sourceLabel}: no credential found`);
    }
    const creds: LoadedCredential[] = [];
    for (const c of parsed.credentials) {
      const id = credentialId({ type: 'store', key: `${sourceLabel}\0${c.credential.refreshToken ?? c.credential.accessToken ?? ''}` }, c.credential);
      creds.push({ ...c, id, origin: { type: 'store', key: id }, label: credentialLabel({ type: 'store', key: sourceLabel }, c.credential) });
      this.#meta.accounts[id] = { ...this.#meta.accounts[id], imported: { sourceLabel } };
    }
    await this.#saveMeta();
    const views = await this.add(creds);
    for (const c of creds) await this.#entries.get(c.id)?.sync?.save();
    return views;
  }

  /** Stores a credential obtained by an online login, as an imported account. */
  async addLoggedIn(cred: KiroCredential, sourceLabel: string): Promise<AccountView> {
    const views = await this.importJson(JSON.stringify(toTokenFileForm(cred)), sourceLabel);
    return views[0]!;
  }

  /** Every account in the creds-file form (an array); tokens and client secrets only when asked. */
  exportJson(includeSecrets: boolean): string {
    return exportEntries(this.#entries.values(), this.#meta, includeSecrets);
  }

  /** Token files in the SSO cache, for "Scan Tokens". */
  async scanSsoCache(): Promise<{ path: string; label: string; alreadyImported: boolean }[]> {
    const found = await loadSsoCache(this.#o.ssoCache());
    return found.credentials.map((c) => {
      const path = c.origin.type === 'sso-cache' ? c.origin.path : describeOrigin(c.origin);
      return { path, label: c.label, alreadyImported: ownerOf(this.#entries, c.credential.refreshToken) !== undefined };
    });
  }

  /**
   * Scan Tokens / the start-up import / the editor's prompt: the file's account becomes the
   * proxy's own (store + link to the file). A file holding a token of an account the proxy has
   * is that account; otherwise Kiro's user id for the token decides: the same user as an account
   * linked to the file is that account refreshed by the IDE, another user is a new account (the
   * IDE logged in someone else), and the accounts linked to the file stop writing to it.
   */
  importSsoFile(path: string, options: { auto?: boolean } = {}): Promise<AccountView> {
    // One at a time: the watcher and a user's Scan Tokens may import the same file together.
    const run = () => this.#importSsoFile(path, options);
    const next = this.#imports.then(run, run);
    this.#imports = next.catch(() => undefined);
    return next;
  }

  #imports: Promise<unknown> = Promise.resolve();

  async #importSsoFile(path: string, options: { auto?: boolean }): Promise<AccountView> {
    await this.#recoverOnce(path, 'sso-cache');
    const res = await loadSsoTokenFile(path);
    const cred = res.credentials[0];
    if (!cred) throw new ProxyError('invalid_request', res.problems.map((p) => p.message).join('; ') || `${path}: not a Kiro token file`);
    const found = await identifySsoFile(
      {
        entries: this.#entries,
        meta: this.#meta,
        secrets: this.#o.secrets,
        whoIs: this.#o.whoIs,
        signal: this.#lifetime.signal,
        reload: async () => (await loadSsoTokenFile(path)).credentials[0]?.credential,
        team: this.#teamLookup(),
      },
      path,
      cred.credential,
      options,
    );
    if ('existing' in found) return this.#o.pool.get(found.existing)!;
    const { id, fingerprint: fp, who, user } = found;
    const label = who?.email ? `${cred.credential.provider ?? 'Kiro'} ${who.email}` : cred.label;
    this.#meta.accounts[id] = { ...this.#meta.accounts[id], imported: { sourceLabel: label } };
    await this.#saveMeta();
    const record: AccountRecord = { credential: cred.credential, history: [fp], link: { path, type: 'sso-cache' }, ...(user ? { user } : {}) };
    const view = this.#addOne({ id, label, credential: cred.credential, origin: { type: 'store', key: id } }, record, record.link);
    await this.#entries.get(id)?.sync?.save();
    await this.#watcher.add(path);
    this.#o.logger.info(`[accounts] ${label}: imported from ${path} into the proxy's store`);
    return view;
  }

  /** Headless start: every Kiro token file of the SSO cache, as importSsoFile. */
  async importSsoCache(): Promise<void> {
    const found = await loadSsoCache(this.#o.ssoCache());
    for (const p of found.problems) this.#o.logger.warn(`credentials: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`);
    for (const c of found.credentials) {
      if (c.origin.type !== 'sso-cache') continue;
      await this.importSsoFile(c.origin.path, { auto: true }).catch((err: unknown) => this.#o.logger.warn(`credentials: ${(err as Error).message}`));
    }
    // A login in the IDE creates the file if there was none: watch for it.
    await this.#watcher.add(join(this.#o.ssoCache(), SSO_TOKEN_FILE));
    this.#autoImportSso = true;
  }

  #autoImportSso = false;

  async #onFileChange(path: string): Promise<void> {
    const signal = this.#lifetime.signal;
    for (const [, e] of linkedTo(this.#entries, path)) {
      await e.sync?.checkDisk(signal).catch((err: unknown) => this.#o.logger.debug(`[accounts] re-reading ${path}: ${(err as Error).message}`));
    }
    if (signal.aborted) return;
    if (this.#autoImportSso && basename(path).endsWith('.json') && path.startsWith(this.#o.ssoCache())) {
      await this.importSsoFile(path, { auto: true }).catch(() => undefined);
      return;
    }
    await this.#addNewFileEntries(path);
  }

  /** Entries added to a watched creds file while the proxy runs become accounts. */
  async #addNewFileEntries(path: string): Promise<void> {
    const linked = [...this.#entries.values()].filter((e) => e.loaded.origin.type === 'creds-file' && e.sync?.link?.path === path);
    if (linked.length === 0) return;
    const res = await loadCredsFile(path);
    const present = new Set(res.credentials.map((c) => c.credential.refreshToken));
    // An account whose token is no longer in the file may be the owner of an unknown entry
    // (rotated by another program): then nothing is added until that is settled.
    const orphans = linked.filter((e) => {
      const c = e.sync!.credential;
      return !present.has(c.refreshToken) && ![...present].some((rt) => rt && e.sync!.history().has(tokenFingerprint(rt)));
    });
    const fresh = res.credentials.filter((c) => ownerOf(this.#entries, c.credential.refreshToken) === undefined);
    if (fresh.length === 0 || orphans.length > 0) return;
    this.#o.logger.info(`[accounts] ${path}: ${fresh.length} new entr${fresh.length === 1 ? 'y' : 'ies'}, added`);
    await this.add(fresh);
  }

  async remove(id: string): Promise<void> {
    this.#entries.get(id)?.manager.dispose();
    this.#o.team?.untrack(id);
    this.#entries.delete(id);
    this.#accounts.delete(id);
    this.#o.pool.remove(id);
    await this.#o.secrets.delete(ACCOUNT_SECRET_PREFIX + id);
    await this.#o.secrets.delete(ACCOUNT_SECRET_PREFIX + id + '.rotated');
    if (this.#meta.accounts[id]) {
      delete this.#meta.accounts[id];
      await this.#saveMeta();
    }
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    this.#o.pool.setEnabled(id, enabled);
    this.#meta.accounts[id] = { ...this.#meta.accounts[id], enabled };
    await this.#saveMeta();
  }

  async setLabel(id: string, label: string): Promise<void> {
    this.#o.pool.setLabel(id, label);
    const acct = this.#accounts.get(id);
    if (acct) this.#accounts.set(id, { ...acct, label });
    this.#meta.accounts[id] = { ...this.#meta.accounts[id], label };
    await this.#saveMeta();
  }

  /** The first enabled, non-expired account as the pool sees it (for catalogue calls). */
  firstActive(): PoolAccount | undefined {
    const view = this.#o.pool.list().find((a) => a.state === 'active');
    return view ? this.#accounts.get(view.id) : undefined;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  dispose(): void {
    this.#lifetime.abort();
    this.#watcher.dispose();
    for (const { manager } of this.#entries.values()) manager.dispose();
    this.#entries.clear();
  }
}

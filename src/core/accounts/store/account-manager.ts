// Turns credentials into pool accounts and keeps them persisted:
// - every account has the proxy's own copy in the secret store (account-record.ts), written on
//   every rotation before any file; its refreshes go through an AccountSync (account-sync.ts)
//   that locks, re-reads and writes back by identity;
// - creds files, base64 and env text are the user's configuration: read on every start, their
//   accounts matched to what the store remembers by the tokens they held (below);
// - accounts from the SSO cache (Scan Tokens, the start-up import, the editor's prompt), pasted
//   JSON and logins are the proxy's own: they live in the store + KIRO_PROXY_HOME/config.json
//   (labels, enabled flags, no token) and come back on every start, in every window, together
//   with the file they came from, which is written only while it holds the same account;
// - credential files are watched, and newer tokens another program wrote are adopted.
import { join, basename } from 'node:path';
import { mkdir, unlink } from 'node:fs/promises';
import type { KiroEndpoints } from '../../kiro/types.ts';
import type { Clock, Logger, SecretStore, AccountView } from '../../proxy-types.ts';
import { credentialId, credentialLabel, describeOrigin, sha256Hex, type KiroCredential, type LoadedCredential } from '../credentials/credential.ts';
import { TokenManager } from '../tokens/token-manager.ts';
import { refreshCredential } from '../tokens/token-refresh.ts';
import { machineIdFor } from '../../kiro/request-headers.ts';
import { loadCredsFile, loadCredsJsonText, loadSsoCache, loadSsoTokenFile, SSO_TOKEN_FILE } from '../credentials/credential-sources.ts';
import type { ManagedAccountPool } from '../pool/pool.ts';
import type { AccountTokenSource, PoolAccount } from '../pool/pool-account.ts';
import { readJsonFile } from '../../fs/read-json-file.ts';
import { writeFileAtomic, listLeftoverTmps } from '../../fs/atomic-write.ts';
import { ProxyError } from '../../errors.ts';
import { AccountSync } from './account-sync.ts';
import { ACCOUNT_SECRET_PREFIX, readAccountRecord, toTokenFileForm, type AccountLink, type AccountRecord } from './account-record.ts';
import { tokenFingerprint } from '../tokens/token-fingerprint.ts';
import { recoverLeftoverTmps } from '../credentials/tmp-recovery.ts';
import { CredentialWatcher } from '../credentials/credential-watcher.ts';
import { RefreshJournal } from '../tokens/refresh-journal.ts';
import type { TeamTokens } from '../tokens/team-tokens.ts';

interface StoredMeta {
  settings?: Record<string, unknown>;
  accounts: Record<
    string,
    {
      label?: string;
      enabled?: boolean;
      /** The proxy's own account (import, scan, login): loaded from the store on every start. */
      imported?: { sourceLabel: string };
      /** A creds-file account: the file it is read from (its id is found by token, not position). */
      file?: string;
    }
  >;
}

/** Who a token belongs to, as Kiro says (getUsageLimits userInfo). */
export interface UserIdentity {
  userId: string;
  email?: string;
}

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
  whoIs?: (credential: KiroCredential, machineId: string, signal: AbortSignal) => Promise<UserIdentity | undefined>;
  /** Watcher tuning (tests shorten it); pollMs 0 disables the stat fallback. */
  watch?: { debounceMs?: number; pollMs?: number };
  /**
   * Headless hosts journal every rotated token to `<home>/journal` before the store update
   * (refresh-journal.ts). The editor keeps tokens in SecretStorage only and goes without.
   */
  refreshJournal?: boolean;
  /** Team mode: refreshes single-flight across instances, tokens others rotated adopted (team-tokens.ts). */
  team?: TeamTokens;
}

/** How many accounts earlier imports/logins left in KIRO_PROXY_HOME (no secret is read). */
export async function countStoredAccounts(home: string): Promise<number> {
  try {
    const doc = (await readJsonFile(join(home, 'config.json'))) as Partial<StoredMeta>;
    return Object.values(doc.accounts ?? {}).filter((a) => a && typeof a === 'object' && a.imported).length;
  } catch {
    return 0;
  }
}

const userFingerprint = (userId: string) => sha256Hex(`kiro-proxy user\0${userId}`).slice(0, 16);

interface Entry {
  manager: TokenManager;
  sync: AccountSync | undefined;
  loaded: LoadedCredential;
}

export class AccountManager {
  readonly #o: AccountManagerOptions;
  readonly #entries = new Map<string, Entry>();
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

  get #metaPath(): string {
    return join(this.#o.home, 'config.json');
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
    for (const id of recovered ?? []) this.#o.logger.warn(`[accounts] recovered the newer token of account ${id} from a write of the secret store that a crash interrupted`);
    if (this.#journal) {
      await this.#journal.prepare();
      await this.#journal.recover(this.#o.secrets, this.#o.logger).catch((err: unknown) => {
        this.#o.logger.warn(`[accounts] could not read the refresh journal: ${(err as Error).message}`);
      });
    }
    for (const t of await listLeftoverTmps(this.#metaPath)) await unlink(t.path).catch(() => undefined);
    try {
      const doc = (await readJsonFile(this.#metaPath)) as Partial<StoredMeta> & Record<string, unknown>;
      this.#meta = { ...doc, accounts: doc.accounts && typeof doc.accounts === 'object' ? doc.accounts : {} };
    } catch (err) {
      if ((err as { code?: string }).code !== 'not_found') this.#o.logger.warn(`config.json unreadable, starting without stored metadata: ${(err as Error).message}`);
      this.#meta = { accounts: {} };
    }
  }

  async #saveMeta(): Promise<void> {
    // A fresh --home (or the editor's global storage) may not exist yet; keep it private.
    await mkdir(this.#o.home, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.#metaPath, JSON.stringify(this.#meta, null, 2) + '\n', { private: true });
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
        const id = await this.#fileAccountId(path, given, usedIds);
        loaded = { ...given, id };
        link = { path, type: 'creds-file' };
        if (this.#meta.accounts[id]?.file !== path) {
          this.#meta.accounts[id] = { ...this.#meta.accounts[id], file: path };
          await this.#saveMeta();
        }
      }
      // The same refresh token under two accounts would be used twice and kill both (a creds
      // file pointing at the SSO cache file the proxy also imported, say): one account only.
      const owner = loaded.origin.type === 'mock' ? undefined : this.#ownerOf(loaded.credential.refreshToken);
      if (owner !== undefined && owner !== loaded.id) {
        this.#o.logger.info(`[accounts] ${loaded.label}: the same credential is already served as ${this.#accounts.get(owner)?.label ?? owner}`);
        const view = this.#o.pool.get(owner);
        if (view) views.push(view);
        continue;
      }
      usedIds.add(loaded.id);
      const record = loaded.origin.type === 'mock' ? undefined : await this.#recordFor(loaded);
      views.push(this.#addOne(loaded, record, link ?? record?.link));
    }
    for (const e of this.#entries.values()) {
      const l = e.sync?.link;
      if (l && !l.dropped) await this.#watcher.add(l.path);
    }
    return views;
  }

  async #recordFor(loaded: LoadedCredential): Promise<AccountRecord | undefined> {
    const rec = await readAccountRecord(this.#o.secrets, loaded.id).catch(() => undefined);
    if (rec) return rec;
    // Before records, base64/env accounts kept rotated tokens under `<id>.rotated`.
    const rotated = await this.#o.secrets.get(ACCOUNT_SECRET_PREFIX + loaded.id + '.rotated');
    if (!rotated) return undefined;
    try {
      const r = JSON.parse(rotated) as Partial<KiroCredential>;
      const credential = { ...loaded.credential, ...r };
      return { credential, history: credential.refreshToken ? [tokenFingerprint(credential.refreshToken)] : [] };
    } catch {
      return undefined;
    }
  }

  /**
   * A creds-file entry's account id. Entries move (users reorder and extend the array) and their
   * refresh token changes on every rotation, so neither index nor token names the account. The
   * id is made once from the path and the first refresh token seen for the credential, and found
   * again through the fingerprints of every token the account held since (kept in its store
   * record): a reordered, extended or stale-token file maps each entry to the same account, with
   * the same label, enabled flag and the newest token the proxy has. Ids made by older versions
   * from the position are taken over once, for entries the store does not know yet.
   */
  async #fileAccountId(path: string, loaded: LoadedCredential, used: ReadonlySet<string>): Promise<string> {
    const rt = loaded.credential.refreshToken ?? loaded.credential.accessToken ?? '';
    const fp = tokenFingerprint(rt);
    for (const [id, meta] of Object.entries(this.#meta.accounts)) {
      if (meta.file !== path || used.has(id)) continue;
      const rec = await readAccountRecord(this.#o.secrets, id).catch(() => undefined);
      if (rec?.history.includes(fp)) return id;
    }
    const legacy = loaded.id;
    if (this.#meta.accounts[legacy] && !used.has(legacy) && !(await readAccountRecord(this.#o.secrets, legacy).catch(() => undefined))) return legacy;
    let id = `file-${sha256Hex(`file\0${path}\0${fp}`).slice(0, 12)}`;
    for (let n = 2; used.has(id); n++) id = `file-${sha256Hex(`file\0${path}\0${fp}\0${n}`).slice(0, 12)}`;
    return id;
  }

  #othersHistory(id: string): Set<string> {
    const out = new Set<string>();
    for (const [other, e] of this.#entries) {
      if (other === id || !e.sync) continue;
      for (const h of e.sync.history()) out.add(h);
    }
    return out;
  }

  #addOne(loaded: LoadedCredential, record: AccountRecord | undefined, link: AccountLink | undefined): AccountView {
    const machineId = machineIdFor(loaded.id);
    const old = this.#entries.get(loaded.id);
    old?.manager.dispose();
    const label = () => this.#accounts.get(loaded.id)?.label ?? this.#meta.accounts[loaded.id]?.label ?? loaded.label;
    // Assigned below, after the sync that calls back into it is built.
    // eslint-disable-next-line prefer-const
    let manager!: TokenManager;
    const sync =
      loaded.origin.type === 'mock'
        ? undefined
        : new AccountSync({
            id: loaded.id,
            label,
            credential: loaded.credential,
            record,
            link,
            store: this.#o.secrets,
            lockDir: this.#lockDir,
            refresh: (c, signal) => refreshCredential(this.#o.endpoints(), c, signal, { machineId }),
            probeUser: async (c, signal) => {
              const who = await this.#o.whoIs?.(c, machineId, signal);
              return who ? userFingerprint(who.userId) : undefined;
            },
            othersHistory: () => this.#othersHistory(loaded.id),
            clock: this.#o.clock,
            logger: this.#o.logger,
            onAdopt: (c) => {
              this.#register(c);
              manager.replaceCredential(c);
            },
            lifetime: this.#lifetime.signal,
            ...(this.#journal ? { journal: this.#journal } : {}),
          });
    const credential = sync?.credential ?? loaded.credential;
    this.#register(credential);
    this.#o.beforeAdd?.(credential);
    manager = new TokenManager({
      credential,
      refresh: async (c, signal) => {
        const plain = (p: KiroCredential, s: AbortSignal) => (sync ? sync.refresh(p, s) : refreshCredential(this.#o.endpoints(), p, s, { machineId }));
        const r = this.#o.team ? await this.#o.team.refresh(loaded.id, c, signal, plain) : await plain(c, signal);
        for (const v of [r.accessToken, r.refreshToken]) if (v) this.#o.registerSecret(v);
        return r;
      },
      clock: this.#o.clock,
      logger: this.#o.logger,
      label: loaded.label,
    });
    this.#entries.set(loaded.id, { manager, sync, loaded });
    this.#o.team?.track(loaded.id, manager);
    // A record for every account from the start, so its tokens are known even before a refresh.
    if (sync) void sync.save().catch((err: unknown) => this.#o.logger.warn(`[accounts] ${loaded.label}: could not save to the secret store: ${(err as Error).message}`));
    const meta = this.#meta.accounts[loaded.id];
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
    const account: PoolAccount = {
      id: loaded.id,
      label: meta?.label ?? loaded.label,
      source: link ? `${link.path}${link.dropped ? ' (no longer written: it holds another account)' : ''}` : describeOrigin(loaded.origin),
      authMethod: credential.kind,
      ...(credential.provider ? { provider: credential.provider } : {}),
      tokens,
      ...(credential.profileArn ? { profileArn: credential.profileArn } : {}),
      machineId,
      ...(credential.region ? { region: credential.region } : {}),
      ...(credential.kind === 'api_key' ? { tokenType: 'API_KEY' as const } : credential.kind === 'external_idp' ? { tokenType: 'EXTERNAL_IDP' as const } : {}),
      enabled: meta?.enabled !== false,
    };
    this.#accounts.set(loaded.id, account);
    return this.#o.pool.add(account);
  }

  #register(c: KiroCredential): void {
    for (const v of [c.accessToken, c.refreshToken, c.clientSecret]) if (v) this.#o.registerSecret(v);
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
    const out = [...this.#entries.values()].map(({ manager, loaded }) => {
      const form = toTokenFileForm(manager.credential);
      const entry: Record<string, unknown> = { id: loaded.id, label: this.#meta.accounts[loaded.id]?.label ?? loaded.label, source: describeOrigin(loaded.origin) };
      for (const [k, v] of Object.entries(form)) {
        if (v === undefined) continue;
        if (!includeSecrets && /token|secret/i.test(k)) continue;
        entry[k] = v;
      }
      return entry;
    });
    return JSON.stringify(out, null, 2);
  }

  /** The account that holds (or held) this refresh token, if any. */
  #ownerOf(refreshToken: string | undefined): string | undefined {
    if (!refreshToken) return undefined;
    const fp = tokenFingerprint(refreshToken);
    for (const [id, e] of this.#entries) if (e.sync?.history().has(fp)) return id;
    return undefined;
  }

  #linkedTo(path: string): [string, Entry][] {
    return [...this.#entries].filter(([, e]) => {
      const l = e.sync?.link;
      return l !== undefined && l.path === path && !l.dropped;
    });
  }

  /** Token files in the SSO cache, for "Scan Tokens". */
  async scanSsoCache(): Promise<{ path: string; label: string; alreadyImported: boolean }[]> {
    const found = await loadSsoCache(this.#o.ssoCache());
    return found.credentials.map((c) => {
      const path = c.origin.type === 'sso-cache' ? c.origin.path : describeOrigin(c.origin);
      return { path, label: c.label, alreadyImported: this.#ownerOf(c.credential.refreshToken) !== undefined };
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
    const signal = this.#lifetime.signal;
    const owner = this.#ownerOf(cred.credential.refreshToken);
    if (owner) {
      await this.#entries.get(owner)?.sync?.checkDisk(signal).catch(() => undefined);
      return this.#o.pool.get(owner)!;
    }
    // Let the accounts linked to the file look first: one of them may recognise a rotated token
    // as its own, or find out the file now holds someone else.
    for (const [, e] of this.#linkedTo(path)) await e.sync?.checkDisk(signal).catch(() => undefined);
    const again = this.#ownerOf((await loadSsoTokenFile(path)).credentials[0]?.credential.refreshToken);
    if (again) return this.#o.pool.get(again)!;
    const machineId = machineIdFor(path);
    const who = await this.#o.whoIs?.(cred.credential, machineId, signal).catch(() => undefined);
    const user = who ? userFingerprint(who.userId) : undefined;
    if (user) {
      const same = [...this.#entries].find(([, e]) => e.sync?.userFingerprint === user);
      if (same) return this.#o.pool.get(same[0])!;
    } else if (this.#linkedTo(path).length > 0) {
      // Whose token this is cannot be told (its access token expired), and an account linked
      // to the file will try it if its own token is rejected: a second account on the same
      // refresh token would kill both.
      const [id] = this.#linkedTo(path)[0]!;
      if (options.auto) return this.#o.pool.get(id)!;
    }
    const fp = tokenFingerprint(cred.credential.refreshToken ?? '');
    const legacy = credentialId({ type: 'sso-cache', path }, cred.credential);
    const id =
      this.#meta.accounts[legacy] && !this.#entries.has(legacy) && !(await readAccountRecord(this.#o.secrets, legacy).catch(() => undefined))
        ? legacy
        : `acct-${sha256Hex(`sso\0${path}\0${fp}`).slice(0, 12)}`;
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
    for (const [, e] of this.#linkedTo(path)) {
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
    const fresh = res.credentials.filter((c) => this.#ownerOf(c.credential.refreshToken) === undefined);
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

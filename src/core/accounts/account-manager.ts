// Turns credentials into pool accounts and keeps them persisted:
// - every loaded credential gets a TokenManager whose rotated tokens go back to their origin
//   file (atomically) or, for origins that cannot be written (base64, env, imports), to the
//   secret store;
// - imported accounts live in the secret store (secrets) + KIRO_PROXY_HOME/config.json (labels,
//   enabled flags), so they come back on the next start;
// - non-secret metadata never holds a token.
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { KiroEndpoints } from '../kiro/types.ts';
import type { Clock, Logger, SecretStore, AccountView } from '../proxy-types.ts';
import { credentialId, credentialLabel, describeOrigin, type KiroCredential, type LoadedCredential } from './credential.ts';
import { TokenManager } from './token-manager.ts';
import { refreshCredential } from './token-refresh.ts';
import { OriginPersister } from './persist-origin.ts';
import { machineIdFor } from '../kiro/request-headers.ts';
import { loadCredsJsonText, loadSsoCache, loadSsoTokenFile } from './credential-sources.ts';
import type { ManagedAccountPool } from './pool.ts';
import type { PoolAccount } from './pool-account.ts';
import { readJsonFile } from '../fs/read-json-file.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { ProxyError } from '../errors.ts';

const SECRET_PREFIX = 'kiro-proxy.account.';

interface StoredMeta {
  settings?: Record<string, unknown>;
  accounts: Record<string, { label?: string; enabled?: boolean; imported?: { sourceLabel: string } }>;
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

export class AccountManager {
  readonly #o: AccountManagerOptions;
  readonly #tokens = new Map<string, { manager: TokenManager; loaded: LoadedCredential }>();
  readonly #persister = new OriginPersister();
  readonly #accounts = new Map<string, PoolAccount>();
  #meta: StoredMeta = { accounts: {} };

  constructor(options: AccountManagerOptions) {
    this.#o = options;
  }

  get #metaPath(): string {
    return join(this.#o.home, 'config.json');
  }

  async loadMeta(): Promise<void> {
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
    await writeFileAtomic(this.#metaPath, JSON.stringify(this.#meta, null, 2) + '\n', { mode: 0o600 });
  }

  /** Saves the behaviour settings into config.json next to the account metadata. */
  async saveSettings(settings: Record<string, unknown>): Promise<void> {
    this.#meta.settings = settings;
    await this.#saveMeta();
  }

  /** Accounts imported earlier (kept in the secret store). */
  async loadStored(): Promise<LoadedCredential[]> {
    const out: LoadedCredential[] = [];
    for (const [id, meta] of Object.entries(this.#meta.accounts)) {
      if (!meta.imported) continue;
      const raw = await this.#o.secrets.get(SECRET_PREFIX + id);
      if (!raw) continue;
      const parsed = loadCredsJsonText(raw, `stored account ${id}`, () => ({ type: 'store', key: id }));
      const cred = parsed.credentials[0];
      if (cred) out.push({ ...cred, id, label: meta.label ?? meta.imported.sourceLabel });
      for (const p of parsed.problems) this.#o.logger.warn(`stored account ${id}: ${p.message}`);
    }
    return out;
  }

  /** Adds (or replaces) accounts in the pool, each with its own token manager. */
  async add(creds: LoadedCredential[]): Promise<AccountView[]> {
    const views: AccountView[] = [];
    for (const loaded of creds) {
      // A rotated token kept in the store (base64/env origins) wins over the stale original.
      const rotated = await this.#o.secrets.get(SECRET_PREFIX + loaded.id + '.rotated');
      let credential: KiroCredential = loaded.credential;
      if (rotated) {
        try {
          credential = { ...credential, ...(JSON.parse(rotated) as Partial<KiroCredential>) };
        } catch {
          /* ignore a corrupt entry: the original still works or fails loudly */
        }
      }
      for (const v of [credential.accessToken, credential.refreshToken, credential.clientSecret]) if (v) this.#o.registerSecret(v);
      this.#o.beforeAdd?.(credential);
      this.#tokens.get(loaded.id)?.manager.dispose();
      const machineId = machineIdFor(loaded.id);
      const manager = new TokenManager({
        credential,
        refresh: (c, signal) => refreshCredential(this.#o.endpoints(), c, signal, { machineId }),
        persist: (c) => this.#persist(loaded, c),
        clock: this.#o.clock,
        logger: this.#o.logger,
        label: loaded.label,
      });
      this.#tokens.set(loaded.id, { manager, loaded });
      const meta = this.#meta.accounts[loaded.id];
      const account: PoolAccount = {
          id: loaded.id,
          label: meta?.label ?? loaded.label,
          source: describeOrigin(loaded.origin),
          authMethod: credential.kind,
          ...(credential.provider ? { provider: credential.provider } : {}),
          tokens: manager,
          ...(credential.profileArn ? { profileArn: credential.profileArn } : {}),
          machineId,
          ...(credential.region ? { region: credential.region } : {}),
          ...(credential.kind === 'api_key' ? { tokenType: 'API_KEY' as const } : credential.kind === 'external_idp' ? { tokenType: 'EXTERNAL_IDP' as const } : {}),
          enabled: meta?.enabled !== false,
      };
      this.#accounts.set(loaded.id, account);
      views.push(this.#o.pool.add(account));
    }
    return views;
  }

  async #persist(loaded: LoadedCredential, c: KiroCredential): Promise<void> {
    for (const v of [c.accessToken, c.refreshToken]) if (v) this.#o.registerSecret(v);
    if (loaded.origin.type === 'store') {
      await this.#o.secrets.set(SECRET_PREFIX + loaded.id, JSON.stringify(toTokenFileForm(c)));
      return;
    }
    if (loaded.origin.type === 'mock') return;
    const written = await this.#persister.persist(loaded.origin, c);
    if (!written) {
      await this.#o.secrets.set(
        SECRET_PREFIX + loaded.id + '.rotated',
        JSON.stringify({ accessToken: c.accessToken, refreshToken: c.refreshToken, expiresAt: c.expiresAt, profileArn: c.profileArn }),
      );
    }
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
      const loaded: LoadedCredential = { ...c, id, origin: { type: 'store', key: id }, label: credentialLabel({ type: 'store', key: sourceLabel }, c.credential) };
      await this.#o.secrets.set(SECRET_PREFIX + id, JSON.stringify(toTokenFileForm(c.credential)));
      this.#meta.accounts[id] = { ...this.#meta.accounts[id], imported: { sourceLabel } };
      creds.push(loaded);
    }
    await this.#saveMeta();
    return this.add(creds);
  }

  /** Stores a credential obtained by an online login, as an imported account. */
  async addLoggedIn(cred: KiroCredential, sourceLabel: string): Promise<AccountView> {
    const views = await this.importJson(JSON.stringify(toTokenFileForm(cred)), sourceLabel);
    return views[0]!;
  }

  /** Every account in the creds-file form (an array); tokens and client secrets only when asked. */
  exportJson(includeSecrets: boolean): string {
    const out = [...this.#tokens.values()].map(({ manager, loaded }) => {
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

  /** Token files in the SSO cache, for "Scan Tokens". */
  async scanSsoCache(): Promise<{ path: string; label: string; alreadyImported: boolean }[]> {
    const found = await loadSsoCache(this.#o.ssoCache());
    return found.credentials.map((c) => ({
      path: c.origin.type === 'sso-cache' ? c.origin.path : describeOrigin(c.origin),
      label: c.label,
      alreadyImported: this.#tokens.has(c.id),
    }));
  }

  async importSsoFile(path: string): Promise<AccountView> {
    const res = await loadSsoTokenFile(path);
    const cred = res.credentials[0];
    if (!cred) throw new ProxyError('invalid_request', res.problems.map((p) => p.message).join('; ') || `${path}: not a Kiro token file`);
    const [view] = await this.add([cred]);
    return view!;
  }

  async remove(id: string): Promise<void> {
    this.#tokens.get(id)?.manager.dispose();
    this.#tokens.delete(id);
    this.#accounts.delete(id);
    this.#o.pool.remove(id);
    await this.#o.secrets.delete(SECRET_PREFIX + id);
    await this.#o.secrets.delete(SECRET_PREFIX + id + '.rotated');
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
    this.#meta.accounts[id] = { ...this.#meta.accounts[id], label };
    await this.#saveMeta();
  }

  /** The first enabled, non-expired account as the pool sees it (for catalogue calls). */
  firstActive(): PoolAccount | undefined {
    const view = this.#o.pool.list().find((a) => a.state === 'active');
    return view ? this.#accounts.get(view.id) : undefined;
  }

  has(id: string): boolean {
    return this.#tokens.has(id);
  }

  dispose(): void {
    for (const { manager } of this.#tokens.values()) manager.dispose();
    this.#tokens.clear();
  }
}

/** The Kiro token-file form of design §3 (camelCase), as stored for imported accounts. */
function toTokenFileForm(c: KiroCredential): Record<string, unknown> {
  if (c.kind === 'oauth') {
    return { client_id: c.clientId, client_secret: c.clientSecret, token_url: c.tokenUrl, refresh_token: c.refreshToken, scope: c.scope, access_token: c.accessToken, expires_at: c.expiresAt };
  }
  return {
    accessToken: c.accessToken,
    refreshToken: c.refreshToken,
    expiresAt: c.expiresAt !== undefined ? new Date(c.expiresAt).toISOString() : undefined,
    authMethod: c.kind === 'idc' ? 'IdC' : c.kind,
    provider: c.provider,
    profileArn: c.profileArn,
    region: c.region,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
  };
}

// Public contract of the core as hosts (CLI, VS Code, tests) see it. proxy.ts implements it.
import type { TeamHealthView } from './team/team-runtime.ts';
import type { UsageLimits } from './kiro/types.ts';

export type AccountState = 'active' | 'cooldown' | 'disabled' | 'expired' | 'error';
// The configuration's types are derived from its one schema (config/schema.ts).
import type { ProxyConfig } from './config/schema.ts';
export type { ProxyConfig, TruncationConfig, SelectionStrategy } from './config/schema.ts';

export interface Logger {
  trace(msg: string, ...args: unknown[]): void;
  debug(msg: string, ...args: unknown[]): void;
  info(msg: string, ...args: unknown[]): void;
  warn(msg: string, ...args: unknown[]): void;
  error(msg: string, ...args: unknown[]): void;
}

/** Where secrets (refresh/access tokens, client secrets, API key) live. Headless: a 0600 file; VS Code: SecretStorage. */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Fired when another process/window changed a secret. */
  onDidChange?(listener: (key: string) => void): { dispose(): void };
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { clear(): void };
}

interface AccountQuota extends UsageLimits {}

/** What hosts and /loadbalancer/instances show of an account. Never holds a secret. */
export interface AccountView {
  id: string;
  label: string;
  state: AccountState;
  /** Why the account is not active (human text). */
  stateReason?: string;
  cooldownUntil?: number;
  disabledUntil?: number;
  authMethod: string;
  provider?: string;
  source: string;
  enabled: boolean;
  tokenExpiresAt?: number;
  /** Where the account's tokens are (not) written, when the user should know: e.g. "not written back: … kept in the proxy's own store". */
  notice?: string;
  /** `aborted`: answers cut short because the client went away (never counted in `errors`). */
  counters: { requests: number; errors: number; aborted?: number; inFlight: number; tokensIn: number; tokensOut: number; credits: number };
  lastError?: { at: number; message: string; cls?: string };
  lastUsedAt?: number;
  quota?: AccountQuota;
}

export interface RequestLogEntry {
  id: string;
  time: number;
  method: string;
  route: string;
  dialect?: string;
  modelRequested?: string;
  modelSent?: string;
  accountId?: string;
  status: number;
  durationMs: number;
  firstTokenMs?: number;
  stream: boolean;
  inputTokens?: number;
  outputTokens?: number;
  credits?: number;
  truncatedTurns?: number;
  /** Declared tools the proxy cannot run (server/hosted tools), dropped before Kiro. */
  ignoredTools?: string[];
  rules?: string[];
  errorClass?: string;
  errorMessage?: string;
  cached?: boolean;
  /** Only when the user opted in to body logging. */
  requestBody?: string;
  responseBody?: string;
}

export interface ProxyStatus {
  running: boolean;
  url?: string;
  port?: number;
  host?: string;
  mode: 'mock' | 'real';
  startedAt?: number;
  requests: number;
  /** Since start, from the same request records as the Logs (observe/request-outcome.ts). */
  errors?: number;
  /** Since start: requests the client gave up on (499), never errors. */
  aborted?: number;
  inFlight: number;
  /** Random per proxy instance: tells one window's server from another's (and from a restart's). */
  instance?: string;
  /** Team mode only: the same view GET /health shows (never the Redis URL). */
  team?: TeamHealthView;
}

export type ProxyEvent = { type: 'status'; status: ProxyStatus } | { type: 'request'; entry: RequestLogEntry } | { type: 'accounts'; accounts: AccountView[] };

export interface Disposable {
  dispose(): void;
}

export interface ProxyHandle {
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  /** Applies a config change without restart where possible (restarts the listener for port/host). */
  applyConfig(patch: Partial<ProxyConfig>): Promise<void>;
  status(): ProxyStatus;
  onEvent(listener: (ev: ProxyEvent) => void): Disposable;
  accounts: {
    list(): AccountView[];
    refresh(id: string): Promise<AccountView>;
    refreshQuota(id: string): Promise<AccountView>;
    remove(id: string): Promise<void>;
    setEnabled(id: string, enabled: boolean): Promise<void>;
    setLabel(id: string, label: string): Promise<void>;
    /** Imports a credential JSON (either contract form, one or an array); returns the new accounts. */
    importJson(json: string, sourceLabel: string): Promise<AccountView[]>;
    /** Token files found in the SSO cache (for "Scan Tokens"). */
    scanSsoCache(): Promise<{ path: string; label: string; alreadyImported: boolean }[]>;
    importSsoFile(path: string): Promise<AccountView>;
    /** Kiro social login (PKCE, loopback redirect); `openUrl` shows the login page to the user. */
    loginSocial(provider: 'Google' | 'Github', openUrl: (url: string) => Promise<void> | void, signal?: AbortSignal): Promise<AccountView>;
    /**
     * AWS Builder ID (no startUrl) or IAM Identity Center (startUrl + region) device-code login.
     * Resolves once the user code is known; `complete()` resolves when the user approved.
     */
    startDeviceLogin(options: { startUrl?: string; region?: string; signal?: AbortSignal }): Promise<{
      userCode: string;
      verificationUri: string;
      verificationUriComplete?: string;
      expiresAt: number;
      complete(): Promise<AccountView>;
    }>;
    /** Accounts as JSON in the creds-file form; secrets only when asked. */
    exportJson(includeSecrets: boolean): Promise<string>;
  };
  logs(): RequestLogEntry[];
}

// Owns this window's side of the proxy: lazy creation of the core, start/stop, and which window
// serves the port. Exactly one window per port owns the server and the pool; the others follow
// it over its admin API and take over when it goes away. The port is never changed silently.
import * as vscode from 'vscode';
import { mkdir } from 'node:fs/promises';
import type { AccountView, Logger, ProxyConfig, ProxyEvent, ProxyHandle, ProxyStatus, SecretStore } from '../core/proxy-types.ts';
import { AdminError, type AdminMethod, type AdminParams, type AdminResult } from '../core/admin/protocol.ts';
import { publicConfig } from '../core/admin/public-view.ts';
import { dispatchAdmin, type AdminTarget } from '../core/admin/dispatch.ts';
import { monitorSeries } from '../core/admin/monitor-series.ts';
import { Disposable, interval, type IDisposable } from './lifecycle.ts';
import { probeKiroProxy, probeHost } from './health-probe.ts';
import { callRemoteAdmin, followRemoteEvents, type RemoteEndpoint } from './remote-admin.ts';
import { configDiff, settingsToConfig, type KiroSettings } from './settings-to-config.ts';
import { API_KEY_SECRET, getOrCreateApiKey } from './api-key.ts';

export type ServeState =
  | { kind: 'stopped' }
  | { kind: 'starting' }
  | { kind: 'running'; url: string; port: number }
  | { kind: 'other-window'; url: string; port: number }
  | { kind: 'error'; message: string };

interface CoreModule {
  createProxy(config: ProxyConfig, deps: { logger: Logger; secrets: SecretStore; dashboardDir?: string }): ProxyHandle & { getConfig?(): ProxyConfig };
  defaultConfig(overrides?: Partial<ProxyConfig>): ProxyConfig;
}

export interface ControllerDeps {
  logger: Logger;
  secrets: SecretStore;
  readSettings(): KiroSettings;
  globalStorage: string;
  /** dist/ of the extension: the proxy serves the same dashboard bundle at /dashboard. */
  dashboardDir: string;
  env: Record<string, string | undefined>;
  /** Loads the core on first need (kept out of activation). */
  loadCore(): Promise<CoreModule>;
}

const TAKEOVER_POLL_MS = 2500;
/** Read-only methods answered without creating the core while nothing runs. */
const IDLE_ANSWERS = new Set<AdminMethod>(['status', 'accounts.list', 'logs.list', 'monitor.series']);

export class PortInUseError extends Error {
  constructor(host: string, port: number) {
    super(
      `Port ${port} on ${host} is used by another program, so Kiro Proxy cannot listen there. ` +
        `Stop that program or choose another port in the setting "kiroProxy.port" (the proxy never moves to another port by itself).`,
    );
    this.name = 'PortInUseError';
  }
}

export class ProxyController extends Disposable {
  private _state: ServeState = { kind: 'stopped' };
  private proxy: ProxyHandle | undefined;
  private config: ProxyConfig | undefined;
  private core: Promise<CoreModule> | undefined;
  private remote: { endpoint: RemoteEndpoint; port: number; host: string; events: IDisposable; poll: IDisposable } | undefined;
  private probing = false;
  /** Start/stop/restart/settings changes run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private _accounts: AccountView[] = [];
  private _status: ProxyStatus | undefined;

  private readonly stateEmitter = this._register(new vscode.EventEmitter<ServeState>());
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly eventEmitter = this._register(new vscode.EventEmitter<ProxyEvent>());
  /** Events of whichever proxy serves (this window's or the other window's). */
  readonly onProxyEvent = this.eventEmitter.event;

  private readonly deps: ControllerDeps;

  constructor(deps: ControllerDeps) {
    super();
    this.deps = deps;
  }

  get state(): ServeState {
    return this._state;
  }
  get accounts(): readonly AccountView[] {
    return this._accounts;
  }
  get lastStatus(): ProxyStatus | undefined {
    return this._status;
  }
  /** The config this window's proxy runs with (undefined before the core is created). */
  get currentConfig(): ProxyConfig | undefined {
    return this.config;
  }

  /** Base URL clients should use: the serving proxy's, else what the settings would give. */
  baseUrl(): string {
    const s = this._state;
    if (s.kind === 'running' || s.kind === 'other-window') return s.url;
    const settings = this.deps.readSettings();
    return `http://${probeHost(settings.host)}:${settings.port}`;
  }

  apiKey(): Promise<string> {
    return getOrCreateApiKey(this.deps.secrets);
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  /** Settings changed: apply to the live proxy without a reload; re-check ownership if the port moved. */
  settingsChanged(): Promise<void> {
    return this.enqueue(async () => {
      const s = this.deps.readSettings();
      if (this.remote) {
        if (this.remote.port !== s.port || this.remote.host !== s.host) {
          this.leaveRemote();
          this.setState({ kind: 'stopped' });
          await this.doStart();
        }
        return;
      }
      if (!this.proxy || !this.config) return;
      const next = await this.buildConfig();
      const diff = configDiff(this.config, next);
      if (Object.keys(diff).length === 0) return;
      this.config = next;
      this.deps.logger.info(`applying settings: ${Object.keys(diff).join(', ')}`);
      try {
        await this.proxy.applyConfig(diff);
        if (this._state.kind === 'running') this.setRunningFromStatus();
      } catch (err) {
        this.failWith(err, next);
        throw err;
      }
    });
  }

  /** Ensures the core exists (loading accounts) without listening. */
  async ensureProxy(): Promise<ProxyHandle> {
    if (this.proxy) return this.proxy;
    const core = await this.loadCore();
    if (this.proxy) return this.proxy;
    const config = await this.buildConfig();
    // The state home (globalStorage by default) may not exist yet on a fresh install.
    await mkdir(config.home, { recursive: true });
    const proxy = core.createProxy(config, { logger: this.deps.logger, secrets: this.deps.secrets, dashboardDir: this.deps.dashboardDir });
    this.proxy = proxy;
    this.config = config;
    this._register(proxy.onEvent((ev) => this.onLocalEvent(ev)));
    this.onLocalEvent({ type: 'accounts', accounts: proxy.accounts.list() });
    return proxy;
  }

  /** Starts the proxy unless this or another window already serves it. */
  async ensureServing(): Promise<void> {
    const k = this._state.kind;
    if (k !== 'running' && k !== 'other-window') await this.start();
  }

  /** The local core, running here (logins need it: their redirects come back to this process). */
  async ensureRunningLocally(): Promise<ProxyHandle> {
    await this.ensureServing();
    if (this._state.kind === 'other-window' || !this.proxy) {
      throw new Error('Another window serves the proxy; sign in from that window (or stop it there and start it here).');
    }
    return this.proxy;
  }

  /** The admin protocol against whichever proxy serves; the same methods the dashboard uses. */
  async call<M extends AdminMethod>(method: M, params?: AdminParams<M>): Promise<AdminResult<M>> {
    if (this.remote) return (await callRemoteAdmin(this.remote.endpoint, method, params)) as AdminResult<M>;
    if (!this.proxy?.status().running) {
      if (method === 'config.get') return publicConfig(this.config ?? (await this.buildConfig())) as AdminResult<M>;
      if (IDLE_ANSWERS.has(method)) return method === 'status' && this.proxy ? (this.proxy.status() as AdminResult<M>) : this.idleAnswer(method);
      // Not serving here: if another window serves, ask it rather than failing.
      const s = this.deps.readSettings();
      const probe = s.port !== 0 ? await probeKiroProxy(s.host, s.port) : { kind: 'free' as const };
      if (probe.kind === 'kiro') return (await callRemoteAdmin(await this.endpoint(probe.url), method, params)) as AdminResult<M>;
      throw new AdminError('not_running', 'The proxy is not running. Start it with "Kiro: Start Proxy".');
    }
    return (await dispatchAdmin(method, params, this.adminTarget())) as AdminResult<M>;
  }

  /** The config the settings describe right now (for config.get while stopped). */
  async buildConfig(): Promise<ProxyConfig> {
    const core = await this.loadCore();
    const s = this.deps.readSettings();
    const apiKey = s.requireApiKey ? await getOrCreateApiKey(this.deps.secrets) : undefined;
    return settingsToConfig(s, core.defaultConfig(), { env: this.deps.env, globalStorage: this.deps.globalStorage, apiKey });
  }

  /** Stops the local server (if any) and lets go of everything; for deactivate. */
  async shutdown(): Promise<void> {
    this.leaveRemote();
    const proxy = this.proxy;
    try {
      if (proxy && proxy.status().running) await proxy.stop();
    } finally {
      this.dispose();
    }
  }

  override dispose(): void {
    this.leaveRemote();
    super.dispose();
  }

  // ---- internals ----

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private loadCore(): Promise<CoreModule> {
    this.core ??= this.deps.loadCore().catch((err: unknown) => {
      this.core = undefined;
      throw err;
    });
    return this.core;
  }

  private async doStart(): Promise<void> {
    if (this.isDisposed) return;
    const k = this._state.kind;
    if (k === 'running' || k === 'other-window') return;
    this.setState({ kind: 'starting' });
    const s = this.deps.readSettings();
    try {
      if (s.port !== 0) {
        const probe = await probeKiroProxy(s.host, s.port);
        if (probe.kind === 'kiro') return await this.enterRemote(probe.url, s.host, s.port);
        if (probe.kind === 'foreign') throw new PortInUseError(s.host, s.port);
      }
      const proxy = await this.ensureProxy();
      // Settings may have changed while the core sat idle.
      const next = await this.buildConfig();
      const diff = configDiff(this.config!, next);
      if (Object.keys(diff).length > 0) {
        this.config = next;
        await proxy.applyConfig(diff);
      }
      try {
        await proxy.start();
      } catch (err) {
        if (!isAddrInUse(err)) throw err;
        // Lost a race with another window starting on the same port?
        const again = await probeKiroProxy(s.host, s.port);
        if (again.kind === 'kiro') return await this.enterRemote(again.url, s.host, s.port);
        throw new PortInUseError(s.host, s.port);
      }
      this.setRunningFromStatus();
      this.deps.logger.info(`proxy listening on ${this.baseUrl()}`);
    } catch (err) {
      this.failWith(err, undefined);
      throw err;
    }
  }

  private async doStop(): Promise<void> {
    this.leaveRemote();
    if (this.proxy?.status().running) await this.proxy.stop();
    this.setState({ kind: 'stopped' });
    if (this.proxy) this.onLocalEvent({ type: 'status', status: this.proxy.status() });
  }

  private failWith(err: unknown, _config: ProxyConfig | undefined): void {
    const message = err instanceof Error ? err.message : String(err);
    this.deps.logger.error(`proxy failed: ${message}`);
    this.setState({ kind: 'error', message });
  }

  private setRunningFromStatus(): void {
    const st = this.proxy!.status();
    const port = st.port ?? this.config!.port;
    const url = st.url ?? `http://${probeHost(this.config!.host)}:${port}`;
    this.setState({ kind: 'running', url, port });
    this.onLocalEvent({ type: 'status', status: st });
  }

  private async endpoint(url: string): Promise<RemoteEndpoint> {
    // The owner reads the same SecretStorage, so its key is ours too.
    return { url, apiKey: await this.deps.secrets.get(API_KEY_SECRET) };
  }

  private async enterRemote(url: string, host: string, port: number): Promise<void> {
    const endpoint = await this.endpoint(url);
    const events = followRemoteEvents(endpoint, (ev) => this.onRemoteEvent(ev), this.deps.logger);
    const poll = interval(() => void this.checkOwnerGone(), TAKEOVER_POLL_MS);
    this.remote = { endpoint, host, port, events, poll };
    this.setState({ kind: 'other-window', url, port });
    this.deps.logger.info(`another window serves ${url}; this window follows it and takes over when it closes`);
  }

  private leaveRemote(): void {
    if (!this.remote) return;
    this.remote.events.dispose();
    this.remote.poll.dispose();
    this.remote = undefined;
  }

  private async checkOwnerGone(): Promise<void> {
    const r = this.remote;
    if (!r || this.probing) return;
    this.probing = true;
    try {
      const probe = await probeKiroProxy(r.host, r.port);
      if (probe.kind === 'kiro' || this.remote !== r) return;
      this.deps.logger.info('the window that served the proxy went away; taking over');
      await this.enqueue(async () => {
        if (this.remote !== r) return;
        this.leaveRemote();
        this.setState({ kind: 'stopped' });
        await this.doStart();
      }).catch(() => undefined);
    } finally {
      this.probing = false;
    }
  }

  private onLocalEvent(ev: ProxyEvent): void {
    if (this.remote) return;
    this.remember(ev);
    this.eventEmitter.fire(ev);
  }

  private onRemoteEvent(ev: ProxyEvent): void {
    if (!this.remote) return;
    this.remember(ev);
    this.eventEmitter.fire(ev);
  }

  private remember(ev: ProxyEvent): void {
    if (ev.type === 'accounts') this._accounts = ev.accounts;
    else if (ev.type === 'status') this._status = ev.status;
  }

  private setState(s: ServeState): void {
    this._state = s;
    if (s.kind === 'stopped' || s.kind === 'error') {
      // Without a local proxy there is nothing to show; with one, its accounts stay visible.
      if (!this.proxy) this.remember({ type: 'accounts', accounts: [] });
      else this.remember({ type: 'accounts', accounts: this.proxy.accounts.list() });
    }
    this.stateEmitter.fire(s);
  }

  private adminTarget(): AdminTarget {
    const p = this.proxy! as ProxyHandle & { getConfig?(): ProxyConfig };
    return {
      start: () => p.start(),
      stop: () => p.stop(),
      applyConfig: (patch) => p.applyConfig(patch),
      status: () => p.status(),
      onEvent: (l) => p.onEvent(l),
      accounts: p.accounts,
      logs: () => p.logs(),
      getConfig: () => p.getConfig?.() ?? this.config!,
    };
  }

  private idleAnswer<M extends AdminMethod>(method: M): AdminResult<M> {
    const s = this.deps.readSettings();
    const answers: Partial<{ [K in AdminMethod]: AdminResult<K> }> = {
      status: { running: false, mode: s.mockMode || this.deps.env['KIRO_MOCK_MODE'] === 'true' ? 'mock' : 'real', requests: 0, inFlight: 0 },
      'accounts.list': [],
      'logs.list': [],
      'monitor.series': monitorSeries([], Date.now()),
    };
    return answers[method] as AdminResult<M>;
  }
}

function isAddrInUse(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    if ((e as { code?: unknown }).code === 'EADDRINUSE') return true;
    if (e instanceof Error && /EADDRINUSE/.test(e.message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

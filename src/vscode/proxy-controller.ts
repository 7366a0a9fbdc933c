// Owns this window's side of the proxy: lazy creation of the core, start/stop/restart in order,
// settings applied live, and the admin calls the views make. Exactly one window per port owns the
// server and the pool; the others follow it over its admin API. The rules between windows (Stop
// stops all, announced takeover only when the serving window is gone) live in
// serving-windows.ts; this file asks it who serves and answers its requests. The port is never
// changed silently.
import * as vscode from 'vscode';
import { mkdir } from 'node:fs/promises';
import type { AccountView, ProxyConfig, ProxyEvent, ProxyHandle, ProxyStatus } from '../core/proxy-types.ts';
import type { AdminMethod, AdminParams, AdminResult } from '../core/admin/protocol.ts';
import { dispatchAdmin } from '../core/admin/dispatch.ts';
import { Disposable } from './lifecycle.ts';
import { probeKiroProxy, probeHost } from './health-probe.ts';
import { callRemoteAdmin, type RemoteEndpoint } from './remote-admin.ts';
import { configDiff, settingsToConfig } from './settings-to-config.ts';
import { API_KEY_SECRET, getOrCreateApiKey } from './api-key.ts';
import { teamStateKey } from './team-state-key.ts';
import { listenOnConfiguredPort } from './bind-retry.ts';
import { isProcessAlive, stopStillInForce } from './serve-intent.ts';
import { adminTargetOf, answerWhileStopped } from './admin-access.ts';
import { ServingWindows } from './serving-windows.ts';
import { PortInUseError, type Announcement, type ServeState, type StopReason } from './serve-state.ts';
import type { ControllerDeps, CoreModule } from './controller-deps.ts';

export class ProxyController extends Disposable {
  private _state: ServeState = { kind: 'stopped' };
  private proxy: ProxyHandle | undefined;
  private config: ProxyConfig | undefined;
  private core: Promise<CoreModule> | undefined;
  /** When this window's server last started (a Stop written before that is not for it). */
  private servingSince = 0;
  /** Start/stop/restart/settings changes run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private _accounts: AccountView[] = [];
  private _status: ProxyStatus | undefined;
  private readonly windows: ServingWindows;

  private readonly stateEmitter = this._register(new vscode.EventEmitter<ServeState>());
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly eventEmitter = this._register(new vscode.EventEmitter<ProxyEvent>());
  /** Events of whichever proxy serves (this window's or the other window's). */
  readonly onProxyEvent = this.eventEmitter.event;
  /** Takeovers and stops made elsewhere, for a notification in this window. */
  readonly onDidAnnounce: vscode.Event<Announcement>;

  private readonly deps: ControllerDeps;

  constructor(deps: ControllerDeps) {
    super();
    this.deps = deps;
    this.windows = this._register(
      new ServingWindows(deps.env['KIRO_PROXY_HOME'] || deps.globalStorage, {
        logger: deps.logger,
        endpoint: (url) => this.endpoint(url),
        state: () => this._state,
        setState: (s) => this.setState(s),
        failWith: (err) => this.failWith(err),
        enqueue: (fn) => this.enqueue(fn),
        servingSince: () => this.servingSince,
        onRemoteEvent: (ev) => this.onRemoteEvent(ev),
        stopForOtherWindow: () => this.doStop('other-window'),
        restartForOtherWindow: async () => {
          await this.doStop('restart');
          await this.doStart();
        },
        takeOver: (previousUrl) => this.doStart({ takeoverOf: previousUrl }),
        settings: () => this.deps.readSettings(),
      }),
    );
    this.onDidAnnounce = this.windows.onDidAnnounce;
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
  /** Tells this window's writes to the intent file from other windows'. */
  get windowId(): string {
    return this.windows.windowId;
  }
  /** Where the windows keep their shared serving intent (tests and diagnostics). */
  get intentPath(): string {
    return this.windows.intentPath;
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

  /**
   * Called once after activation: learns who serves the port right away (so a new window shows
   * "served by another window" at once) and keeps listening to the other windows.
   */
  observe(): Promise<void> {
    this.windows.watch();
    return this.enqueue(async () => {
      const k = this._state.kind;
      if (k !== 'stopped' && k !== 'error') return;
      await this.windows.lookAround();
    });
  }

  /** kiroProxy.autoStart: start unless a Stop made in this editor session still holds. */
  async autoStart(): Promise<void> {
    const s = this.deps.readSettings();
    if (stopStillInForce(await this.windows.readIntent(), s.port, isProcessAlive)) {
      this.deps.logger.info('autoStart skipped: the proxy was stopped in another window of this session');
      return;
    }
    await this.start();
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  /** "Stop" means stop, in every window: the serving window stops and nobody takes over. */
  stop(): Promise<void> {
    return this.enqueue(() => this.doStop('user'));
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      const remote = this.windows.remote;
      if (remote) {
        // The serving window restarts its server; this window keeps following it.
        await this.windows.writeIntent({ state: 'restart-requested', port: remote.port });
        return;
      }
      await this.doStop('restart');
      await this.doStart();
    });
  }

  /** Settings changed: apply to the live proxy without a reload; re-check ownership if the port moved. */
  settingsChanged(): Promise<void> {
    return this.enqueue(async () => {
      const s = this.deps.readSettings();
      const remote = this.windows.remote;
      if (remote) {
        if (remote.port !== s.port || remote.host !== s.host) {
          this.windows.leave();
          this.setState({ kind: 'stopped' });
          // The serving window moves too (same application-scoped settings): wait for it.
          const moved = await this.windows.waitForRestartedOwner(s.host, s.port);
          if (moved) await this.windows.follow(moved, s.host, s.port);
          else await this.doStart();
        }
        return;
      }
      if (!this.proxy || !this.config) return;
      await this.applyToLiveProxy(this.proxy);
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
    const proxy = core.createProxy(config, {
      logger: this.deps.logger,
      secrets: this.deps.secrets,
      dashboardDir: this.deps.dashboardDir,
      // Team mode's key: SecretStorage ("Kiro: Set Team State Key"), else the environment; never a setting.
      teamStateKey: () => teamStateKey(this.deps.secrets, this.deps.env),
    });
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
    const remote = this.windows.remote;
    if (remote) return (await callRemoteAdmin(remote.endpoint, method, params)) as AdminResult<M>;
    const proxy = this.proxy;
    if (!proxy?.status().running) {
      return answerWhileStopped(method, params, {
        proxy,
        config: async () => this.config ?? (await this.buildConfig()),
        settings: this.deps.readSettings(),
        mockEnv: this.deps.env['KIRO_MOCK_MODE'] === 'true',
        endpoint: (url) => this.endpoint(url),
      });
    }
    return (await dispatchAdmin(
      method,
      params,
      adminTargetOf(proxy, () => this.config!),
    )) as AdminResult<M>;
  }

  /** The config the settings describe right now (for config.get while stopped). */
  async buildConfig(): Promise<ProxyConfig> {
    const core = await this.loadCore();
    const s = this.deps.readSettings();
    const apiKey = s.requireApiKey ? await getOrCreateApiKey(this.deps.secrets) : undefined;
    return settingsToConfig(s, core.defaultConfig(), { env: this.deps.env, globalStorage: this.deps.globalStorage, apiKey });
  }

  /**
   * The window closes: stop the local server so another window can take the port. The intent is
   * left as it is (not "stopped"), which is what lets a follower take over.
   */
  async shutdown(): Promise<void> {
    this.windows.leave();
    const proxy = this.proxy;
    try {
      if (proxy && proxy.status().running) await proxy.stop();
    } finally {
      this.dispose();
    }
  }

  override dispose(): void {
    this.windows.leave();
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

  /** The settings changed while this window serves: apply the difference without a restart. */
  private async applyToLiveProxy(proxy: ProxyHandle): Promise<void> {
    const next = await this.buildConfig();
    const diff = configDiff(this.config!, next);
    if (Object.keys(diff).length === 0) return;
    this.config = next;
    this.deps.logger.info(`applying settings: ${Object.keys(diff).join(', ')}`);
    const moves = this._state.kind === 'running' && ('port' in diff || 'host' in diff);
    if (moves) await this.windows.writeIntent({ state: 'restarting', port: next.port });
    try {
      await proxy.applyConfig(diff);
      if (this._state.kind === 'running') {
        this.setRunningFromStatus();
        if (moves) await this.windows.writeServing(this.proxy?.status());
      }
    } catch (err) {
      this.failWith(err);
      throw err;
    }
  }

  private async doStart(opts: { takeoverOf?: string } = {}): Promise<void> {
    if (this.isDisposed) return;
    const k = this._state.kind;
    if (k === 'running' || k === 'other-window') return;
    this.setState({ kind: 'starting' });
    const s = this.deps.readSettings();
    try {
      if (s.port !== 0) {
        const probe = await probeKiroProxy(s.host, s.port);
        if (probe.kind === 'kiro') return await this.windows.follow(probe, s.host, s.port, opts.takeoverOf);
      }
      const proxy = await this.ensureProxy();
      // Settings may have changed while the core sat idle.
      const next = await this.buildConfig();
      const diff = configDiff(this.config!, next);
      if (Object.keys(diff).length > 0) {
        this.config = next;
        await proxy.applyConfig(diff);
      }
      const outcome = await listenOnConfiguredPort(() => proxy.start(), s.host, s.port);
      // Lost a race with another window starting (or taking over) on the same port.
      if (outcome.kind === 'kiro') return await this.windows.follow(outcome, s.host, s.port, opts.takeoverOf);
      if (outcome.kind === 'foreign') throw new PortInUseError(s.host, s.port, outcome.reason);
      this.servingSince = Date.now();
      this.setRunningFromStatus();
      this.deps.logger.info(`proxy listening on ${this.baseUrl()}`);
      await this.windows.writeServing(this.proxy?.status());
      if (opts.takeoverOf) this.windows.announceTookOverHere(opts.takeoverOf, proxy.accounts.list().length);
    } catch (err) {
      this.failWith(err);
      throw err;
    }
  }

  private async doStop(reason: StopReason): Promise<void> {
    const following = this.windows.remote;
    if (following) {
      this.windows.leave();
      if (reason !== 'user') this.setState({ kind: 'stopped' });
      else await this.windows.stopFollowed(following);
      return;
    }
    if (this.proxy?.status().running) {
      const port = this.proxy.status().port ?? this.config?.port ?? 0;
      // Written before the server goes, so a follower that sees it go knows why.
      if (reason === 'user') await this.windows.writeIntent({ state: 'stopped', port });
      else if (reason === 'restart') await this.windows.writeIntent({ state: 'restarting', port });
      await this.proxy.stop();
    }
    this.setState(reason === 'other-window' ? { kind: 'stopped', note: 'Stopped from another window.' } : { kind: 'stopped' });
    if (this.proxy) this.onLocalEvent({ type: 'status', status: this.proxy.status() });
  }

  private failWith(err: unknown): void {
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

  private onLocalEvent(ev: ProxyEvent): void {
    if (this.windows.remote) return;
    this.remember(ev);
    this.eventEmitter.fire(ev);
  }

  private onRemoteEvent(ev: ProxyEvent): void {
    if (!this.windows.remote) return;
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
}

// Owns this window's side of the proxy: lazy creation of the core, start/stop, and which window
// serves the port. Exactly one window per port owns the server and the pool; the others follow
// it over its admin API. The windows agree through a shared intent file (serve-intent.ts): a Stop
// in any window stops the proxy for all of them; a follower takes over only when the serving
// window closed or crashed, says so, and starts from the pool's persisted state. The port is
// never changed silently.
import * as vscode from 'vscode';
import { mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountView, Logger, ProxyConfig, ProxyEvent, ProxyHandle, ProxyStatus, SecretStore } from '../core/proxy-types.ts';
import { AdminError, type AdminMethod, type AdminParams, type AdminResult } from '../core/admin/protocol.ts';
import { publicConfig } from '../core/admin/public-view.ts';
import { dispatchAdmin, type AdminTarget } from '../core/admin/dispatch.ts';
import { monitorSeries } from '../core/admin/monitor-series.ts';
import { Disposable, type IDisposable } from './lifecycle.ts';
import { probeKiroProxy, probeHost, probeSettled, type ProbeResult } from './health-probe.ts';
import { callRemoteAdmin, type RemoteEndpoint } from './remote-admin.ts';
import { configDiff, settingsToConfig, type KiroSettings } from './settings-to-config.ts';
import { API_KEY_SECRET, getOrCreateApiKey } from './api-key.ts';
import { bindWithRetry } from './bind-retry.ts';
import { FollowedOwner } from './followed-owner.ts';
import { decideOwnerGone, isProcessAlive, RESTART_GRACE_MS, ServeIntentFile, stopStillInForce, type ServeIntent } from './serve-intent.ts';

export type ServeState =
  | { kind: 'stopped'; note?: string }
  | { kind: 'starting' }
  | { kind: 'running'; url: string; port: number }
  | { kind: 'other-window'; url: string; port: number }
  | { kind: 'error'; message: string };

/** Something every window's user should be told (the host shows it as a notification). */
export interface Announcement {
  level: 'info' | 'warning';
  message: string;
}

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

/** Read-only methods answered without creating the core while nothing runs. */
const IDLE_ANSWERS = new Set<AdminMethod>(['status', 'accounts.list', 'logs.list', 'monitor.series']);
/** Followers that see the owner gone wait a random moment, so one of them binds first. */
const TAKEOVER_JITTER_MS = 300;

export class PortInUseError extends Error {
  constructor(host: string, port: number, detail?: string) {
    super(
      `Port ${port} on ${host} is used by another program${detail ? ` (${detail})` : ''}, so Kiro Proxy cannot listen there. ` +
        `Stop that program or choose another port in the setting "kiroProxy.port" (the proxy never moves to another port by itself).`,
    );
    this.name = 'PortInUseError';
  }
}

type StopReason = 'user' | 'restart' | 'other-window';

export class ProxyController extends Disposable {
  private _state: ServeState = { kind: 'stopped' };
  private proxy: ProxyHandle | undefined;
  private config: ProxyConfig | undefined;
  private core: Promise<CoreModule> | undefined;
  private remote: FollowedOwner | undefined;
  private checking = false;
  /** When this window's server last started (a Stop written before that is not for it). */
  private servingSince = 0;
  /** Start/stop/restart/settings changes run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private _accounts: AccountView[] = [];
  private _status: ProxyStatus | undefined;
  private intentWatch: IDisposable | undefined;
  /** Tells this window's writes to the intent file from other windows'. */
  readonly windowId = randomUUID();
  private readonly intent: ServeIntentFile;

  private readonly stateEmitter = this._register(new vscode.EventEmitter<ServeState>());
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly eventEmitter = this._register(new vscode.EventEmitter<ProxyEvent>());
  /** Events of whichever proxy serves (this window's or the other window's). */
  readonly onProxyEvent = this.eventEmitter.event;
  private readonly announceEmitter = this._register(new vscode.EventEmitter<Announcement>());
  /** Takeovers and stops made elsewhere, for a notification in this window. */
  readonly onDidAnnounce = this.announceEmitter.event;

  private readonly deps: ControllerDeps;

  constructor(deps: ControllerDeps) {
    super();
    this.deps = deps;
    this.intent = new ServeIntentFile(deps.env['KIRO_PROXY_HOME'] || deps.globalStorage);
    this._register({ dispose: () => this.intentWatch?.dispose() });
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
  /** Where the windows keep their shared serving intent (tests and diagnostics). */
  get intentPath(): string {
    return this.intent.path;
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
    this.intentWatch ??= this.intent.watch(() => void this.onIntentChanged().catch((err: unknown) => this.deps.logger.debug(`serving intent: ${String(err)}`)));
    return this.enqueue(async () => {
      const k = this._state.kind;
      if (k !== 'stopped' && k !== 'error') return;
      await this.lookAround();
    });
  }

  /** kiroProxy.autoStart: start unless a Stop made in this editor session still holds. */
  async autoStart(): Promise<void> {
    const s = this.deps.readSettings();
    if (stopStillInForce(await this.intent.read(), s.port, isProcessAlive)) {
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
      if (this.remote) {
        // The serving window restarts its server; this window keeps following it.
        await this.writeIntent({ state: 'restart-requested', port: this.remote.port });
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
      if (this.remote) {
        if (this.remote.port !== s.port || this.remote.host !== s.host) {
          this.leaveRemote();
          this.setState({ kind: 'stopped' });
          // The serving window moves too (same application-scoped settings): wait for it.
          const moved = await this.waitForRestartedOwner(s.host, s.port);
          if (moved) await this.enterRemote(moved, s.host, s.port);
          else await this.doStart();
        }
        return;
      }
      if (!this.proxy || !this.config) return;
      const next = await this.buildConfig();
      const diff = configDiff(this.config, next);
      if (Object.keys(diff).length === 0) return;
      this.config = next;
      this.deps.logger.info(`applying settings: ${Object.keys(diff).join(', ')}`);
      const moves = this._state.kind === 'running' && ('port' in diff || 'host' in diff);
      if (moves) await this.writeIntent({ state: 'restarting', port: next.port });
      try {
        await this.proxy.applyConfig(diff);
        if (this._state.kind === 'running') {
          this.setRunningFromStatus();
          if (moves) await this.writeServingIntent();
        }
      } catch (err) {
        this.failWith(err);
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

  /**
   * The window closes: stop the local server so another window can take the port. The intent is
   * left as it is (not "stopped"), which is what lets a follower take over.
   */
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

  /** Not serving, not following: is someone serving the port? (No core is loaded for this.) */
  private async lookAround(): Promise<void> {
    const s = this.deps.readSettings();
    if (s.port === 0) return;
    const probe = await probeSettled(s.host, s.port);
    if (probe.kind === 'kiro') await this.enterRemote(probe, s.host, s.port);
    else if (probe.kind === 'free' && this._state.kind === 'error') this.setState({ kind: 'stopped' });
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
        if (probe.kind === 'kiro') {
          await this.enterRemote(probe, s.host, s.port);
          if (opts.takeoverOf) this.announceOtherTookOver(opts.takeoverOf);
          return;
        }
      }
      const proxy = await this.ensureProxy();
      // Settings may have changed while the core sat idle.
      const next = await this.buildConfig();
      const diff = configDiff(this.config!, next);
      if (Object.keys(diff).length > 0) {
        this.config = next;
        await proxy.applyConfig(diff);
      }
      const outcome =
        s.port === 0
          ? (await proxy.start(), { kind: 'bound' as const })
          : await bindWithRetry({
              bind: async () => void (await proxy.start()),
              probe: () => probeKiroProxy(s.host, s.port),
              sleep: (ms) => sleep(ms),
              now: () => Date.now(),
            });
      if (outcome.kind === 'kiro') {
        // Lost a race with another window starting (or taking over) on the same port.
        await this.enterRemote(outcome, s.host, s.port);
        if (opts.takeoverOf) this.announceOtherTookOver(opts.takeoverOf);
        return;
      }
      if (outcome.kind === 'foreign') throw new PortInUseError(s.host, s.port, outcome.reason);
      this.servingSince = Date.now();
      this.setRunningFromStatus();
      this.deps.logger.info(`proxy listening on ${this.baseUrl()}`);
      await this.writeServingIntent();
      if (opts.takeoverOf) {
        const n = this.proxy?.accounts.list().length ?? 0;
        this.announce('info', `Kiro Proxy: the window that served ${opts.takeoverOf} is gone; this window serves it now (${n} ${n === 1 ? 'account' : 'accounts'}).`);
      }
    } catch (err) {
      this.failWith(err);
      throw err;
    }
  }

  private async doStop(reason: StopReason): Promise<void> {
    const following = this.remote;
    if (following) {
      this.leaveRemote();
      if (reason !== 'user') {
        this.setState({ kind: 'stopped' });
        return;
      }
      // The serving window reads this and stops; no follower takes over.
      await this.writeIntent({ state: 'stopped', port: following.port });
      if (await this.portFreed(following.host, following.port)) {
        this.setState({ kind: 'stopped' });
        return;
      }
      // Served by something that does not read the intent (the headless proxy, an older version).
      const probe = await probeKiroProxy(following.host, following.port);
      if (probe.kind === 'kiro') {
        await this.enterRemote(probe, following.host, following.port);
        this.announce('warning', `Kiro Proxy on ${probe.url} did not stop: it is not served by a VS Code window of this version. Stop it where it runs.`);
      } else this.setState({ kind: 'stopped' });
      return;
    }
    if (this.proxy?.status().running) {
      const port = this.proxy.status().port ?? this.config?.port ?? 0;
      // Written before the server goes, so a follower that sees it go knows why.
      if (reason === 'user') await this.writeIntent({ state: 'stopped', port });
      else if (reason === 'restart') await this.writeIntent({ state: 'restarting', port });
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

  private async enterRemote(probe: Extract<ProbeResult, { kind: 'kiro' }>, host: string, port: number): Promise<void> {
    this.leaveRemote();
    const endpoint = await this.endpoint(probe.url);
    const owner: FollowedOwner = new FollowedOwner({
      endpoint,
      host,
      port,
      instance: probe.instance,
      now: Date.now(),
      logger: this.deps.logger,
      onEvent: (ev) => this.onRemoteEvent(ev),
      check: () => void this.checkOwner(owner),
    });
    this.remote = owner;
    this.setState({ kind: 'other-window', url: probe.url, port });
    this.deps.logger.info(`another window serves ${probe.url}; this window follows it and takes over if that window closes`);
    // The same accounts as the serving window from the first moment, not only after its next event.
    void Promise.all([callRemoteAdmin(endpoint, 'accounts.list', {}), callRemoteAdmin(endpoint, 'status', {})]).then(
      ([accounts, status]) => {
        if (this.remote !== owner) return;
        this.onRemoteEvent({ type: 'status', status: status as ProxyStatus });
        this.onRemoteEvent({ type: 'accounts', accounts: accounts as AccountView[] });
      },
      (err: unknown) => this.deps.logger.warn(`could not read the accounts of the serving window: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  private leaveRemote(): void {
    if (!this.remote) return;
    this.remote.dispose();
    this.remote = undefined;
  }

  /** The followed owner may be gone: decide between staying stopped, waiting and taking over. */
  private async checkOwner(r: FollowedOwner): Promise<void> {
    if (this.remote !== r || this.checking) return;
    this.checking = true;
    try {
      const probe = await probeSettled(r.host, r.port);
      if (this.remote !== r) return;
      if (probe.kind === 'kiro') {
        if (probe.instance && r.instance && probe.instance !== r.instance) {
          r.instance = probe.instance;
          this.announceOtherTookOver(r.url);
        } else r.instance ??= probe.instance;
        return;
      }
      if (probe.kind === 'foreign') {
        this.leaveRemote();
        this.failWith(new PortInUseError(r.host, r.port, probe.reason));
        return;
      }
      const decision = decideOwnerGone(await this.intent.read(), { port: r.port, now: Date.now(), followingSince: r.since, alive: isProcessAlive });
      if (decision === 'wait') return;
      if (decision === 'stay-stopped') {
        this.deps.logger.info('the proxy was stopped in another window; this window does not take over');
        this.leaveRemote();
        this.setState({ kind: 'stopped', note: 'Stopped in another window.' });
        return;
      }
      this.deps.logger.info(`the window that served ${r.url} went away; taking over`);
      await sleep(Math.floor(Math.random() * TAKEOVER_JITTER_MS));
      await this.enqueue(async () => {
        if (this.remote !== r) return;
        this.leaveRemote();
        this.setState({ kind: 'stopped' });
        await this.doStart({ takeoverOf: r.url });
      }).catch(() => undefined);
    } finally {
      this.checking = false;
    }
  }

  /** Another window wrote the intent file: a Stop or Restart asked of this window, or someone now serves. */
  private async onIntentChanged(): Promise<void> {
    const intent = await this.intent.read();
    if (!intent || intent.window === this.windowId) return;
    const s = this._state;
    if (s.kind === 'running') {
      if (intent.port !== s.port || intent.at < this.servingSince) return;
      if (intent.state === 'stopped') {
        await this.enqueue(async () => {
          if (this._state.kind !== 'running') return;
          this.deps.logger.info('Stop was chosen in another window');
          await this.doStop('other-window');
          this.announce('info', 'Kiro Proxy was stopped from another window.');
        });
      } else if (intent.state === 'restart-requested') {
        this.deps.logger.info('Restart was chosen in another window');
        await this.enqueue(async () => {
          if (this._state.kind !== 'running') return;
          await this.doStop('restart');
          await this.doStart();
        });
      }
      return;
    }
    if (s.kind === 'other-window' && this.remote) {
      const r = this.remote;
      if (intent.state === 'stopped' && intent.at >= r.since - 1000) {
        this.leaveRemote();
        this.setState({ kind: 'stopped', note: 'Stopped in another window.' });
      } else if (intent.state === 'serving' && r.instance && intent.instance !== r.instance) void this.checkOwner(r);
      return;
    }
    if ((s.kind === 'stopped' || s.kind === 'error') && intent.state === 'serving') {
      await this.enqueue(async () => {
        const k = this._state.kind;
        if (k === 'stopped' || k === 'error') await this.lookAround();
      });
    }
  }

  private async portFreed(host: string, port: number, timeoutMs = 4000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      if ((await probeKiroProxy(host, port)).kind === 'free') return true;
      if (Date.now() > end) return false;
      await sleep(150);
    }
  }

  /** After a port change: the serving window restarts on the new port; follow it when it is up. */
  private async waitForRestartedOwner(host: string, port: number): Promise<Extract<ProbeResult, { kind: 'kiro' }> | undefined> {
    const end = Date.now() + RESTART_GRACE_MS;
    for (;;) {
      const probe = await probeKiroProxy(host, port);
      if (probe.kind === 'kiro') return probe;
      const intent = await this.intent.read();
      if (intent?.state !== 'restarting' || !isProcessAlive(intent.pid) || Date.now() > end) return undefined;
      await sleep(200);
    }
  }

  private async writeServingIntent(): Promise<void> {
    const st = this.proxy?.status();
    if (!st?.running || st.port === undefined || !st.url) return;
    await this.writeIntent({ state: 'serving', port: st.port, url: st.url, instance: st.instance ?? this.windowId });
  }

  private async writeIntent(partial: { state: ServeIntent['state']; port: number; url?: string; instance?: string }): Promise<void> {
    const intent = { ...partial, at: Date.now(), pid: process.pid, window: this.windowId } as ServeIntent;
    await this.intent.write(intent).catch((err: unknown) => this.deps.logger.warn(`could not record the serving state for other windows: ${String(err)}`));
  }

  private announceOtherTookOver(previousUrl: string): void {
    this.announce('info', `Kiro Proxy: the window that served ${previousUrl} is gone; another window serves it now.`);
  }

  private announce(level: Announcement['level'], message: string): void {
    this.deps.logger.info(message);
    this.announceEmitter.fire({ level, message });
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

// This window among the other windows of the machine: follows the window that serves the port
// (its events and liveness), reads and writes the shared intent file (serve-intent.ts), and
// applies the rules: a Stop in any window stops the proxy for all of them; a follower takes over
// only when the serving window closed or crashed, and says so. The controller owns this window's
// own server; this class only decides and asks it (through ServingHost) to start, stop or restart.
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountView, Logger, ProxyEvent, ProxyStatus } from '../core/proxy-types.ts';
import { Disposable, type IDisposable } from './lifecycle.ts';
import { probeKiroProxy, probeSettled, type ProbeResult } from './health-probe.ts';
import { callRemoteAdmin, type RemoteEndpoint } from './remote-admin.ts';
import { FollowedOwner } from './followed-owner.ts';
import { decideOwnerGone, isProcessAlive, RESTART_GRACE_MS, ServeIntentFile, type ServeIntent } from './serve-intent.ts';
import { PortInUseError, type Announcement, type ServeState } from './serve-state.ts';

/** Followers that see the owner gone wait a random moment, so one of them binds first. */
const TAKEOVER_JITTER_MS = 300;

/** What the rules need from the controller of this window's own server. */
interface ServingHost {
  readonly logger: Logger;
  endpoint(url: string): Promise<RemoteEndpoint>;
  state(): ServeState;
  setState(s: ServeState): void;
  failWith(err: unknown): void;
  /** Runs after the controller's queued start/stop/restart work, in order. */
  enqueue(fn: () => Promise<void>): Promise<void>;
  /** When this window's server last started (a Stop written before that is not for it). */
  servingSince(): number;
  onRemoteEvent(ev: ProxyEvent): void;
  /** Stop this window's server: Stop was chosen in another window. */
  stopForOtherWindow(): Promise<void>;
  /** Restart this window's server: Restart was chosen in a window that follows it. */
  restartForOtherWindow(): Promise<void>;
  /** The followed window is gone: start here (or follow whoever was faster). */
  takeOver(previousUrl: string): Promise<void>;
  /** The host and port the settings name. */
  settings(): { host: string; port: number };
}

type IntentWrite = { state: ServeIntent['state']; port: number; url?: string; instance?: string };

export class ServingWindows extends Disposable {
  /** Tells this window's writes to the intent file from other windows'. */
  readonly windowId = randomUUID();
  private readonly intent: ServeIntentFile;
  private intentWatch: IDisposable | undefined;
  private _remote: FollowedOwner | undefined;
  private checking = false;
  private readonly announceEmitter = this._register(new vscode.EventEmitter<Announcement>());
  /** Takeovers and stops made elsewhere, for a notification in this window. */
  readonly onDidAnnounce = this.announceEmitter.event;
  private readonly host: ServingHost;

  constructor(stateHome: string, host: ServingHost) {
    super();
    this.host = host;
    this.intent = new ServeIntentFile(stateHome);
    this._register({ dispose: () => this.intentWatch?.dispose() });
    this._register({ dispose: () => this.leave() });
  }

  /** The serving window this one follows, if any. */
  get remote(): FollowedOwner | undefined {
    return this._remote;
  }
  get intentPath(): string {
    return this.intent.path;
  }

  readIntent(): Promise<ServeIntent | undefined> {
    return this.intent.read();
  }

  /** Keeps listening to the other windows' intent writes (idempotent). */
  watch(): void {
    this.intentWatch ??= this.intent.watch(() => void this.onIntentChanged().catch((err: unknown) => this.host.logger.debug(`serving intent: ${String(err)}`)));
  }

  /** Not serving, not following: is someone serving the port? (No core is loaded for this.) */
  async lookAround(): Promise<void> {
    const { host, port } = this.host.settings();
    if (port === 0) return;
    const probe = await probeSettled(host, port);
    if (probe.kind === 'kiro') await this.follow(probe, host, port);
    else if (probe.kind === 'free' && this.host.state().kind === 'error') this.host.setState({ kind: 'stopped' });
  }

  /**
   * Follows the window serving at `probe.url`: its events, accounts and liveness. `takeoverOf`:
   * this window meant to take over from that URL but another window was faster; say so.
   */
  async follow(probe: Extract<ProbeResult, { kind: 'kiro' }>, host: string, port: number, takeoverOf?: string): Promise<void> {
    this.leave();
    const endpoint = await this.host.endpoint(probe.url);
    const owner: FollowedOwner = new FollowedOwner({
      endpoint,
      host,
      port,
      instance: probe.instance,
      now: Date.now(),
      logger: this.host.logger,
      onEvent: (ev) => this.host.onRemoteEvent(ev),
      check: () => void this.checkOwner(owner),
    });
    this._remote = owner;
    this.host.setState({ kind: 'other-window', url: probe.url, port });
    this.host.logger.info(`another window serves ${probe.url}; this window follows it and takes over if that window closes`);
    // The same accounts as the serving window from the first moment, not only after its next event.
    void Promise.all([callRemoteAdmin(endpoint, 'accounts.list', {}), callRemoteAdmin(endpoint, 'status', {})]).then(
      ([accounts, status]) => {
        if (this._remote !== owner) return;
        this.host.onRemoteEvent({ type: 'status', status: status as ProxyStatus });
        this.host.onRemoteEvent({ type: 'accounts', accounts: accounts as AccountView[] });
      },
      (err: unknown) => this.host.logger.warn(`could not read the accounts of the serving window: ${err instanceof Error ? err.message : String(err)}`),
    );
    if (takeoverOf) this.announceOtherTookOver(takeoverOf);
  }

  leave(): void {
    if (!this._remote) return;
    this._remote.dispose();
    this._remote = undefined;
  }

  /**
   * Stop chosen in this window while it follows: the serving window reads the intent and stops;
   * no follower takes over. A server that does not read the intent keeps being followed.
   */
  async stopFollowed(following: FollowedOwner): Promise<void> {
    await this.writeIntent({ state: 'stopped', port: following.port });
    if (await this.portFreed(following.host, following.port)) {
      this.host.setState({ kind: 'stopped' });
      return;
    }
    // Served by something that does not read the intent (the headless proxy, an older version).
    const probe = await probeKiroProxy(following.host, following.port);
    if (probe.kind === 'kiro') {
      await this.follow(probe, following.host, following.port);
      this.announce('warning', `Kiro Proxy on ${probe.url} did not stop: it is not served by a VS Code window of this version. Stop it where it runs.`);
    } else this.host.setState({ kind: 'stopped' });
  }

  /** After a port change: the serving window restarts on the new port; follow it when it is up. */
  async waitForRestartedOwner(host: string, port: number): Promise<Extract<ProbeResult, { kind: 'kiro' }> | undefined> {
    const end = Date.now() + RESTART_GRACE_MS;
    for (;;) {
      const probe = await probeKiroProxy(host, port);
      if (probe.kind === 'kiro') return probe;
      const intent = await this.intent.read();
      if (intent?.state !== 'restarting' || !isProcessAlive(intent.pid) || Date.now() > end) return undefined;
      await sleep(200);
    }
  }

  /** This window's server listens: tell the other windows who serves, and which instance. */
  async writeServing(st: ProxyStatus | undefined): Promise<void> {
    if (!st?.running || st.port === undefined || !st.url) return;
    await this.writeIntent({ state: 'serving', port: st.port, url: st.url, instance: st.instance ?? this.windowId });
  }

  async writeIntent(partial: IntentWrite): Promise<void> {
    const intent = { ...partial, at: Date.now(), pid: process.pid, window: this.windowId } as ServeIntent;
    await this.intent.write(intent).catch((err: unknown) => this.host.logger.warn(`could not record the serving state for other windows: ${String(err)}`));
  }

  /** This window took over from the one that served `previousUrl`, with `accounts` accounts. */
  announceTookOverHere(previousUrl: string, accounts: number): void {
    this.announce(
      'info',
      `Kiro Proxy: the window that served ${previousUrl} is gone; this window serves it now (${accounts} ${accounts === 1 ? 'account' : 'accounts'}).`,
    );
  }

  announceOtherTookOver(previousUrl: string): void {
    this.announce('info', `Kiro Proxy: the window that served ${previousUrl} is gone; another window serves it now.`);
  }

  announce(level: Announcement['level'], message: string): void {
    this.host.logger.info(message);
    this.announceEmitter.fire({ level, message });
  }

  /** The followed owner may be gone: decide between staying stopped, waiting and taking over. */
  private async checkOwner(r: FollowedOwner): Promise<void> {
    if (this._remote !== r || this.checking) return;
    this.checking = true;
    try {
      const probe = await probeSettled(r.host, r.port);
      if (this._remote !== r) return;
      if (probe.kind === 'kiro') {
        if (probe.instance && r.instance && probe.instance !== r.instance) {
          r.instance = probe.instance;
          this.announceOtherTookOver(r.url);
        } else r.instance ??= probe.instance;
        return;
      }
      if (probe.kind === 'foreign') {
        this.leave();
        this.host.failWith(new PortInUseError(r.host, r.port, probe.reason));
        return;
      }
      const decision = decideOwnerGone(await this.intent.read(), { port: r.port, now: Date.now(), followingSince: r.since, alive: isProcessAlive });
      if (decision === 'wait') return;
      if (decision === 'stay-stopped') {
        this.host.logger.info('the proxy was stopped in another window; this window does not take over');
        this.leave();
        this.host.setState({ kind: 'stopped', note: 'Stopped in another window.' });
        return;
      }
      this.host.logger.info(`the window that served ${r.url} went away; taking over`);
      await sleep(Math.floor(Math.random() * TAKEOVER_JITTER_MS));
      await this.host
        .enqueue(async () => {
          if (this._remote !== r) return;
          this.leave();
          this.host.setState({ kind: 'stopped' });
          await this.host.takeOver(r.url);
        })
        .catch(() => undefined);
    } finally {
      this.checking = false;
    }
  }

  /** Another window wrote the intent file: a Stop or Restart asked of this window, or someone now serves. */
  private async onIntentChanged(): Promise<void> {
    const intent = await this.intent.read();
    if (!intent || intent.window === this.windowId) return;
    const s = this.host.state();
    if (s.kind === 'running') {
      if (intent.port !== s.port || intent.at < this.host.servingSince()) return;
      if (intent.state === 'stopped') {
        await this.host.enqueue(async () => {
          if (this.host.state().kind !== 'running') return;
          this.host.logger.info('Stop was chosen in another window');
          await this.host.stopForOtherWindow();
          this.announce('info', 'Kiro Proxy was stopped from another window.');
        });
      } else if (intent.state === 'restart-requested') {
        this.host.logger.info('Restart was chosen in another window');
        await this.host.enqueue(async () => {
          if (this.host.state().kind !== 'running') return;
          await this.host.restartForOtherWindow();
        });
      }
      return;
    }
    if (s.kind === 'other-window' && this._remote) {
      const r = this._remote;
      if (intent.state === 'stopped' && intent.at >= r.since - 1000) {
        this.leave();
        this.host.setState({ kind: 'stopped', note: 'Stopped in another window.' });
      } else if (intent.state === 'serving' && r.instance && intent.instance !== r.instance) void this.checkOwner(r);
      return;
    }
    if ((s.kind === 'stopped' || s.kind === 'error') && intent.state === 'serving') {
      await this.host.enqueue(async () => {
        const k = this.host.state().kind;
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
}

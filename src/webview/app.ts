// The dashboard shell: header (service state), tabs, and the data flow from the transport.
import type { HostInfo } from '../core/admin/protocol.ts';
import { h, replace } from './dom.ts';
import { LogsView } from './logs-view.ts';
import { MonitorView } from './monitor-view.ts';
import { SettingsView } from './settings-view.ts';
import { Store } from './store.ts';
import { TransportError, type Transport, type UiState } from './transport.ts';

type Tab = NonNullable<UiState['tab']>;
const TABS: { id: Tab; label: string }[] = [
  { id: 'logs', label: 'Logs' },
  { id: 'monitor', label: 'Monitor' },
  { id: 'settings', label: 'Settings' },
];

export class App {
  private readonly store = new Store();
  private readonly transport: Transport;
  private readonly root: HTMLElement;
  private state: UiState;
  private readonly header = h('header', { class: 'top' });
  private readonly tabButtons = new Map<Tab, HTMLButtonElement>();
  private readonly views: Record<Tab, { root: HTMLElement }>;
  private readonly monitor: MonitorView;
  private seriesTimer: ReturnType<typeof setInterval> | undefined;
  private seriesDebounce: ReturnType<typeof setTimeout> | undefined;
  private reloads = 0;

  constructor(root: HTMLElement, transport: Transport) {
    this.root = root;
    this.transport = transport;
    this.state = { tab: 'logs', ...transport.loadState() };
    const logs = new LogsView(this.store, this.state, (s) => this.saveState(s));
    this.monitor = new MonitorView(this.store, transport);
    const settings = new SettingsView(this.store, transport);
    this.views = { logs, monitor: this.monitor, settings };

    const nav = h('nav', { class: 'tabs', role: 'tablist' });
    for (const t of TABS) {
      const b = h('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': `panel-${t.id}`, 'data-tab': t.id }, t.label);
      this.tabButtons.set(t.id, b);
      nav.append(b);
    }
    nav.addEventListener('click', (e) => {
      const b = (e.target as Element).closest<HTMLElement>('button[data-tab]');
      if (b) this.show(b.dataset['tab'] as Tab);
    });
    this.header.addEventListener('click', (e) => {
      const b = (e.target as Element).closest<HTMLElement>('button[data-command]');
      if (b) transport.command(b.dataset['command'] as never);
    });
    const main = h('main', {});
    for (const t of TABS) {
      const v = this.views[t.id].root;
      v.id = `panel-${t.id}`;
      v.setAttribute('role', 'tabpanel');
      v.setAttribute('aria-labelledby', `tab-${t.id}`);
      main.append(v);
    }
    replace(root, this.header, nav, main);

    this.store.on('status', () => this.renderHeader());
    this.store.on('host', () => this.renderHeader());
    this.store.on('logs', () => this.seriesSoon());
    transport.onEvent((ev) => this.store.apply(ev));
    transport.onHostInfo((info) => this.onHostInfo(info));
    // The one 1 s tick: uptime and countdowns on the Monitor tab.
    setInterval(() => {
      if (this.state.tab === 'monitor' && document.visibilityState === 'visible') this.monitor.tick();
    }, 1000);
    this.show(this.state.tab ?? 'logs');
    this.renderHeader();
  }

  async start(): Promise<void> {
    try {
      const info = await this.transport.connect();
      this.onHostInfo(info, false);
      await this.reload();
    } catch (err) {
      if (err instanceof TransportError && err.code === 'unauthorized') this.askForKey();
      else this.fail(err);
    }
  }

  private async reload(): Promise<void> {
    const t = this.transport;
    // A restart announces stopped, starting and running in quick succession: only the newest reload's answers count.
    const seq = ++this.reloads;
    const [status, accounts, config, logs] = await Promise.all([
      t.call('status'),
      t.call('accounts.list'),
      t.call('config.get'),
      t.call('logs.list', { limit: 1000 }),
    ]);
    if (seq !== this.reloads) return;
    this.store.status = status;
    this.store.accounts = accounts;
    this.store.config = config;
    this.store.emit('status');
    this.store.emit('accounts');
    this.store.emit('config');
    this.store.setLogs(logs, status.startedAt);
    await this.loadSeries();
  }

  private onHostInfo(info: HostInfo, reload = true): void {
    this.store.host = info;
    this.store.emit('host');
    if (reload) void this.reload().catch((err: unknown) => this.fail(err));
  }

  private async loadSeries(): Promise<void> {
    try {
      this.store.series = await this.transport.call('monitor.series', { minutes: 30, bucketSeconds: 60 });
      this.store.emit('series');
    } catch {
      // charts stay as they were
    }
  }

  private seriesSoon(): void {
    if (this.state.tab !== 'monitor' || this.seriesDebounce) return;
    this.seriesDebounce = setTimeout(() => {
      this.seriesDebounce = undefined;
      void this.loadSeries();
    }, 1500);
  }

  private show(tab: Tab): void {
    this.saveState({ tab });
    for (const t of TABS) {
      const active = t.id === tab;
      this.views[t.id].root.hidden = !active;
      const b = this.tabButtons.get(t.id)!;
      b.setAttribute('aria-selected', String(active));
      b.tabIndex = active ? 0 : -1;
    }
    // Charts refresh only while the Monitor tab is shown.
    if (this.seriesTimer) clearInterval(this.seriesTimer);
    this.seriesTimer = undefined;
    if (tab === 'monitor') {
      void this.loadSeries();
      this.seriesTimer = setInterval(() => void this.loadSeries(), 15_000);
    }
  }

  private saveState(patch: Partial<UiState>): void {
    this.state = { ...this.state, ...patch };
    this.transport.saveState(this.state);
  }

  private renderHeader(): void {
    const st = this.store.status;
    const host = this.store.host;
    const other = host.serving === 'other-window';
    const running = !!st?.running || other;
    const cls = host.serving === 'error' ? 'error' : running ? (other ? 'other' : 'running') : 'stopped';
    const label =
      host.serving === 'error' ? 'Error' : other ? 'Served by another window' : running ? 'Running' : host.serving === 'starting' ? 'Starting…' : 'Stopped';
    const parts: (Node | string)[] = [h('span', { class: `badge ${cls}`, id: 'service-state' }, label)];
    if (st?.url) parts.push(h('span', { class: 'mono url' }, st.url));
    if (st) parts.push(h('span', { class: 'muted' }, `${st.mode === 'mock' ? 'mock · ' : ''}${st.requests} ${st.requests === 1 ? 'request' : 'requests'}`));
    if (this.transport.commands) {
      const actions = h('span', { class: 'header-actions' });
      // Stop stops the proxy for every window, also from a window that only follows it.
      if (running) actions.append(h('button', { type: 'button', class: 'small secondary', 'data-command': 'stop' }, 'Stop'));
      else if (host.serving !== 'starting') actions.append(h('button', { type: 'button', class: 'small', 'data-command': 'start' }, 'Start'));
      parts.push(actions);
    }
    if (host.serving === 'error' && host.message) parts.push(h('div', { class: 'host-message error-text' }, host.message));
    replace(this.header, ...parts);
  }

  private askForKey(): void {
    const input = h('input', { type: 'password', id: 'api-key', autocomplete: 'off', 'aria-label': 'API key' });
    const form = h(
      'form',
      { class: 'card key-form' },
      h('h3', {}, 'API key required'),
      h('p', { class: 'muted' }, 'This proxy requires its API key. It is kept in this tab only (sessionStorage).'),
      input,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Connect')),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      (this.transport as unknown as { setApiKey(k: string): void }).setApiKey(input.value.trim());
      form.remove();
      void this.start();
    });
    this.root.prepend(form);
    input.focus();
  }

  private fail(err: unknown): void {
    const msg = h('p', { class: 'error-text', role: 'alert' }, `Dashboard error: ${(err as Error)?.message ?? String(err)}`);
    this.header.append(msg);
  }
}

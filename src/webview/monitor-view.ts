// Monitor tab: service status, request-rate and latency charts, quota and cooldown per account,
// account actions (the browser has no Accounts tree, so they live here too).
import type { AccountView } from '../core/proxy-types.ts';
import type { AdminMethod, HostInfo } from '../core/admin/protocol.ts';
import { barChart, lineChart, usageBar } from './charts.ts';
import { quotaDisplay } from '../core/accounts/quota/quota-display.ts';
import { formatCountdown, formatDuration, formatTime, h, replace } from './dom.ts';
import { accountSubtitle } from '../core/admin/account-labels.ts';
import { teamSummary } from '../core/admin/team-summary.ts';
import type { Store } from './store.ts';
import type { Transport } from './transport.ts';

const STATE_LABEL: Record<string, string> = { active: 'Active', cooldown: 'Cooling down', disabled: 'Disabled', expired: 'Token expired', error: 'Error' };

export class MonitorView {
  readonly root: HTMLElement;
  private readonly service = h('div', { class: 'card-body' });
  private readonly rate = h('div', { class: 'card-body' });
  private readonly latency = h('div', { class: 'card-body' });
  private readonly accounts = h('div', { class: 'card-body' });
  private readonly message = h('p', { class: 'message', role: 'status' });
  private confirmRemove: string | undefined;
  private readonly store: Store;
  private readonly transport: Transport;

  constructor(store: Store, transport: Transport) {
    this.store = store;
    this.transport = transport;
    const card = (title: string, body: HTMLElement, extra?: HTMLElement) => h('div', { class: 'card' }, h('h3', {}, title, extra ?? null), body);
    this.root = h(
      'section',
      { class: 'view monitor-view', 'aria-label': 'Monitor' },
      h('div', { class: 'grid' }, card('Service', this.service), card('Requests / minute', this.rate), card('Latency (p50, p95)', this.latency)),
      card('Accounts', this.accounts),
      this.message,
    );
    this.accounts.addEventListener('click', (e) => {
      const btn = (e.target as Element).closest<HTMLButtonElement>('button[data-action]');
      if (btn) void this.act(btn.dataset['action']!, btn.dataset['id']!);
    });
    store.on('status', () => this.renderService());
    store.on('host', () => this.renderService());
    store.on('accounts', () => this.renderAccounts());
    store.on('series', () => this.renderCharts());
    this.renderService();
    this.renderCharts();
    this.renderAccounts();
  }

  /** Called every second by the app while this tab shows (uptime, countdowns). */
  tick(): void {
    this.renderService();
    if (this.store.accounts.some((a) => a.state === 'cooldown')) this.renderAccounts();
  }

  private renderService(): void {
    const st = this.store.status;
    const host = this.store.host;
    const rows: [string, string][] = [];
    rows.push(['State', serviceState(st?.running ?? false, host)]);
    if (st?.url) rows.push(['Address', st.url]);
    if (st) rows.push(['Upstream', st.mode === 'mock' ? 'Simulated (mock mode)' : 'Kiro']);
    if (st?.running && st.team) rows.push(['Team', teamSummary(st.team, formatTime)]);
    if (st?.startedAt) rows.push(['Up for', formatCountdown(Date.now() - st.startedAt)]);
    // Since start, from the same records as the Logs tab (observe/request-outcome.ts).
    rows.push(['Requests', String(st?.requests ?? 0)]);
    rows.push(['Errors', String(st?.errors ?? 0)]);
    rows.push(['Aborted by client', String(st?.aborted ?? 0)]);
    rows.push(['In flight', String(st?.inFlight ?? 0)]);
    replace(this.service, h('dl', { class: 'kv' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  }

  private renderCharts(): void {
    const series = this.store.series;
    if (!series || series.totals.requests === 0) {
      replace(this.rate, h('p', { class: 'muted' }, 'No requests in the last 30 minutes.'));
      replace(this.latency, h('p', { class: 'muted' }, '—'));
      return;
    }
    const points = series.buckets.map((b) => ({ label: formatTime(b.start), value: b.requests, errors: b.errors }));
    replace(
      this.rate,
      barChart(points, 'Requests per minute over the last 30 minutes'),
      h(
        'p',
        { class: 'muted small' },
        `${plural(series.totals.requests, 'request')}, ${plural(series.totals.errors, 'error')}, ${series.totals.aborted} aborted`,
      ),
    );
    replace(
      this.latency,
      lineChart(
        [
          { name: 'p50', className: 'p50', values: series.buckets.map((b) => b.p50Ms) },
          { name: 'p95', className: 'p95', values: series.buckets.map((b) => b.p95Ms) },
        ],
        'Latency p50 and p95 over the last 30 minutes',
        ' ms',
      ),
      h(
        'p',
        { class: 'muted small' },
        h('span', { class: 'key p50' }, 'p50'),
        ` ${formatDuration(series.totals.p50Ms)} · `,
        h('span', { class: 'key p95' }, 'p95'),
        ` ${formatDuration(series.totals.p95Ms)}`,
      ),
    );
  }

  private renderAccounts(): void {
    const list = this.store.accounts;
    if (list.length === 0) {
      // A stopped proxy holds no accounts (they load when it starts): not the same as having none.
      const running = this.store.status?.running ?? false;
      const body = h('div', { class: 'empty' }, h('p', {}, running ? 'No account yet.' : 'The proxy is not running; its accounts are listed once it starts.'));
      if (this.transport.commands) {
        const add = h('button', { type: 'button' }, 'Add Account');
        const scan = h('button', { type: 'button', class: 'secondary' }, 'Scan Tokens');
        add.addEventListener('click', () => this.transport.command('addAccount'));
        scan.addEventListener('click', () => this.transport.command('scanTokens'));
        body.append(h('div', { class: 'actions' }, add, scan));
      } else body.append(h('p', { class: 'muted' }, 'Add accounts with --creds-file, KIRO_SSO_CACHE or the editor extension.'));
      replace(this.accounts, body);
      return;
    }
    const now = Date.now();
    replace(
      this.accounts,
      h(
        'table',
        { class: 'accounts' },
        h('thead', {}, h('tr', {}, ...['Account', 'State', 'Quota', 'Requests', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...list.map((a) => this.accountRow(a, now))),
      ),
    );
  }

  private accountRow(a: AccountView, now: number): HTMLTableRowElement {
    const q = a.quota;
    const until = a.cooldownUntil ?? a.disabledUntil;
    const state = h('td', {}, h('span', { class: `dot ${a.state}` }), ` ${STATE_LABEL[a.state] ?? a.state}`);
    if (a.state === 'cooldown' && until && until > now) state.append(h('span', { class: 'muted' }, ` ${formatCountdown(until - now)}`));
    // Why (quota used up and when Kiro is asked again, serving on overage…), as the tree's tooltip says it.
    if (a.stateReason) state.append(h('div', { class: 'muted small' }, a.stateReason));
    if (a.lastError) state.append(h('div', { class: 'muted small', title: a.lastError.message }, `Last error: ${a.lastError.message}`));
    const quota = h('td', { class: 'quota' });
    if (q) {
      // Included credits (the totals hold trial and bonuses), then overage apart: billed, with its own cap.
      const d = quotaDisplay(q);
      const { includedUsed: used, includedLimit: limit } = d;
      quota.append(
        usageBar(used, limit, `${fmt(used)} of ${fmt(limit)} included credits used`),
        h('span', { class: 'small', title: 'included credits' }, limit > 0 ? `${fmt(used)} / ${fmt(limit)}` : `${fmt(used)} used`),
      );
      const o = d.overage;
      if (o?.enabled && o.cap !== undefined) quota.append(usageBar(o.used, o.cap, `${fmt(o.used)} of ${fmt(o.cap)} overage credits used`));
      if (o) quota.append(h('div', { class: o.enabled ? 'small' : 'small muted' }, o.cost ? `${o.text} · ${o.cost}` : o.text));
    } else quota.append(h('span', { class: 'muted' }, '—'));
    const btn = (action: string, label: string, cls = 'secondary') =>
      h('button', { type: 'button', class: `small ${cls}`, 'data-action': action, 'data-id': a.id }, label);
    const removing = this.confirmRemove === a.id;
    return h(
      'tr',
      {},
      h('td', {}, h('strong', {}, a.label), h('div', { class: 'muted small', title: a.source }, accountSubtitle(a))),
      state,
      quota,
      h(
        'td',
        { class: 'num', title: 'Upstream attempts on this account since start; aborted: the client went away mid-answer (not an error).' },
        h('div', {}, plural(a.counters.requests, 'request')),
        h('div', { class: 'muted small' }, `${plural(a.counters.errors, 'error')} · ${a.counters.aborted ?? 0} aborted`),
      ),
      h(
        'td',
        { class: 'row-actions' },
        btn('refresh', 'Refresh token'),
        btn('quota', 'Quota'),
        a.enabled ? btn('disable', 'Disable') : btn('enable', 'Enable'),
        removing ? btn('remove-confirm', 'Confirm remove', 'danger') : btn('remove', 'Remove'),
      ),
    );
  }

  private async act(action: string, id: string): Promise<void> {
    const calls: Record<string, [AdminMethod, Record<string, unknown>]> = {
      refresh: ['accounts.refresh', { id }],
      quota: ['accounts.refreshQuota', { id }],
      enable: ['accounts.setEnabled', { id, enabled: true }],
      disable: ['accounts.setEnabled', { id, enabled: false }],
      'remove-confirm': ['accounts.remove', { id }],
    };
    if (action === 'remove') {
      this.confirmRemove = id;
      this.renderAccounts();
      return;
    }
    this.confirmRemove = undefined;
    const call = calls[action];
    if (!call) return;
    this.message.textContent = 'Working…';
    try {
      await this.transport.call(call[0], call[1]);
      this.message.textContent = '';
      this.store.accounts = await this.transport.call('accounts.list');
      this.store.emit('accounts');
    } catch (err) {
      this.message.textContent = `Failed: ${(err as Error).message}`;
    }
  }
}

/** One word for who serves, the same as the header's (the error text itself is in the header). */
function serviceState(running: boolean, host: HostInfo): string {
  if (host.host !== 'vscode') return running ? 'Running' : 'Stopped';
  switch (host.serving) {
    case 'this-window':
      return 'Running (this window)';
    case 'other-window':
      return 'Running (another window)';
    case 'starting':
      return 'Starting…';
    case 'error':
      return 'Error';
    default:
      return host.message && host.message !== 'The proxy is stopped.' ? `Stopped — ${host.message}` : 'Stopped';
  }
}

function plural(n: number, word: string): string {
  return `${n} ${n === 1 ? word : `${word}s`}`;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

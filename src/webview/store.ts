// The dashboard's data, fed by admin calls and pushed events; views subscribe to topics.
import type { HostInfo, MonitorSeries, PublicConfig } from '../core/admin/protocol.ts';
import type { AccountView, ProxyEvent, ProxyStatus, RequestLogEntry } from '../core/proxy-types.ts';

export type Topic = 'status' | 'accounts' | 'logs' | 'config' | 'series' | 'host';
const MAX_LOGS = 1000;

export class Store {
  status: ProxyStatus | undefined;
  accounts: AccountView[] = [];
  logs: RequestLogEntry[] = [];
  config: PublicConfig | undefined;
  series: MonitorSeries | undefined;
  host: HostInfo = { host: 'http' };
  private readonly listeners = new Map<Topic, Set<() => void>>();

  on(topic: Topic, fn: () => void): void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(fn);
  }

  emit(topic: Topic): void {
    for (const fn of this.listeners.get(topic) ?? []) fn();
  }

  apply(ev: ProxyEvent): void {
    switch (ev.type) {
      case 'status':
        this.status = ev.status;
        this.emit('status');
        break;
      case 'accounts':
        this.accounts = ev.accounts;
        this.emit('accounts');
        break;
      case 'request':
        if (this.logs.some((e) => e.id === ev.entry.id)) return;
        this.logs.push(ev.entry);
        if (this.logs.length > MAX_LOGS) this.logs.splice(0, this.logs.length - MAX_LOGS);
        if (this.status) this.status = { ...this.status, requests: Math.max(this.status.requests, this.logs.length) };
        this.emit('logs');
        break;
    }
  }

  /**
   * The server's log replaces ours. Entries pushed while the list was loading are kept, but only
   * those of this server run (`since`: its start): a restarted server's log starts empty, and the
   * rows shown must agree with the counts shown.
   */
  setLogs(entries: RequestLogEntry[], since: number | undefined): void {
    const known = new Set(entries.map((e) => e.id));
    const pushed = since === undefined ? [] : this.logs.filter((e) => !known.has(e.id) && e.time >= since);
    const merged = [...entries, ...pushed].sort((a, b) => a.time - b.time);
    this.logs = merged.slice(-MAX_LOGS);
    this.emit('logs');
  }

  accountLabel(id: string | undefined): string {
    if (!id) return '—';
    return this.accounts.find((a) => a.id === id)?.label ?? id;
  }
}

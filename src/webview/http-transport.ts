// Browser transport for the headless /dashboard: POST /api/<method>, and /api/events read with
// fetch streaming (EventSource cannot send the Authorization header the API key needs).
import type { AdminMethod, AdminParams, AdminResult, HostInfo } from '../core/admin/protocol.ts';
import type { ProxyEvent } from '../core/proxy-types.ts';
import { TransportError, type HostCommand, type Transport, type UiState } from './transport.ts';

const KEY_STORAGE = 'kiroProxy.apiKey';
const STATE_STORAGE = 'kiroProxy.dashboardState';

export class HttpTransport implements Transport {
  readonly kind = 'http' as const;
  readonly commands = false;
  private readonly base: string;
  private apiKey: string | undefined;
  private readonly eventListeners: ((ev: ProxyEvent) => void)[] = [];
  private streaming: AbortController | undefined;

  constructor(base = '') {
    this.base = base;
    this.apiKey = sessionStorage.getItem(KEY_STORAGE) ?? undefined;
  }

  setApiKey(key: string): void {
    this.apiKey = key || undefined;
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
    this.restartEvents();
  }

  async connect(): Promise<HostInfo> {
    await this.call('status');
    this.restartEvents();
    return { host: 'http' };
  }

  async call<M extends AdminMethod>(method: M, params?: AdminParams<M>): Promise<AdminResult<M>> {
    const res = await fetch(`${this.base}/api/${method}`, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(params ?? {}),
      credentials: 'same-origin',
    });
    const body = (await res.json().catch(() => undefined)) as { result?: unknown; error?: { code?: string; message?: string; type?: string } } | undefined;
    if (res.status === 401 || res.status === 403) throw new TransportError('unauthorized', body?.error?.message ?? 'API key required');
    if (!res.ok || !body || body.error) throw new TransportError(body?.error?.code ?? 'failed', body?.error?.message ?? `HTTP ${res.status}`);
    return body.result as AdminResult<M>;
  }

  onEvent(l: (ev: ProxyEvent) => void): void {
    this.eventListeners.push(l);
  }
  onHostInfo(): void {
    // the browser has no editor host that could change
  }
  command(_c: HostCommand): void {
    // no editor commands in a browser
  }
  loadState(): UiState {
    try {
      return JSON.parse(sessionStorage.getItem(STATE_STORAGE) ?? '{}') as UiState;
    } catch {
      return {};
    }
  }
  saveState(s: UiState): void {
    sessionStorage.setItem(STATE_STORAGE, JSON.stringify(s));
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.apiKey ? { ...extra, authorization: `Bearer ${this.apiKey}` } : extra;
  }

  private restartEvents(): void {
    this.streaming?.abort();
    const ac = new AbortController();
    this.streaming = ac;
    void this.followEvents(ac.signal);
  }

  private async followEvents(signal: AbortSignal): Promise<void> {
    let delay = 1000;
    while (!signal.aborted) {
      try {
        const res = await fetch(`${this.base}/api/events`, { headers: this.headers({ accept: 'text/event-stream' }), signal, credentials: 'same-origin' });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        delay = 1000;
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
          let cut: number;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const data = block
              .split('\n')
              .filter((l) => l.startsWith('data:'))
              .map((l) => l.slice(5).replace(/^ /, ''))
              .join('\n');
            if (!data) continue;
            try {
              const ev = JSON.parse(data) as ProxyEvent;
              for (const l of this.eventListeners) l(ev);
            } catch {
              // skip a malformed event
            }
          }
        }
      } catch {
        if (signal.aborted) return;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  }
}

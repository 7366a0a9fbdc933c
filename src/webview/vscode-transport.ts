// postMessage transport: {kind:'request', id, method, params} → {kind:'response', id, …}, events pushed.
import { hostToWebviewSchema, type AdminMethod, type AdminParams, type AdminResult, type HostInfo } from '../core/admin/protocol.ts';
import type { ProxyEvent } from '../core/proxy-types.ts';
import { TransportError, type HostCommand, type Transport, type UiState } from './transport.ts';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export function inVsCodeWebview(): boolean {
  return typeof (globalThis as { acquireVsCodeApi?: unknown }).acquireVsCodeApi === 'function';
}

export class VsCodeTransport implements Transport {
  readonly kind = 'vscode' as const;
  readonly commands = true;
  private readonly api = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly eventListeners: ((ev: ProxyEvent) => void)[] = [];
  private readonly infoListeners: ((info: HostInfo) => void)[] = [];
  private hello: ((info: HostInfo) => void) | undefined;

  constructor() {
    window.addEventListener('message', (e: MessageEvent) => this.onMessage(e.data));
  }

  connect(): Promise<HostInfo> {
    return new Promise((resolve) => {
      this.hello = resolve;
      this.api.postMessage({ kind: 'ready' });
    });
  }

  call<M extends AdminMethod>(method: M, params?: AdminParams<M>): Promise<AdminResult<M>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.api.postMessage({ kind: 'request', id, method, ...(params !== undefined ? { params } : {}) });
    });
  }

  onEvent(l: (ev: ProxyEvent) => void): void {
    this.eventListeners.push(l);
  }
  onHostInfo(l: (info: HostInfo) => void): void {
    this.infoListeners.push(l);
  }
  command(c: HostCommand): void {
    this.api.postMessage({ kind: 'command', command: c });
  }
  loadState(): UiState {
    return (this.api.getState() as UiState | undefined) ?? {};
  }
  saveState(s: UiState): void {
    this.api.setState(s);
  }

  private onMessage(data: unknown): void {
    const parsed = hostToWebviewSchema.safeParse(data);
    if (!parsed.success) return;
    const msg = parsed.data;
    switch (msg.kind) {
      case 'hello':
        this.hello?.(msg.info as HostInfo);
        this.hello = undefined;
        break;
      case 'hostInfo':
        for (const l of this.infoListeners) l(msg.info as HostInfo);
        break;
      case 'event':
        for (const l of this.eventListeners) l(msg.event as unknown as ProxyEvent);
        break;
      case 'response': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new TransportError(msg.error.code, msg.error.message));
        else p.resolve(msg.result);
        break;
      }
    }
  }
}
